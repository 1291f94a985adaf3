import type { Db, ReadableDb } from '../db/database.js';
import { UserError } from '../errors.js';
import { classNames } from '../analysis/report.js';
import { experimentShift } from '../analysis/shift.js';
import { corruptImage, isCorruption } from '../corruptions/index.js';
import { encodePng } from '../images/render.js';
import { variantCleanTop1 } from '../sql/analysis-summary.js';
import { evalImagePredictions, experimentImagePixels, listEvalSets } from '../sql/eval-sets.js';
import type { ImageShiftDto, ShiftDto } from './contract/shift.js';

export function shiftTable(db: ReadableDb, experimentId: number): ShiftDto {
  return experimentShift(db, experimentId);
}

/**
 * One image under each evaluated corruption: the corrupted copy, made again from the
 * stored pixels (the same bytes the models saw, since corruptions are seeded per
 * image), and each population's vote histogram on it.
 */
export function imageShift(db: Db, experimentId: number, imageIndex: number): ImageShiftDto {
  const image = experimentImagePixels(db, experimentId, imageIndex);
  const sets = listEvalSets(db, experimentId).filter((s) => s.kind === 'corruption');
  if (sets.length > 0 && !image) throw new UserError(`image ${imageIndex} of experiment ${experimentId} has no stored pixels`);
  const classes = classNames(db, experimentId);
  const order = new Map(variantCleanTop1(db, experimentId).map(([v], i) => [v, i]));
  return {
    experimentId,
    imageIndex,
    classes,
    sets: sets.flatMap((set) => {
      const name = set.corruption ?? '';
      if (!image || !isCorruption(name) || set.severity === null) return [];
      const shape = { width: image.width, height: image.height, channels: image.channels };
      const pixels = corruptImage(image.pixels, shape, name, set.severity, imageIndex);
      const png = encodePng(pixels, image.width, image.height, image.channels === 3 ? 3 : 1).toString('base64');
      const byVariant = new Map<string, number[]>();
      for (const [variant, label] of evalImagePredictions(db, set.id, imageIndex)) {
        const votes = byVariant.get(variant) ?? new Array<number>(classes.length).fill(0);
        votes[label] = (votes[label] ?? 0) + 1;
        byVariant.set(variant, votes);
      }
      const populations = [...byVariant.entries()]
        .sort(([a], [b]) => (order.get(a) ?? 99) - (order.get(b) ?? 99))
        .map(([variant, votes]) => {
          // The modal label, ties to the larger label as the analysis.
          let modal = 0;
          votes.forEach((n, c) => {
            if (n >= (votes[modal] ?? 0)) modal = c;
          });
          return { variant, models: votes.reduce((a, b) => a + b, 0), votes, modal };
        });
      return [{ evalSet: set.name, corruption: name, severity: set.severity, png: `data:image/png;base64,${png}`, populations }];
    }),
  };
}
