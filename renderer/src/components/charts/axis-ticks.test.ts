import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisTicks, BYTE_STEPS, COUNT_STEPS, ticksForHeight } from './axis-ticks';
import { compactBytes } from './chart-theme';

const labels = (min: number, max: number, steps: readonly number[], format: (v: number) => string, height = 110) =>
  axisTicks(min, max, ticksForHeight(height), steps).map(format);

describe('axisTicks', () => {
  it('labels an idle chart 0 and 1, never "1, 1, 0"', () => {
    // The live chart's y range when nothing moves: [0, max(1, max * 1.1)] = [0, 1].
    expect(labels(0, 1, BYTE_STEPS, compactBytes)).toEqual(['0', '1']);
    expect(labels(0, 1, COUNT_STEPS, String)).toEqual(['0', '1']);
  });

  it('gives round byte labels', () => {
    expect(labels(0, 1.1 * 3000, BYTE_STEPS, compactBytes)).toEqual(['0', '1K', '2K', '3K']);
    expect(labels(0, 1.1 * 20 * 1024 * 1024, BYTE_STEPS, compactBytes, 140)).toEqual(['0', '5M', '10M', '15M', '20M']);
    expect(labels(0, 1.1 * 1500, COUNT_STEPS, String)).toEqual(['0', '500', '1000', '1500']);
  });

  it('never repeats a label, at any rate and any chart height', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e13, noNaN: true }), fc.integer({ min: 40, max: 400 }), (max, height) => {
        for (const [steps, format] of [
          [BYTE_STEPS, compactBytes],
          [COUNT_STEPS, (v: number) => String(Math.round(v))],
        ] as const) {
          const ticks = axisTicks(0, max, ticksForHeight(height), steps);
          const shown = ticks.map(format);
          expect(new Set(shown).size, `${shown.join(', ')} for 0…${max}`).toBe(shown.length);
          expect(ticks.length).toBeGreaterThanOrEqual(1);
          expect(ticks.length).toBeLessThanOrEqual(ticksForHeight(height));
          for (const t of ticks) {
            expect(Number.isInteger(t)).toBe(true);
            expect(t).toBeLessThanOrEqual(max);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
