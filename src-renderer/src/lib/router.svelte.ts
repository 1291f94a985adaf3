/**
 * Hash navigation between the screens: #/runs, #/results/<experiment>,
 * #/grid/<experiment>, #/image/<experiment>/<image>, #/audit/<experiment>[/<image>],
 * #/export/<experiment>, #/study, #/study/<study>/label[/<position>],
 * #/study/<study>/results. The hash survives a reload, so a reload reopens the same
 * screen (and, in the audit, the same image).
 */
export type Screen = 'runs' | 'results' | 'grid' | 'image' | 'audit' | 'export' | 'study';
export type StudyView = 'label' | 'results';

export interface Route {
  screen: Screen;
  experimentId: number | null;
  imageIndex: number | null;
  /** the study screen: which study, which view, and (labeling) the position shown */
  studyId?: number | null;
  studyView?: StudyView | null;
  position?: number | null;
}

const SCREENS: readonly Screen[] = ['runs', 'results', 'grid', 'image', 'audit', 'export', 'study'];

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const screen = SCREENS.includes(parts[0] as Screen) ? (parts[0] as Screen) : 'runs';
  const number = (text: string | undefined): number | null => (text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null);
  if (screen === 'study') {
    const studyId = number(parts[1]);
    const studyView = studyId !== null && (parts[2] === 'label' || parts[2] === 'results') ? parts[2] : null;
    return { screen, experimentId: null, imageIndex: null, studyId, studyView, position: studyView === 'label' ? number(parts[3]) : null };
  }
  return { screen, experimentId: number(parts[1]), imageIndex: number(parts[2]) };
}

export function routeHash(route: Partial<Route> & { screen: Screen }): string {
  if (route.screen === 'study') {
    if (route.studyId == null || !route.studyView) return '#/study';
    return `#/study/${route.studyId}/${route.studyView}${route.studyView === 'label' && route.position != null ? `/${route.position}` : ''}`;
  }
  let hash = `#/${route.screen}`;
  if (route.experimentId != null) {
    hash += `/${route.experimentId}`;
    if (route.imageIndex != null) hash += `/${route.imageIndex}`;
  }
  return hash;
}

/** The route in the address; changed only by go(), replace() and the browser's own navigation. */
export class Router {
  #route = $state<Route>(parseHash(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#route = parseHash(location.hash);
    });
  }

  get route(): Route {
    return this.#route;
  }

  go(route: Partial<Route> & { screen: Screen }): void {
    const hash = routeHash(route);
    if (location.hash !== hash) location.hash = hash;
    else this.#route = parseHash(hash);
  }

  /** Changes the address without a history entry (stepping through the audit). */
  replace(route: Partial<Route> & { screen: Screen }): void {
    const hash = routeHash(route);
    if (location.hash === hash) return;
    history.replaceState(history.state, '', hash);
    this.#route = parseHash(hash);
  }
}
