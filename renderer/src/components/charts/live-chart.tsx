import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { rates } from '../../store/rates-store';
import { useThemeVersion } from '../../theme/theme-events';
import { COLORS, type ChartColor } from './chart-theme';

export interface LiveSeries {
  label: string;
  /** A palette name, resolved in the current theme when the chart is drawn. */
  color: ChartColor;
  /** Reads this series' values from the rates store (null: no data yet, all zeros). */
  values(): ArrayLike<number> | null;
  bars?: boolean;
}

const zeros = (n: number) => new Array<number>(n).fill(0);

/**
 * One uPlot canvas fed straight from the rates store: it subscribes once and calls setData (at
 * most once per animation frame, once a second in practice); React never re-renders it for new
 * data. While `paused`, the picture stays as it was and the data keeps accumulating.
 */
export function LiveChart({
  series,
  axes,
  height = 140,
  paused,
  label,
}: {
  series: LiveSeries[];
  axes: uPlot.Axis[];
  height?: number;
  paused: boolean;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const pausedRef = useRef(paused);
  const seriesRef = useRef(series);
  const chartRef = useRef<uPlot | null>(null);
  // A new theme builds the chart again: uPlot takes series and legend colours once.
  const themeVersion = useThemeVersion();

  useEffect(() => {
    seriesRef.current = series;
  });

  useEffect(() => {
    pausedRef.current = paused;
    if (!paused) chartRef.current?.setData(data(seriesRef.current));
  }, [paused]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const initial = seriesRef.current;
    const chart = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes,
        series: [
          {},
          ...initial.map((s) => ({
            label: s.label,
            stroke: COLORS[s.color],
            width: 1.5,
            fill: `${COLORS[s.color]}22`,
            points: { show: false },
            ...(s.bars ? { paths: uPlot.paths.bars?.({ size: [0.6, 8] }) } : {}),
          })),
        ],
      },
      data(initial),
      el,
    );
    chartRef.current = chart;
    const unsubscribe = rates.subscribe(() => {
      if (!pausedRef.current) chart.setData(data(seriesRef.current));
    });
    const resize = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== chart.width) chart.setSize({ width: w, height });
    });
    resize.observe(el);
    return () => {
      unsubscribe();
      resize.disconnect();
      chart.destroy();
      chartRef.current = null;
    };
    // Series identity and axes are fixed per chart instance; callers key the chart by what it shows.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height, themeVersion]);

  return <div ref={ref} className="live-chart" role="img" aria-label={label} />;
}

function data(series: LiveSeries[]): uPlot.AlignedData {
  const x = rates.times();
  return [x, ...series.map((s) => {
    const v = s.values();
    return v ? Array.from(v) : zeros(x.length);
  })];
}
