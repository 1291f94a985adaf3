import { call, errorMessage, type AppInfo } from './api.ts';

/** Version, database and carrier, from app.info (loaded once). */
export class AppInfoState {
  #info = $state.raw<AppInfo | null>(null);
  #error = $state<string | null>(null);

  get info(): AppInfo | null {
    return this.#info;
  }

  get error(): string | null {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      this.#info = await call('app.info', {});
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }
}
