import { useId } from 'react';
import type { ExecSettings } from '../../../../shared/exec';
import { Checkbox, TextField } from '../forms/fields';

export interface ExecDraft {
  command: string;
  mode: 'concurrent' | 'one-at-a-time';
  cwd: string;
  allowRemote: boolean;
}

export const DEFAULT_EXEC: ExecDraft = { command: '', mode: 'concurrent', cwd: '', allowRemote: false };

/** Loopback only (what the engine accepts without `allowRemote`); names are for the engine to judge. */
export function isLoopbackText(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function execOf(d: ExecDraft, remote: boolean): { exec: ExecSettings } | { error: string } {
  if (d.command.trim() === '') return { error: 'Type the program to run and its arguments, e.g. /bin/cat or /usr/bin/tr a-z A-Z.' };
  if (remote && !d.allowRemote) return { error: 'This address is reachable from other machines: confirm below, or bind to 127.0.0.1.' };
  return { exec: { command: d.command.trim(), mode: d.mode, ...(d.cwd.trim() ? { cwd: d.cwd.trim() } : {}), ...(remote ? { allowRemote: true } : {}) } };
}

/**
 * The listener dialog's `Run a command`: inetd-style, each client runs the program with the socket
 * as its stdin and stdout. Split into words as a shell would, never run by one. The warning is
 * plain because the risk is: whoever connects runs that program as you.
 */
export function ExecFields({ draft, onChange, remote, error }: { draft: ExecDraft; onChange(d: ExecDraft): void; remote: boolean; error: string | null }) {
  const name = useId();
  const set = (patch: Partial<ExecDraft>) => onChange({ ...draft, ...patch });
  return (
    <div className="exec-fields">
      <p className="exec-warning" role="note">
        Every client that connects runs this program as you, with the connection as its input and output. Only use it on addresses you trust.
      </p>
      <TextField label="Command" value={draft.command} onChange={(command) => set({ command })} error={error} className="grow" placeholder="/usr/bin/tr a-z A-Z" hint="Split into words like a shell would, but no shell runs it: no pipes, redirections or $VARIABLES." />
      <fieldset className="row">
        <legend className="sr-only">Processes</legend>
        <label>
          <input type="radio" name={name} checked={draft.mode === 'concurrent'} onChange={() => set({ mode: 'concurrent' })} /> Concurrent
        </label>
        <label>
          <input type="radio" name={name} checked={draft.mode === 'one-at-a-time'} onChange={() => set({ mode: 'one-at-a-time' })} /> One at a time
        </label>
      </fieldset>
      <TextField label="Working directory" value={draft.cwd} onChange={(cwd) => set({ cwd })} placeholder="the system's temporary folder" />
      {remote && <Checkbox label="Let clients from other machines run this command" checked={draft.allowRemote} onChange={(allowRemote) => set({ allowRemote })} />}
    </div>
  );
}
