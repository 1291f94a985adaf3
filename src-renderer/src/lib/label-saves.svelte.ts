import { errorMessage, type LabelDto } from './api.ts';
import type { LabelDraft } from './label-editor.svelte.ts';

/** One label change waiting to be saved. */
export interface LabelSave {
  /** what the label belongs to besides the image: the experiment (audit) or the study */
  scope: number;
  /** who made the change (the annotator may be switched while saves wait) */
  annotator: string;
  imageIndex: number;
  draft: LabelDraft;
  /** performance.now() of each change this save carries (for the latency figures) */
  actions: number[];
}

export interface LabelSaveHooks {
  /** Saves one label; resolves once it is durable on the server, with what was stored. */
  send: (save: LabelSave) => Promise<{ label: LabelDto | null }>;
  /**
   * A save was acknowledged. `current`: no newer change to the same label is waiting,
   * so `label` (null: removed) is what the server now holds for it.
   */
  saved: (save: LabelSave, label: LabelDto | null, current: boolean) => void;
  /** The save error to show, or null once saves go through again. */
  status: (error: string | null) => void;
}

type LabelKey = Pick<LabelSave, 'scope' | 'annotator' | 'imageIndex'>;

/** The same label: scope, image and annotator. */
const same = (a: LabelKey, b: LabelKey): boolean => a.scope === b.scope && a.imageIndex === b.imageIndex && a.annotator === b.annotator;

/**
 * The label save queue of the audit (LabelsState) and of blind study labeling
 * (StudySession). Saves go out one at a time in the order the changes were made; a
 * later change to a label still waiting in line replaces the earlier one (it is never
 * merged into a save already in flight). A save is only dropped once the server has
 * acknowledged it: a failed one goes back to the head of the line (unless a newer
 * change to the same label is already waiting) and is retried every 2 s, or at once
 * with retryNow().
 */
export class LabelSaveQueue {
  #pending = $state(0);
  #lastSaved = $state<string | null>(null);
  #queue: LabelSave[] = [];
  #inFlight = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #hooks: LabelSaveHooks;

  constructor(hooks: LabelSaveHooks) {
    this.#hooks = hooks;
  }

  /** changes not yet acknowledged: waiting, plus the one in flight */
  get pending(): number {
    return this.#pending;
  }

  /** labeledAt of the last acknowledged save ('removed' for a removal) */
  get lastSaved(): string | null {
    return this.#lastSaved;
  }

  /** The saves waiting to go out, oldest first (newer than what the server has). */
  waiting(): readonly LabelSave[] {
    return this.#queue;
  }

  /** Queues a label change (`at`: when it was made, for the latency figures) and sends it. */
  add(change: Omit<LabelSave, 'actions'>, at?: number): void {
    const waiting = this.#queue.find((p) => same(p, change));
    if (waiting) {
      waiting.draft = change.draft;
      if (at !== undefined) waiting.actions.push(at);
    } else {
      this.#queue.push({ ...change, actions: at === undefined ? [] : [at] });
    }
    this.#pending = this.#queue.length + (this.#inFlight ? 1 : 0);
    void this.#pump();
  }

  retryNow(): void {
    void this.#pump();
  }

  /** Sends queued saves one at a time, oldest first. */
  async #pump(): Promise<void> {
    if (this.#inFlight) return;
    clearTimeout(this.#retryTimer);
    for (;;) {
      const next = this.#queue.shift();
      if (!next) break;
      this.#inFlight = true;
      this.#pending = this.#queue.length + 1;
      try {
        const result = await this.#hooks.send(next);
        this.#lastSaved = result.label?.labeledAt ?? 'removed';
        this.#hooks.saved(next, result.label, !this.#queue.some((p) => same(p, next)));
        this.#hooks.status(null);
      } catch (error) {
        // Keep it (unless a newer change to the same label is already waiting) and retry.
        if (!this.#queue.some((p) => same(p, next))) this.#queue.unshift(next);
        this.#hooks.status(`Not saved yet (will retry): ${errorMessage(error)}`);
        this.#inFlight = false;
        this.#pending = this.#queue.length;
        this.#retryTimer = setTimeout(() => void this.#pump(), 2000);
        return;
      } finally {
        this.#inFlight = false;
      }
      this.#pending = this.#queue.length;
    }
    this.#pending = this.#queue.length;
  }
}
