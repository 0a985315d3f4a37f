import type uPlot from 'uplot';

/** The app's palette (styles.css): canvas strokes can't read CSS variables. */
export const COLORS = { in: '#5cc8ff', out: '#f5a524', accepts: '#4cd07d', open: '#c792ea', axis: '#8695a3', grid: '#2a3540' } as const;

/** Axis labels must be short: `950`, `19.5K`, `1.2M`, `2.4G` (bytes per second, 1024-based). */
export function compactBytes(v: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x >= 100 || i === 0 ? Math.round(x) : x.toFixed(1)}${units[i]}`;
}

/** x: seconds before the newest sample (`-30s`, `now`); y: the given formatter. */
export function axes(format: (v: number) => string, integers = false): uPlot.Axis[] {
  const font = '11px system-ui, sans-serif';
  return [
    {
      stroke: COLORS.axis,
      grid: { stroke: COLORS.grid, width: 1 },
      ticks: { stroke: COLORS.grid },
      font,
      space: 45,
      incrs: [5, 10, 15, 20, 30, 60],
      values: (u, vals) => {
        const head = (u.data[0] as ArrayLike<number>)[(u.data[0] as ArrayLike<number>).length - 1] ?? 0;
        return vals.map((v) => (Math.round(head - v) === 0 ? 'now' : `-${Math.round(head - v)}s`));
      },
    },
    {
      stroke: COLORS.axis,
      grid: { stroke: COLORS.grid, width: 1 },
      ticks: { stroke: COLORS.grid },
      font,
      size: 48,
      ...(integers ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000] } : {}),
      values: (_u, vals) => vals.map(format),
    },
  ];
}
