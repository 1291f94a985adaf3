import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { refuseNonUtf8Text } from '../import/text-encoding.js';
import { UserError } from '../errors.js';
import { parseCsvText, type CsvTextRecord } from '../import/csv-text.js';
import { datasetIdByName, imageIdsByPath, replaceDatasetAttributes, testImageIds, type AttributeRow } from '../sql/image-attributes.js';

/** More distinct values than this in one column is not a categorical attribute. */
export const MAX_ATTRIBUTE_VALUES = 1000;

export interface AttributesImport {
  dataset: string;
  images: number;
  attributes: { name: string; values: number }[];
}

/**
 * Reads an attribute file and replaces the dataset's attributes with it. First column
 * `image_index` (the test split's idx) or `image` (an image file's path, relative to the
 * attribute file or absolute, as the dataset stored it); then one column per attribute
 * with categorical values; an empty cell leaves that image without the attribute.
 * Refuses, naming the file and line, unknown or duplicate images, an empty or repeated
 * attribute name, and a column with more than 1,000 distinct values; nothing is stored
 * unless the whole file is good.
 */
export function importAttributes(db: Db, datasetName: string, file: string): AttributesImport {
  const datasetId = datasetIdByName(db, datasetName);
  if (datasetId === undefined) throw new UserError(`no dataset named '${datasetName}' (see pie-audit datasets list)`);
  refuseNonUtf8Text(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let records: CsvTextRecord[];
  try {
    records = parseCsvText(text);
  } catch (error) {
    throw new UserError(`${file}: not a valid CSV file (${(error as Error).message.split('\n')[0] ?? ''})`);
  }
  const [header, ...rows] = records;
  if (!header) throw new UserError(`${file}: empty file`);
  const [key, ...names] = header.fields.map((h) => h.trim());
  if (key !== 'image_index' && key !== 'image') throw new UserError(`${file}:1: the first column must be image_index or image, not '${key ?? ''}'`);
  if (names.length === 0) throw new UserError(`${file}:1: no attribute columns after ${key}`);
  names.forEach((name, i) => {
    if (name === '') throw new UserError(`${file}:1: column ${i + 2} has an empty attribute name`);
    if (names.indexOf(name) !== i) throw new UserError(`${file}:1: attribute '${name}' appears twice`);
  });
  const byIndex = key === 'image_index' ? testImageIds(db, datasetId) : null;
  const byPath = key === 'image' ? imageIdsByPath(db, datasetId) : null;
  const seen = new Map<number, number>();
  const distinct = names.map(() => new Set<string>());
  const out: AttributeRow[] = [];
  for (const { fields: record, line } of rows) {
    const where = `${file}:${line}`;
    const cell = (record[0] ?? '').trim();
    let imageId: number | undefined;
    if (byIndex) {
      if (!/^\d+$/.test(cell)) throw new UserError(`${where}: image_index '${cell}' is not a non-negative integer`);
      imageId = byIndex.get(Number(cell));
      if (imageId === undefined) throw new UserError(`${where}: image_index ${cell} is not an image of the test split of '${datasetName}' (${byIndex.size} images)`);
    } else if (byPath) {
      imageId = byPath.get(cell) ?? byPath.get(path.resolve(path.dirname(file), cell));
      if (imageId === undefined) throw new UserError(`${where}: image '${cell}' is not an image of dataset '${datasetName}'`);
    }
    if (imageId === undefined) continue;
    const earlier = seen.get(imageId);
    if (earlier !== undefined) throw new UserError(`${where}: image ${cell} already given on line ${earlier}`);
    seen.set(imageId, line);
    names.forEach((attribute, i) => {
      const value = (record[i + 1] ?? '').trim();
      if (value === '') return;
      const values = distinct[i] ?? new Set<string>();
      values.add(value);
      if (values.size > MAX_ATTRIBUTE_VALUES) throw new UserError(`${where}: attribute '${attribute}' has more than ${MAX_ATTRIBUTE_VALUES} distinct values; it must be categorical`);
      out.push({ imageId, attribute, value });
    });
  }
  replaceDatasetAttributes(db, datasetId, out);
  return { dataset: datasetName, images: seen.size, attributes: names.map((name, i) => ({ name, values: distinct[i]?.size ?? 0 })) };
}
