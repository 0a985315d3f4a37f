/**
 * Runs an OS table command: `execFile` with a fixed argument array (never a shell, so nothing in
 * the arguments is ever interpreted), a timeout that kills the child, and a buffer large enough
 * for 10,000 sockets of `ss -i` output (several MB).
 */
import { execFile } from 'node:child_process';
import { delimiter } from 'node:path';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** The exit code; lsof exits 1 when one of its selectors matched nothing, with good output. */
  exitCode: number;
}

/**
 * Runs `command` with `args`; resolves with the output whatever the exit code, rejects only when
 * the command could not run or finish: `code` is `ENOENT` (not installed), `ETIMEDOUT`, or
 * `EOUTPUTTOOLARGE`.
 */
export type RunCommand = (command: string, args: readonly string[]) => Promise<CommandResult>;

export class CommandRunError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandRunError';
  }
}

export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * System directories first: a GUI app's PATH may lack /usr/sbin (where ss and lsof live on some
 * systems), and a user-writable directory early in PATH must not shadow `netstat`.
 */
const UNIX_SYSTEM_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

export function commandEnvironment(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  if (platform === 'win32') return env;
  const path = [...UNIX_SYSTEM_DIRS, ...(env.PATH ?? '').split(delimiter).filter(Boolean)];
  // net-tools netstat translates its headers and state words: parse the C locale's.
  return { ...env, PATH: [...new Set(path)].join(delimiter), LC_ALL: 'C', LANG: 'C' };
}

export interface RunCommandOptions {
  timeoutMs: number;
  platform?: NodeJS.Platform;
  /** Defaults to MAX_OUTPUT_BYTES. */
  maxBuffer?: number;
}

export function createRunCommand(options: RunCommandOptions): RunCommand {
  const env = commandEnvironment(options.platform);
  const maxBuffer = options.maxBuffer ?? MAX_OUTPUT_BYTES;
  return (command, args) =>
    new Promise<CommandResult>((resolve, reject) => {
      execFile(
        command,
        [...args],
        {
          encoding: 'utf8',
          timeout: options.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer,
          windowsHide: true,
          shell: false,
          env,
        },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ stdout, stderr, exitCode: 0 });
            return;
          }
          const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
          if (failure.code === 'ENOENT') {
            reject(new CommandRunError('ENOENT', `${command} is not installed (or not on the PATH)`));
          } else if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
            reject(new CommandRunError('EOUTPUTTOOLARGE', `${command} printed more than ${maxBuffer} bytes`));
          } else if (failure.killed) {
            reject(new CommandRunError('ETIMEDOUT', `${command} did not finish within ${options.timeoutMs / 1000} s`));
          } else if (failure.signal) {
            reject(new CommandRunError('ECOMMANDFAILED', `${command} was ended by ${failure.signal}`));
          } else if (typeof failure.code === 'number') {
            resolve({ stdout, stderr, exitCode: failure.code });
          } else {
            reject(new CommandRunError(String(failure.code ?? 'ESPAWN'), `${command} could not run: ${failure.message}`));
          }
        },
      );
    });
}
