import { ModelRows } from './model-rows.js';
import { RowProblem, type RowPlace } from './problems.js';
import type { RowStream } from './row-chunk.js';
import { quoteCell } from './values.js';

export type ModelMethod = 'dense' | 'magnitude' | 'fp16' | 'int8';

/** What a file says about one model, before its rows. */
export interface ModelDescription {
  variant: string;
  targetSparsity: number;
  seed: number;
  /** The models.source column: file name and the file's own model identifier. */
  source: string;
  /** How the model is named in messages, e.g. "model 'resnet-7'" or "the checkpoint of a.csv". */
  label: string;
}

export interface ImportedModel extends ModelDescription {
  method: ModelMethod;
  rows: ModelRows;
  /** Where the model was first seen. */
  firstPlace: RowPlace;
}

/** dense is the baseline; fp16 and int8 are the quantized variants; anything else is pruned. */
export function methodOf(variant: string): ModelMethod {
  return variant === 'dense' || variant === 'fp16' || variant === 'int8' ? variant : 'magnitude';
}

/**
 * The models of one import as they are read. Checks, as each model appears, what
 * the models table and the analysis rely on: (variant, seed) is unique, a variant has
 * one target sparsity, and dense models are unpruned.
 */
export class PopulationBuilder {
  readonly models: ImportedModel[] = [];
  private readonly byVariantSeed = new Map<string, ImportedModel>();
  private readonly firstOfVariant = new Map<string, ImportedModel>();

  /** `stream`: where each model and row also go as they are read, to be stored meanwhile. */
  constructor(private readonly stream?: RowStream) {}

  addModel(description: ModelDescription, place: RowPlace): ImportedModel {
    const { variant, targetSparsity, seed } = description;
    const method = methodOf(variant);
    if (variant === '') throw new RowProblem(place, `${description.label} has an empty variant`);
    if (method === 'dense' && targetSparsity !== 0) {
      throw new RowProblem(place, `variant 'dense' must have target_sparsity 0, not ${targetSparsity} (dense models are the unpruned baseline)`);
    }
    const sameVariant = this.firstOfVariant.get(variant);
    if (sameVariant && sameVariant.targetSparsity !== targetSparsity) {
      throw new RowProblem(
        place,
        `variant ${quoteCell(variant)} has target_sparsity ${targetSparsity} here but ${sameVariant.targetSparsity} for ${sameVariant.label} ({other})`,
        sameVariant.firstPlace,
      );
    }
    const key = JSON.stringify([variant, seed]);
    const clash = this.byVariantSeed.get(key);
    if (clash) {
      throw new RowProblem(
        place,
        `${description.label} has variant ${quoteCell(variant)} and seed ${seed}, like ${clash.label} ({other}); each (variant, seed) must name one model`,
        clash.firstPlace,
      );
    }
    const { stream } = this;
    const rows = stream ? new ModelRows({ rows: stream, model: stream.startModel({ variant, method, targetSparsity, seed, source: description.source }) }) : new ModelRows();
    const model: ImportedModel = { ...description, method, rows, firstPlace: place };
    this.models.push(model);
    this.byVariantSeed.set(key, model);
    if (!sameVariant) this.firstOfVariant.set(variant, model);
    return model;
  }

  /** How many models of this variant have been added so far. */
  countOfVariant(variant: string): number {
    let count = 0;
    for (const model of this.models) if (model.variant === variant) count++;
    return count;
  }
}
