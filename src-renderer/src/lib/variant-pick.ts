import type { ReportDto } from './api.ts';

/** The report's compressed variants (every population but dense), in the report's order. */
export function compressedVariants(report: ReportDto): string[] {
  return report.variants.filter((v) => v.variant !== 'dense').map((v) => v.variant);
}

/** The variant picked, or the last (most compressed) one when none is picked or the picked one is gone. */
export function shownVariant(variants: readonly string[], picked: string | null): string {
  return picked !== null && variants.includes(picked) ? picked : (variants[variants.length - 1] ?? '');
}
