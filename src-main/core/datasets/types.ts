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

/** A dataset read and checked in full, ready to be written in one transaction. */
export interface ParsedDataset {
  name: string;
  kind: DatasetKind;
  source: string;
  width: number;
  height: number;
  channels: number;
  fingerprint: string;
  classes: string[];
  pixelSplits: PixelSplit[];
  /** Folder datasets: the evaluation ('test') images, in a stable order. */
  files: FileImage[];
}

export interface DatasetSummary {
  id: number;
  name: string;
  kind: DatasetKind;
  source: string;
  width: number;
  height: number;
  channels: number;
  classes: string[];
  train: number;
  test: number;
  fingerprint: string;
  createdAt: string;
}
