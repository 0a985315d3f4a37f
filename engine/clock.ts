/** Injected time source, so protocol code can be tested without real time where that matters. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
