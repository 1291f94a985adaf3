/**
 * The router's hash parsing and writing, and the Router's route as the address changes
 * (a DOM from happy-dom: location, history, hashchange).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Router, parseHash, routeHash, type Route } from '../../src-renderer/src/lib/router.svelte.ts';

describe('parseHash', () => {
  it('reads every screen with its experiment and image', () => {
    expect(parseHash('#/runs')).toEqual({ screen: 'runs', experimentId: null, imageIndex: null });
    expect(parseHash('#/results/3')).toEqual({ screen: 'results', experimentId: 3, imageIndex: null });
    expect(parseHash('#/grid/12')).toEqual({ screen: 'grid', experimentId: 12, imageIndex: null });
    expect(parseHash('#/image/2/9999')).toEqual({ screen: 'image', experimentId: 2, imageIndex: 9999 });
    expect(parseHash('#/audit/2/0')).toEqual({ screen: 'audit', experimentId: 2, imageIndex: 0 });
    expect(parseHash('#/export/7')).toEqual({ screen: 'export', experimentId: 7, imageIndex: null });
  });

  it('reads the study views, with the labeling position only in the labeling view', () => {
    const none = { screen: 'study', experimentId: null, imageIndex: null };
    expect(parseHash('#/study')).toEqual({ ...none, studyId: null, studyView: null, position: null });
    expect(parseHash('#/study/4/label')).toEqual({ ...none, studyId: 4, studyView: 'label', position: null });
    expect(parseHash('#/study/4/label/17')).toEqual({ ...none, studyId: 4, studyView: 'label', position: 17 });
    expect(parseHash('#/study/4/results/17')).toEqual({ ...none, studyId: 4, studyView: 'results', position: null });
    expect(parseHash('#/study/4/edit')).toEqual({ ...none, studyId: 4, studyView: null, position: null });
    expect(parseHash('#/study/x/label')).toEqual({ ...none, studyId: null, studyView: null, position: null });
  });

  it('falls back to the runs screen, and ignores numbers that are not plain non-negative integers', () => {
    expect(parseHash('')).toEqual({ screen: 'runs', experimentId: null, imageIndex: null });
    expect(parseHash('#')).toEqual({ screen: 'runs', experimentId: null, imageIndex: null });
    expect(parseHash('#/nowhere/3')).toEqual({ screen: 'runs', experimentId: 3, imageIndex: null });
    expect(parseHash('#/results/-1').experimentId).toBeNull();
    expect(parseHash('#/results/1.5').experimentId).toBeNull();
    expect(parseHash('#/results/1e3').experimentId).toBeNull();
    expect(parseHash('#/results/1234567890').experimentId).toBeNull(); // more than 9 digits
    expect(parseHash('#/image/2/abc')).toEqual({ screen: 'image', experimentId: 2, imageIndex: null });
    expect(parseHash('results/5')).toEqual({ screen: 'results', experimentId: 5, imageIndex: null });
    expect(parseHash('#//audit//3//8')).toEqual({ screen: 'audit', experimentId: 3, imageIndex: 8 });
  });
});

describe('routeHash', () => {
  it('writes what parseHash reads back', () => {
    const routes: Route[] = [
      { screen: 'runs', experimentId: null, imageIndex: null },
      { screen: 'results', experimentId: 3, imageIndex: null },
      { screen: 'audit', experimentId: 2, imageIndex: 41 },
      { screen: 'study', experimentId: null, imageIndex: null, studyId: 5, studyView: 'label', position: 0 },
      { screen: 'study', experimentId: null, imageIndex: null, studyId: 5, studyView: 'results', position: null },
    ];
    for (const route of routes) expect(parseHash(routeHash(route))).toEqual(route);
  });

  it('leaves out what the screen does not carry', () => {
    expect(routeHash({ screen: 'grid', experimentId: null, imageIndex: 4 })).toBe('#/grid');
    expect(routeHash({ screen: 'study', studyId: 5 })).toBe('#/study');
    expect(routeHash({ screen: 'study', studyId: 5, studyView: 'results', position: 3 })).toBe('#/study/5/results');
    expect(routeHash({ screen: 'study', studyId: 5, studyView: 'label', position: 3 })).toBe('#/study/5/label/3');
  });
});

describe('Router', () => {
  afterEach(() => {
    history.replaceState(null, '', '#');
  });

  const nextHashChange = (): Promise<unknown> => new Promise((resolve) => window.addEventListener('hashchange', resolve, { once: true }));

  it('starts at the address, follows go() with a history entry and replace() without one', async () => {
    history.replaceState(null, '', '#/grid/2');
    const router = new Router();
    expect(router.route).toEqual({ screen: 'grid', experimentId: 2, imageIndex: null });
    const entries = history.length;

    const changed = nextHashChange();
    router.go({ screen: 'audit', experimentId: 2, imageIndex: 5 });
    await changed;
    expect(location.hash).toBe('#/audit/2/5');
    expect(router.route).toEqual({ screen: 'audit', experimentId: 2, imageIndex: 5 });
    expect(history.length).toBe(entries + 1);

    router.replace({ screen: 'audit', experimentId: 2, imageIndex: 6 });
    expect(location.hash).toBe('#/audit/2/6');
    expect(router.route.imageIndex).toBe(6);
    expect(history.length).toBe(entries + 1);

    // go() to the address already shown: no navigation, the same route
    router.go({ screen: 'audit', experimentId: 2, imageIndex: 6 });
    expect(router.route.imageIndex).toBe(6);
    expect(history.length).toBe(entries + 1);
  });

  it("follows the browser's own navigation (hashchange)", async () => {
    history.replaceState(null, '', '#/runs');
    const router = new Router();
    const changed = nextHashChange();
    location.hash = '#/study/3/label/2';
    await changed;
    expect(router.route).toMatchObject({ screen: 'study', studyId: 3, studyView: 'label', position: 2 });
  });
});
