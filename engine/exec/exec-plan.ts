/**
 * Checks an exec listener's settings once, before the listener exists: the command splits into
 * words without a shell, the program exists and is executable, the working directory exists, and
 * the listener stays on loopback (or a Unix socket) unless the request confirms `allowRemote`.
 */
import { tmpdir } from 'node:os';
import type { ListenRequest } from '../../shared/contract';
import { EXEC_LIMITS } from '../../shared/exec';
import { CommandError } from '../command-error';
import type { ExecPlan } from './exec-session';
import { checkDirectory, resolveProgram, splitCommand } from './parse-command';

export async function planExec(req: ListenRequest): Promise<ExecPlan | null> {
  const exec = req.exec;
  if (!exec) return null;
  if (!('path' in req) && !exec.allowRemote) {
    const bind = req.bindAddress ?? '0.0.0.0';
    if (!isLoopback(bind)) {
      const message =
        `an exec listener on ${bind} lets anyone who can reach it run "${exec.command}" as you; ` +
        'bind it to 127.0.0.1 or ::1, or confirm with allowRemote';
      throw new CommandError('VALIDATION', `exec.allowRemote: ${message}`, [{ path: 'exec.allowRemote', message }]);
    }
  }
  const argv = splitCommand(exec.command);
  const program = await resolveProgram(argv[0] as string, process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin');
  const cwd = exec.cwd ?? tmpdir();
  await checkDirectory(cwd);
  const slots = exec.mode === 'one-at-a-time' ? 1 : (exec.maxProcesses ?? EXEC_LIMITS.defaultProcesses);
  return { argv, program, cwd, slots };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
