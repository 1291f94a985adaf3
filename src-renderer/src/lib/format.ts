import type { DatasetSummaryDto } from './api.ts';

const integer = new Intl.NumberFormat('en-US');
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatCount(n: number): string {
  return integer.format(n);
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const KIND_LABELS: Record<DatasetSummaryDto['kind'], string> = {
  'fashion-mnist': 'Fashion-MNIST',
  mnist: 'MNIST',
  cifar10: 'CIFAR-10',
  idx: 'IDX files',
  folder: 'Image folder',
};

export function kindLabel(kind: DatasetSummaryDto['kind']): string {
  return KIND_LABELS[kind] ?? kind;
}

export function imageSize(d: Pick<DatasetSummaryDto, 'width' | 'height' | 'channels'>): string {
  return `${d.width}×${d.height}×${d.channels}`;
}
