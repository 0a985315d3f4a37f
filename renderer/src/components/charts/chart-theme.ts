import type uPlot from 'uplot';
import { cssColor } from '../../theme/theme-events';
import { axisTicks, BYTE_STEPS, COUNT_STEPS, ticksForHeight } from './axis-ticks';

/**
 * The theme's palette (styles.css, styles/theme.css), read when drawn: canvas strokes can't use
 * CSS variables, and the theme can change under a chart (see theme-events.ts).
 */
export const COLORS = {
  get in() {
    return cssColor('--in', '#5cc8ff');
  },
  get out() {
    return cssColor('--out', '#f5a524');
  },
  get accepts() {
    return cssColor('--ok', '#4cd07d');
  },
  get open() {
    return cssColor('--chart-open', '#c792ea');
  },
  get axis() {
    return cssColor('--muted', '#8d9caa');
  },
  get grid() {
    return cssColor('--border', '#2a3540');
  },
};
export type ChartColor = keyof typeof COLORS;

/** Axis labels must be short: `950`, `19.5K`, `1.2M`, `2.4G` (bytes per second, 1024-based). */
export function compactBytes(v: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  // `1K`, not `1.0K`: a whole number of units needs no decimal.
  return `${x >= 100 || i === 0 ? Math.round(x) : Number(x.toFixed(1))}${units[i]}`;
}

/** x: seconds before the newest sample (`-30s`, `now`); y: the given formatter. */
export function axes(format: (v: number) => string, integers = false): uPlot.Axis[] {
  const font = '11px system-ui, sans-serif';
  return [
    {
      stroke: () => COLORS.axis,
      grid: { stroke: () => COLORS.grid, width: 1 },
      ticks: { stroke: () => COLORS.grid },
      font,
      space: 45,
      incrs: [5, 10, 15, 20, 30, 60],
      values: (u, vals) => {
        const head = (u.data[0] as ArrayLike<number>)[(u.data[0] as ArrayLike<number>).length - 1] ?? 0;
        return vals.map((v) => (Math.round(head - v) === 0 ? 'now' : `-${Math.round(head - v)}s`));
      },
    },
    {
      stroke: () => COLORS.axis,
      grid: { stroke: () => COLORS.grid, width: 1 },
      ticks: { stroke: () => COLORS.grid },
      font,
      size: 48,
      // Whole-number ticks only (axis-ticks.ts): an idle chart reads 0 and 1, not "1, 1, 0".
      splits: (u, _axis, min, max) => axisTicks(min, max, ticksForHeight(u.bbox.height / (globalThis.devicePixelRatio || 1)), integers ? COUNT_STEPS : BYTE_STEPS),
      values: (_u, vals) => vals.map(format),
    },
  ];
}
