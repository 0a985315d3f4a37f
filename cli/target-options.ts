/**
 * The peer `connect` and `generate` reach: `--host H --port P` (TCP) or `--path SOCKET` (a Unix
 * stream socket). The flags and their usage errors live here so both commands word them alike.
 */
import { parsePort, UsageError } from './cli-io';

/** parseArgs options both commands take. */
export const TARGET_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  path: { type: 'string' },
} as const;

export interface TargetValues {
  host?: string;
  port?: string;
  path?: string;
}

export type StreamTarget = { path: string } | { host: string; port: number | string };

/**
 * A stream target; `--path` wins over `--host`. `otherChoices` names a command's further ways to
 * give a target (generate's `--udp`), so its usage error lists every choice.
 */
export function streamTarget(values: TargetValues, otherChoices: readonly string[] = []): StreamTarget {
  if (values.path !== undefined) return { path: values.path };
  if (values.host === undefined) throw new UsageError(['give --host and --port', 'or --path', ...otherChoices.map((c) => `or ${c}`)].join(', '));
  return { host: values.host, port: parsePort(values.port) };
}

/** A UDP peer: host and port both required (a Unix path has no UDP meaning here). */
export function udpTarget(values: TargetValues): { host: string; port: number | string } {
  if (values.host === undefined) throw new UsageError('--udp needs --host and --port');
  return { host: values.host, port: parsePort(values.port) };
}
