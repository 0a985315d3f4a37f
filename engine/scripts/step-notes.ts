/**
 * A script run's steps in the socket-call timeline of the connection it runs over:
 * `script: expect contains "220"` → `passed: matched … after 3 ms`. The timeline's own caps bound
 * what it keeps; on top, a tight `repeat` is not listed step by step: past
 * {@link LISTED_STEPS_PER_SECOND} passed steps in a second the rest are counted into one summary
 * line (failures and stops are always listed: they are what a person looks for).
 */
export const LISTED_STEPS_PER_SECOND = 10;
/** A result in the timeline is a short line; the step's full detail is in the script panel. */
export const NOTE_RESULT_CHARS = 160;
const WINDOW_MS = 1000;

export type NoteWriter = (call: string, result: string, ok: boolean) => void;
export type StepStatus = 'passed' | 'failed' | 'stopped';

const n = (x: number) => x.toLocaleString('en-US');

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export class StepNotes {
  private windowStart = -Infinity;
  private listed = 0;
  private counted = 0;

  constructor(
    private readonly write: NoteWriter,
    private readonly now: () => number,
  ) {}

  /** One step's result; `label` says which step (`expect contains "220"`). */
  step(label: string, status: StepStatus, detail: string): void {
    const t = this.now();
    if (t - this.windowStart >= WINDOW_MS) {
      this.flush();
      this.windowStart = t;
    }
    if (status === 'passed' && this.listed >= LISTED_STEPS_PER_SECOND) {
      this.counted++;
      return;
    }
    if (status === 'passed') this.listed++;
    this.write(`script: ${label}`, shorten(`${status}: ${detail}`, NOTE_RESULT_CHARS), status === 'passed');
  }

  /** The run ended: the last summary, then how it ended. */
  finish(outcome: string, detail: string): void {
    this.flush();
    this.write('script: ended', shorten(`${outcome}: ${detail}`, NOTE_RESULT_CHARS), outcome === 'passed');
  }

  private flush(): void {
    if (this.counted > 0) {
      const more = this.counted;
      this.write(`script: × ${n(more)} steps`, `${n(more)} more step${more === 1 ? '' : 's'} passed within a second, not listed one by one`, true);
    }
    this.counted = 0;
    this.listed = 0;
  }
}
