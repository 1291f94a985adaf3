/**
 * Chart.js, with only the parts the results screen draws registered (keeps the bundle
 * small). Chart.js draws on a canvas and evaluates no code, so it runs under the
 * strict CSP. Colours come from the page's CSS variables, so charts follow the theme.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LogarithmicScale,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip);

export { Chart };

export function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** #rrggbb with an alpha, for fills. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m || !m[1]) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function baseOptions(): { color: string; borderColor: string; font: { family: string; size: number } } {
  return {
    color: cssColor('--muted', '#5b6573'),
    borderColor: cssColor('--border', '#dde1e6'),
    font: { family: getComputedStyle(document.body).fontFamily, size: 11 },
  };
}
