export type DatasetKind = 'fashion-mnist' | 'mnist' | 'cifar10' | 'idx' | 'folder';
export type Split = 'train' | 'test';

/** Images held as one typed array (MNIST-like and CIFAR datasets). */
export interface PixelSplit {
  split: Split;
  count: number;
  /** count x height x width x channels, row-major, channels last. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** One image of a folder dataset, kept by path. */
export interface FileImage {
  label: number;
  path: string;
  contentHash: string;
  width: number;
  height: number;
  thumbnail: Buffer;
}

/** What a dataset is, whether just read from its files or stored. */
export interface DatasetDescription {
  name: string;
  kind: DatasetKind;
  source: string;
  width: number;
  height: number;
  channels: number;
  fingerprint: string;
  classes: string[];
}

/** A dataset read and checked in full, ready to be written in one transaction. */
export interface ParsedDataset extends DatasetDescription {
  pixelSplits: PixelSplit[];
  /** Folder datasets: the evaluation ('test') images, in a stable order. */
  files: FileImage[];
}

/** A stored dataset with its split sizes. */
export interface DatasetSummary extends DatasetDescription {
  id: number;
  train: number;
  test: number;
  createdAt: string;
}
