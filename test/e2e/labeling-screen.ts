/**
 * What the labeling screens (the audit and a study's labeling) show, read from the page:
 * the image on screen, the categories pressed, and whether every label has been saved.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface LabelingScreen {
  /** The image index the audit shows. */
  currentImage(): Promise<number>;
  /** The categories pressed for the image shown, in the schema's order. */
  pressed(): Promise<string[]>;
  /** Waits until no label waits to be saved. */
  waitSaved(): Promise<void>;
}

/** `page` is a getter: the test's page is opened in beforeAll, after the module made this. */
export function labelingScreen(page: () => Page, saveTimeout = 10_000): LabelingScreen {
  return {
    currentImage: async () => Number(await page().getByTestId('audit-image-index').textContent()),
    pressed: () => page().locator('[data-category][aria-pressed="true"]').evaluateAll((b) => b.map((x) => x.getAttribute('data-category') ?? '')),
    waitSaved: () => expect.poll(() => page().getByTestId('save-status').getAttribute('data-pending'), { timeout: saveTimeout }).toBe('0'),
  };
}
