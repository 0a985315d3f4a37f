/** What every command shares: output lines, usage errors (exit 2), and Ctrl-C closing everything. */
import type { CliEngine } from './engine-port';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in the command line or an input file: printed to stderr, exit status 2. */
export class UsageError extends Error {}

export const out = (line: string) => process.stdout.write(`${line}\n`);
export const err = (line: string) => process.stderr.write(`${line}\n`);

/** Lines `errOnce` printed (bounded): an endpoint's error is seen both in its event and in a command's answer. */
const printedErrors = new Set<string>();

/** Prints an error line unless the same line was printed already. */
export function errOnce(line: string): void {
  if (printedErrors.has(line)) return;
  if (printedErrors.size < 1000) printedErrors.add(line);
  err(line);
}

/**
 * Resolves with 0 once SIGINT (Ctrl-C) or SIGTERM arrived and every socket is closed; `onStop` runs
 * first (a generator's last summary). A second Ctrl-C while closing exits at once.
 */
export function untilInterrupted(engine: CliEngine, onStop?: () => Promise<void> | void): { done: Promise<number>; stop: () => void } {
  let stopping = false;
  let resolve: (code: number) => void = () => undefined;
  const done = new Promise<number>((r) => (resolve = r));
  const stop = () => {
    if (stopping) {
      process.exit(EXIT.ok);
    }
    stopping = true;
    void Promise.resolve()
      .then(() => onStop?.())
      .catch(() => undefined)
      .then(() => engine.shutdown())
      .then(() => resolve(EXIT.ok), () => resolve(EXIT.ok));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { done, stop };
}

/** `5s`, `250ms`, `2m`, or a number of seconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: "${text}" is not a duration (e.g. 10s, 500ms, 2m)`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  return Math.round(ms);
}

export function parseInteger(text: string | undefined, what: string, min: number, max: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${what}: expected a whole number from ${min} to ${max}, got "${text ?? ''}"`);
  return n;
}

/** A port: a number or a service name (`whois`), as the engine accepts it. */
export function parsePort(text: string | undefined, what = '--port'): number | string {
  if (text === undefined) throw new UsageError(`${what} is required`);
  return /^\d+$/.test(text) ? parseInteger(text, what, 0, 65_535) : text;
}
