/**
 * The exec listener (inetd-style): each accepted client gets its own run of a program, with the
 * socket as the program's stdin and stdout. The command is split into words as a shell would,
 * but never run through a shell: no pipes, redirections, variables or globbing. docs/exec.md.
 */
import { z } from 'zod';

export const EXEC_LIMITS = {
  commandChars: 4096,
  cwdChars: 4096,
  /** Processes running at once per listener (Concurrent mode; One at a time is 1). */
  maxProcesses: 64,
  defaultProcesses: 16,
  /** Clients waiting for a process slot; past this a new client is closed at once. */
  maxWaiting: 64,
  /** The end of each process's stderr kept (and shown apart from the traffic). */
  stderrBytes: 16 * 1024,
  /** After SIGTERM, SIGKILL follows this much later if the process is still there. */
  killGraceMs: 2000,
} as const;

export const ExecSettings = z.strictObject({
  command: z.string().min(1).max(EXEC_LIMITS.commandChars),
  mode: z.enum(['concurrent', 'one-at-a-time']).default('concurrent'),
  /** Working directory; default the system's temporary folder. */
  cwd: z.string().min(1).max(EXEC_LIMITS.cwdChars).optional(),
  maxProcesses: z.number().int().min(1).max(EXEC_LIMITS.maxProcesses).optional(),
  /**
   * The explicit confirmation that clients from other machines may run the command: without it an
   * exec listener binds only to loopback (127.0.0.0/8, ::1) or a Unix socket.
   */
  allowRemote: z.boolean().optional(),
});
export type ExecSettings = z.infer<typeof ExecSettings>;

/** One client's process, as the conversation shows it. */
export const ExecInfo = z.strictObject({
  state: z.enum(['waiting', 'running', 'exited', 'failed']),
  /** Clients ahead of this one (waiting only). */
  position: z.number().nullable(),
  pid: z.number().nullable(),
  argv: z.array(z.string()),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  /** The end of its stderr, as text (control characters as received; render as text only). */
  stderr: z.string(),
  stderrBytes: z.number(),
  /** Its last output did not end a line: the client may be waiting for the rest. */
  partialLine: z.boolean(),
  /** It was given input at least a second ago and has written nothing since (stdio buffering?). */
  quietAfterInput: z.boolean(),
});
export type ExecInfo = z.infer<typeof ExecInfo>;
