/**
 * Send/expect scripts: the file format (YAML or JSON, `version` 1) and the results a run reports.
 * The minimal form in the UI contract must always parse:
 *   { "connect": { "host": "127.0.0.1", "port": 6379 },
 *     "steps": [ { "send": "PING\r\n" }, { "expect": "+PONG" }, { "close": true } ] }
 * Schemas only (no Node imports): the engine parses the text (engine/scripts/parse-script.ts) and runs it.
 */
import { z } from 'zod';
import { Host, Id, LIMITS, PortSpec, UnixPath } from './primitives';
import { TlsClientOptions } from './tls';

/** Caps a hand-written script never meets and a runaway one always does. */
export const SCRIPT_LIMITS = {
  /** A script file's text. */
  textBytes: 1024 * 1024,
  /** Steps in the file, counting those nested in `repeat`. */
  steps: 1_000,
  /** `repeat` nesting. */
  depth: 4,
  /** One `repeat`'s count. */
  repeatCount: 100_000,
  /** Steps executed in one run, repeats unrolled. */
  executedSteps: 1_000_000,
  /** Received bytes an expect looks at (older unmatched bytes are dropped, and the failure says so). */
  expectBufferBytes: 1024 * 1024,
  /** One send's (or expect text's) template. */
  templateChars: 64 * 1024,
  /** A regex source. */
  regexChars: 4_096,
  /** A capture's value (longer captures are refused: they would be sent back by later steps). */
  captureChars: 64 * 1024,
  /** Variables a run may hold. */
  variables: 256,
  expectTimeoutMs: { default: 5_000, max: 600_000 },
  waitMs: { max: 600_000 },
  /** The whole run. */
  totalMs: { default: 600_000, max: 3_600_000 },
  /** One pause in step mode (time paused does not count against the run's own limit). */
  pauseMs: 3_600_000,
} as const;

const VarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a variable name is letters, digits and _');
const Template = z.string().max(SCRIPT_LIMITS.templateChars, `at most ${SCRIPT_LIMITS.templateChars} characters`);

export const ScriptConnect = z
  .strictObject({
    host: Host.optional(),
    port: PortSpec.optional(),
    /** A Unix domain socket instead of host and port. */
    path: UnixPath.optional(),
    /** `true`: TLS with verification; or TLS options (`{ "verify": false, "serverName": "…", "caFile": "…" }`). */
    tls: z.union([z.boolean(), TlsClientOptions]).optional(),
    udp: z.boolean().optional(),
    timeoutMs: z.number().int().min(LIMITS.timeoutMs.min).max(LIMITS.timeoutMs.max).optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.path !== undefined) {
      if (c.host !== undefined || c.port !== undefined) issue('path', 'give either a path or a host and port, not both');
      if (c.udp) issue('udp', 'a Unix socket path is a stream socket here: no udp');
    } else {
      if (c.host === undefined) issue('host', 'a host (or a path) is required');
      if (c.port === undefined) issue('port', 'a port is required');
    }
    if (c.tls && c.udp) issue('tls', 'TLS runs over TCP, not UDP');
  });
export type ScriptConnect = z.infer<typeof ScriptConnect>;

/** Text with escapes and macros (`PING\r\n`, `got {{n}}`), or `{ hex: "50 49 4e 47" }`. */
export const SendPayload = z.union([Template, z.strictObject({ hex: Template })]);
export type SendPayload = z.infer<typeof SendPayload>;

const Timeout = z.number().int().min(1).max(SCRIPT_LIMITS.expectTimeoutMs.max);
const Captures = z.array(VarName).max(32);

/** `exact`: the next bytes are exactly these; `contains`: they appear; `regex`: it matches (captures with `as`). */
export const ExpectSpec = z.union([
  Template,
  z.strictObject({ exact: Template, timeoutMs: Timeout.optional() }),
  z.strictObject({ contains: Template, timeoutMs: Timeout.optional() }),
  z.strictObject({
    regex: z.string().min(1).max(SCRIPT_LIMITS.regexChars),
    /** RE2 flags among `i`, `m`, `s` (RE2: linear-time matching, no lookaround or backreferences). */
    flags: z.string().regex(/^[ims]{0,3}$/, 'flags among i, m and s').optional(),
    timeoutMs: Timeout.optional(),
    /** Names for the capture groups, in order: `{{name}}` in later steps. */
    as: Captures.optional(),
  }),
]);
export type ExpectSpec = z.infer<typeof ExpectSpec>;

export type ScriptStep =
  | { send: SendPayload }
  | { expect: ExpectSpec }
  | { wait: number }
  | { repeat: { times: number; steps: ScriptStep[] } }
  | { shutdown: true }
  | { reset: true }
  | { close: true }
  | { starttls: true | TlsClientOptions };

