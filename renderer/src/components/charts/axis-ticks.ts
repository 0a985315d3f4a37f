/**
 * Where a chart's value axis puts its ticks. Throughput and counts are whole numbers, so every tick
 * is one: left to itself uPlot split an idle chart's 0…1 range into 0.2 steps, which the byte
 * formatter rounded to the labels `0, 0, 0, 1, 1, 1` (read top down as "1, 1, 0"). Byte steps
 * grow by 1024 past 1 KiB so that their labels read `1K, 2K, 5K`, not `1000 → 1.0K`.
 */

function steps(multiplier: number): number[] {
  const out = [1, 2, 5, 10, 20, 50, 100, 200, 500];
  for (let scale = multiplier; scale < 1e15; scale *= multiplier) {
    for (const m of [1, 2, 5, 10, 20, 50, 100, 200, 500]) if (m * scale > (out.at(-1) as number)) out.push(m * scale);
  }
  return out;
}

export const COUNT_STEPS: readonly number[] = steps(1000);
export const BYTE_STEPS: readonly number[] = steps(1024);

/** Ticks from `min` to `max`, at most `maxTicks` of them, at the smallest step that allows it. */
export function axisTicks(min: number, max: number, maxTicks: number, stepList: readonly number[]): number[] {
  const lo = Math.max(0, Math.ceil(min));
  const hi = Math.floor(max);
  if (!(hi >= lo)) return [lo];
  const limit = Math.max(2, Math.floor(maxTicks));
  const step = stepList.find((s) => Math.floor(hi / s) - Math.ceil(lo / s) + 1 <= limit) ?? (stepList.at(-1) as number);
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi && ticks.length < limit; v += step) ticks.push(v);
  return ticks;
}

/** About one tick per 25 CSS pixels of plot height. */
export const ticksForHeight = (cssPixels: number) => Math.max(2, Math.floor(cssPixels / 25));
