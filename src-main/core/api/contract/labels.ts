/** The labels namespace: the label schema, the annotator, and the audit's labels. */
import { z } from 'zod';
import { AnnotatorName, CategoryName, MAX_NOTE_LENGTH, Empty, ExperimentId } from './common.js';

export const LabelCategorySchema = z.object({
  name: z.string(),
  description: z.string(),
  key: z.string().nullable(),
  position: z.number(),
});

export const LabelSchema = z.object({
  imageIndex: z.number().int(),
  /** category names in schema order, or ['none'] for a typical, clean image */
  categories: z.array(z.string()),
  note: z.string(),
  labeledAt: z.string(),
});

export const labelsMethods = {
  'schema.get': {
    request: Empty,
    response: z.array(LabelCategorySchema),
  },
  'annotator.get': {
    request: Empty,
    response: z.object({ name: z.string(), osUser: z.string() }),
  },
  'annotator.set': {
    request: z.object({ name: AnnotatorName }).strict(),
    response: z.object({ name: z.string(), osUser: z.string() }),
  },
  'labels.list': {
    request: z.object({ experimentId: ExperimentId, annotator: AnnotatorName.optional() }).strict(),
    response: z.object({ annotator: z.string(), images: z.number().int(), labels: z.array(LabelSchema) }),
  },
  'labels.get': {
    request: z.object({ experimentId: ExperimentId, imageIndex: z.number().int().min(0), annotator: AnnotatorName.optional() }).strict(),
    response: z.object({ annotator: z.string(), label: LabelSchema.nullable() }),
  },
  'labels.set': {
    request: z
      .object({
        experimentId: ExperimentId,
        imageIndex: z.number().int().min(0),
        categories: z.array(CategoryName).max(50),
        /** [] removes the label; ['none'] marks a typical, clean image. note: left as stored when absent */
        note: z.string().max(MAX_NOTE_LENGTH).optional(),
        annotator: AnnotatorName.optional(),
      })
      .strict(),
    /** label null: the image has no label (no category, no note) */
    response: z.object({ annotator: z.string(), label: LabelSchema.nullable(), labeled: z.number().int() }),
  },
} as const;

export type LabelCategoryDto = z.output<typeof LabelCategorySchema>;
export type LabelDto = z.output<typeof LabelSchema>;
