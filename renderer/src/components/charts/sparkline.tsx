import { useEffect, useRef } from 'react';
import { rates } from '../../store/rates-store';

const W = 90;
const H = 20;

/** The `points` of a polyline through `values`, scaled to the sparkline's box (`max` at the top). */
function points(values: ArrayLike<number>, max: number): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const x = (i / Math.max(1, values.length - 1)) * (W - 1);
    const y = H - 1 - ((values[i] as number) / max) * (H - 2);
    out += `${i === 0 ? '' : ' '}${Math.round(x * 10) / 10},${Math.round(y * 10) / 10}`;
  }
  return out;
}

/**
 * A client row's last minute of throughput (in and out): two SVG polylines it rewrites itself from
 * the rates store; the row never re-renders for it. SVG, not a canvas: Chromium gives every canvas
 * a compositing layer of its own, and fifteen row canvases (with the sticky header cells they made
 * layers too) doubled the page's layerization cost on every traffic frame (docs/benchmarks.md).
 * Colours come from the theme's CSS variables, so a theme switch needs no redraw.
 */
export function Sparkline({ seriesId }: { seriesId: string }) {
  const inRef = useRef<SVGPolylineElement>(null);
  const outRef = useRef<SVGPolylineElement>(null);
  useEffect(() => {
    const draw = () => {
      const s = rates.get(seriesId);
      const lineIn = inRef.current;
      const lineOut = outRef.current;
      if (!lineIn || !lineOut) return;
      if (!s) {
        lineIn.setAttribute('points', '');
        lineOut.setAttribute('points', '');
        return;
      }
      let max = 1;
      for (let i = 0; i < s.in.length; i++) max = Math.max(max, s.in[i] as number, s.out[i] as number);
      lineIn.setAttribute('points', points(s.in, max));
      lineOut.setAttribute('points', points(s.out, max));
    };
    draw();
    return rates.subscribe(draw);
  }, [seriesId]);
  return (
    <svg className="sparkline" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
      <polyline ref={inRef} className="spark-in" />
      <polyline ref={outRef} className="spark-out" />
    </svg>
  );
}