export const ScriptStep: z.ZodType<ScriptStep> = z.lazy(() =>
  z.union([
    z.strictObject({ send: SendPayload }),
    z.strictObject({ expect: ExpectSpec }),
    /** Milliseconds. */
    z.strictObject({ wait: z.number().int().min(0).max(SCRIPT_LIMITS.waitMs.max) }),
    z.strictObject({
      repeat: z.strictObject({
        times: z.number().int().min(1).max(SCRIPT_LIMITS.repeatCount),
        steps: z.array(ScriptStep).min(1).max(SCRIPT_LIMITS.steps),
      }),
    }),
    /** Send our FIN (shutdown(SHUT_WR)); we can still receive. */
    z.strictObject({ shutdown: z.literal(true) }),
    /** Abort with RST. */
    z.strictObject({ reset: z.literal(true) }),
    z.strictObject({ close: z.literal(true) }),
    /** STARTTLS: after the protocol's upgrade command was answered, go on in TLS (`true`: verification on). */
    z.strictObject({ starttls: z.union([z.literal(true), TlsClientOptions]) }),
  ]),
);

export const Script = z.strictObject({
  /** Absent means 1; a newer version than this build knows is refused with a clear message. */
  version: z.literal(1).optional(),
  name: z.string().max(200).optional(),
  /** Optional when the run is given a conversation to use (the GUI's script panel). */
  connect: ScriptConnect.optional(),
  /** The whole run's time limit. */
  timeoutMs: z.number().int().min(1).max(SCRIPT_LIMITS.totalMs.max).optional(),
  /** Initial variables for `{{name}}`. */
  vars: z.record(VarName, z.string().max(SCRIPT_LIMITS.captureChars)).optional(),
  steps: z.array(ScriptStep).min(1).max(SCRIPT_LIMITS.steps),
});
export type Script = z.infer<typeof Script>;

export type StepKind = 'connect' | 'send' | 'expect' | 'wait' | 'repeat' | 'shutdown' | 'reset' | 'close' | 'starttls';

/** One executed step's outcome, as the `script:step` event and `--json` carry it. */
export const ScriptStepResult = z.strictObject({
  runId: Id,
  /** `3` for the file's fourth step (0-based), `2.1` for the second step inside step 2's repeat. */
  path: z.string(),
  /** Which pass of the enclosing repeats (1-based), empty outside any repeat. */
  iteration: z.array(z.number()),
  kind: z.enum(['connect', 'send', 'expect', 'wait', 'repeat', 'shutdown', 'reset', 'close', 'starttls']),
  ok: z.boolean(),
  /** What happened, in one line: `sent 6 bytes`, `matched "+PONG" after 3 ms`, the failure. */
  detail: z.string(),
  /** For a failed expect: what arrived, as text (control characters visible) and as hex. */
  received: z.strictObject({ text: z.string(), hex: z.string(), bytes: z.number() }).nullable(),
  /** Variables set by this step. */
  captured: z.record(z.string(), z.string()),
  startedAt: z.number(),
  durationMs: z.number(),
  /** On a connect step that succeeded: the connection the run uses (the GUI selects a new one). */
  opened: z.strictObject({ endpointId: Id.nullable(), conversationId: Id }).optional(),
});
export type ScriptStepResult = z.infer<typeof ScriptStepResult>;

/** A run in step mode waits before this step (`script:paused`) until `script:advance`. */
export const ScriptPause = z.strictObject({
  runId: Id,
  /** The step's path, as in its result. */
  path: z.string(),
  iteration: z.array(z.number()),
  /** The step in words: `expect contains "220"`. */
  step: z.string(),
});
export type ScriptPause = z.infer<typeof ScriptPause>;

/** `step`: run the next step, then pause again (a running run pauses after its current step); `continue`: run on to the end. */
export const ScriptAdvanceRequest = z.strictObject({ runId: Id, mode: z.enum(['step', 'continue']) });

export const ScriptRunEnd = z.strictObject({
  runId: Id,
  /** `passed`: every step ran and every expect matched; `failed`: an expect (or another step) failed;
   *  `stopped`: `script:stop`; `error`: the run could not start or a limit was reached. */
  outcome: z.enum(['passed', 'failed', 'stopped', 'error']),
  detail: z.string(),
  steps: z.number(),
  expectsPassed: z.number(),
  expectsFailed: z.number(),
  /** The connection the run used (kept open in the workspace unless a step closed it). */
  endpointId: Id.nullable(),
  durationMs: z.number(),
});
export type ScriptRunEnd = z.infer<typeof ScriptRunEnd>;

/** `script:run`: the file's text (parsed engine-side), over a new connection or an existing conversation. */
export const ScriptRunRequest = z.strictObject({
  text: z.string().max(SCRIPT_LIMITS.textBytes, `a script is at most ${SCRIPT_LIMITS.textBytes / 1024} KiB`),
  /** Run over this conversation instead of the script's `connect`. */
  conversationId: Id.optional(),
  /** Step mode: pause before the first step (after connecting), and before each next one. */
  stepping: z.boolean().optional(),
});
