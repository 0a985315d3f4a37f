/**
 * Step mode for one script run: while it is on, the run waits before each step until told to run
 * that one step (`step`) or to go on to the end (`continue`). A run starts in either mode, and a
 * `step` while it runs pauses it after the step in progress.
 */
export type GateOutcome = 'go' | 'stopped' | 'timeout';

export class StepGate {
  private pauseNext: boolean;
  private release: ((outcome: GateOutcome) => void) | null = null;

  constructor(stepping: boolean) {
    this.pauseNext = stepping;
  }

  get paused(): boolean {
    return this.release !== null;
  }

  /** Run the next step, then pause before the one after it. */
  step(): void {
    this.pauseNext = true;
    this.open('go');
  }

  /** Run on without pausing. */
  continue(): void {
    this.pauseNext = false;
    this.open('go');
  }

  /**
   * Awaited before each step: `go` at once unless a pause is due; otherwise calls `onPause` and
   * waits for `step`/`continue` (`go`), the signal (`stopped`) or `maxMs` (`timeout`).
   */
  before(signal: AbortSignal, maxMs: number, onPause: () => void): Promise<GateOutcome> {
    if (signal.aborted) return Promise.resolve('stopped');
    if (!this.pauseNext) return Promise.resolve('go');
    return new Promise<GateOutcome>((resolve) => {
      const finish = (outcome: GateOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.release = null;
        resolve(outcome);
      };
      const onAbort = () => finish('stopped');
      // A forgotten paused run must not keep the process alive (the CLI never pauses).
      const timer = setTimeout(() => finish('timeout'), maxMs);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      this.release = finish;
      onPause();
    });
  }

  private open(outcome: GateOutcome): void {
    this.release?.(outcome);
  }
}
