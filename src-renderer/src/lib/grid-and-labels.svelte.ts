import { untrack } from 'svelte';
import type { ExperimentsState } from './experiments.svelte.ts';
import type { GridState } from './grid.svelte.ts';
import type { LabelsState } from './labels.svelte.ts';

/**
 * Keeps the grid and the labels of the experiment on screen loaded, for a component that
 * shows both (the PIE grid and the audit): again when the experiment, its number of finished
 * models or the annotator changes. Call it while the component initialises, with a function
 * that reads its props (so the effect follows them).
 */
export function keepGridAndLabelsLoaded(screen: () => { experimentId: number | null; experiments: ExperimentsState; grid: GridState; labels: LabelsState }): void {
  $effect(() => {
    const { experimentId: id, experiments, grid, labels } = screen();
    if (id === null) return;
    const done = experiments.byId(id)?.models.done ?? 0;
    void labels.annotator.name; // another annotator: their labels
    untrack(() => {
      void grid.ensure(id, done);
      void labels.ensure(id);
    });
  });
}
