import { z } from 'zod';
import { Id } from './primitives';

/** Samples per series: one a second, the last minute. */
export const RATE_HISTORY_SECONDS = 60;

const Samples = z.array(z.number()).max(RATE_HISTORY_SECONDS);

/**
 * One second of one series (a conversation, a listener, a UDP endpoint). Series without a sample
 * in a `rates:sampled` event were idle that second: 0 bytes, no accepts.
 */
export const RateSample = z.strictObject({
  id: Id,
  in: z.number(),
  out: z.number(),
  /** Listeners: connections accepted during that second, and clients open at its end. */
  accepts: z.number().optional(),
  open: z.number().optional(),
});
export type RateSample = z.infer<typeof RateSample>;

/** A series' last minute; its newest sample was taken at `ts`, the others one second apart before it. */
export const RateSeries = z.strictObject({
  id: Id,
  ts: z.number(),
  in: Samples,
  out: Samples,
  accepts: Samples.optional(),
  open: Samples.optional(),
});
export type RateSeries = z.infer<typeof RateSeries>;

/** In a snapshot: every live series that was not idle for the whole minute, and the app's total. */
export const RatesSnapshot = z.strictObject({
  ts: z.number().nullable(),
  total: z.strictObject({ in: Samples, out: Samples }),
  series: z.array(RateSeries),
});
export type RatesSnapshot = z.infer<typeof RatesSnapshot>;
