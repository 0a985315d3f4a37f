import { useEffect, useRef } from 'react';
import { rates } from '../../store/rates-store';
import { subscribeTheme } from '../../theme/theme-events';
import { COLORS } from './chart-theme';

const W = 90;
const H = 20;

/**
 * A client row's last minute of throughput (in and out) on a tiny canvas. It redraws itself from
 * the rates store; the row never re-renders for it. (Sixty points need no chart library: a few
 * lineTo calls, cheaper than a uPlot instance per visible row.)
 */
export function Sparkline({ seriesId }: { seriesId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = W * dpr;
    canvas.height = H * dpr;
    const draw = () => {
      const s = rates.get(seriesId);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, W, H);
      if (!s) return;
      let max = 1;
      for (let i = 0; i < s.in.length; i++) max = Math.max(max, s.in[i] as number, s.out[i] as number);
      for (const [values, color] of [
        [s.in, COLORS.in],
        [s.out, COLORS.out],
      ] as const) {
        ctx.beginPath();
        ctx.strokeStyle = color;
        ctx.lineWidth = 1;
        for (let i = 0; i < values.length; i++) {
          const x = (i / (values.length - 1)) * (W - 1);
          const y = H - 1 - ((values[i] as number) / max) * (H - 2);
          if (i === 0) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
        }
        ctx.stroke();
      }
    };
    draw();
    const offRates = rates.subscribe(draw);
    const offTheme = subscribeTheme(draw);
    return () => {
      offRates();
      offTheme();
    };
  }, [seriesId]);
  return <canvas ref={ref} className="sparkline" style={{ width: W, height: H }} aria-hidden="true" />;
}
