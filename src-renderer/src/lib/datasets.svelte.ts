import { call, errorMessage, type ApiEvent, type DatasetSummaryDto } from './api.ts';
import { FoldedReload } from './folded-reload.ts';

export interface DownloadProgress {
  file: string;
  received: number;
  total?: number;
}

/** The dataset list and the one-click Fashion-MNIST import. */
export class DatasetsState {
  #items = $state.raw<DatasetSummaryDto[]>([]);
  #loaded = $state(false);
  #loadError = $state<string | null>(null);
  #adding = $state(false);
  #addError = $state<string | null>(null);
  #progress = $state.raw<DownloadProgress | null>(null);
  #hasFashionMnist = $derived(this.#items.some((d) => d.kind === 'fashion-mnist'));

  get items(): DatasetSummaryDto[] {
    return this.#items;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get loadError(): string | null {
    return this.#loadError;
  }

  /** The Fashion-MNIST download and import is under way. */
  get adding(): boolean {
    return this.#adding;
  }

  get addError(): string | null {
    return this.#addError;
  }

  /** The download's progress while adding (null before the first byte and after). */
  get progress(): DownloadProgress | null {
    return this.#progress;
  }

  get hasFashionMnist(): boolean {
    return this.#hasFashionMnist;
  }

  #reload = new FoldedReload(
    async () => {
      try {
        this.#items = await call('datasets.list', {});
        this.#loadError = null;
      } catch (error) {
        this.#loadError = errorMessage(error);
      }
    },
    () => (this.#loaded = true),
  );

  /** Reloads the list; calls that arrive during a reload are folded into one more. */
  refresh(): Promise<void> {
    return this.#reload.run();
  }

  async addFashionMnist(): Promise<void> {
    if (this.#adding) return;
    this.#adding = true;
    this.#addError = null;
    this.#progress = null;
    try {
      await call('datasets.addKnown', { kind: 'fashion-mnist' });
      await this.refresh();
    } catch (error) {
      this.#addError = errorMessage(error);
    } finally {
      this.#adding = false;
      this.#progress = null;
    }
  }

  dismissAddError(): void {
    this.#addError = null;
  }

  handleEvent(event: ApiEvent): void {
    if (event.type === 'datasets.changed') void this.refresh();
    else if (event.type === 'download.progress' && this.#adding) {
      this.#progress = { file: event.file, received: event.received, total: event.total };
    }
  }
}
