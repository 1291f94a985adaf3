/** The prediction formats `import predictions` reads, and how to recognise each header. */
export const IMPORT_FORMATS = ['reference-csv', 'long-csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

export const LONG_CSV = {
  name: 'long-csv',
  // image_index, or image: the path of a folder dataset's image relative to its folder
  required: ['model_id', 'variant', 'target_sparsity', 'seed', 'true_label', 'predicted_label', 'predicted_probability'],
  optional: ['true_label_probability', 'image_index', 'image'],
  describe: (name: string): string => name,
  looksLike: (header: string[]): boolean => header.includes('model_id') && (header.includes('image_index') || header.includes('image')) && header.includes('predicted_label'),
} as const;

/** pandas.DataFrame.to_csv writes the index as a first column whose header is empty. */
export const REFERENCE_CSV = {
  name: 'reference-csv',
  required: ['', 'predictions', 'true_class', 'predicted_probability', 'fraction_pruned'],
  optional: ['exp'],
  describe: (name: string): string => (name === '' ? '(unnamed index column)' : name),
  looksLike: (header: string[]): boolean => header[0] === '' && header.includes('predictions') && header.includes('true_class'),
} as const;
