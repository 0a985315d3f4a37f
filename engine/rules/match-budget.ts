/**
 * How much of the event loop regex matching may take, engine-wide. RE2 (re2js) matches in linear
 * time, so no pattern can hang the engine, but linear in a pure-JS engine is still about 1 MB/s on
 * the worst patterns: a flood of frames against `(a+)+$` from many clients could otherwise keep the
 * loop busy for seconds. Each window of WINDOW_MS allows SHARE of it for matching; once spent, TCP
 * rules wait for the next window (their reading stays paused: flow control, no loss) and UDP rules
 * leave the datagram unanswered (counted), so commands and other sockets keep their turns.
 */
export const MATCH_WINDOW_MS = 1000;
export const MATCH_SHARE = 0.25;

export class MatchBudget {
  private windowStart = 0;
  private spent = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly allowanceMs = MATCH_WINDOW_MS * MATCH_SHARE,
  ) {}

  /** 0 when matching may run now, else how long until the next window. */
  waitMs(): number {
    const t = this.now();
    if (t - this.windowStart >= MATCH_WINDOW_MS) {
      this.windowStart = t;
      this.spent = 0;
    }
    return this.spent < this.allowanceMs ? 0 : Math.max(1, Math.ceil(this.windowStart + MATCH_WINDOW_MS - t));
  }

  /** Runs one match and charges its time. */
  run<T>(match: () => T): T {
    const start = this.now();
    try {
      return match();
    } finally {
      this.spent += this.now() - start;
    }
  }
}

/** One budget for the whole process: every listener and UDP endpoint shares the same event loop. */
export const engineMatchBudget = new MatchBudget();
