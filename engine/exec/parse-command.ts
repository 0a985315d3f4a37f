/**
 * A command line → argv, split as a POSIX shell splits words (quotes, backslashes) by
 * shell-quote's parser, and never run by a shell. What only a shell could do is refused with
 * words that say so: pipes, redirections, `;`/`&&`, comments. Variables are not expanded (`$HOME`
 * reaches the program as typed) and globs are passed as typed (`*.txt`), as if quoted.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { parse } from 'shell-quote';
import { CommandError } from '../command-error';

const refuse = (message: string) => new CommandError('VALIDATION', `exec.command: ${message}`, [{ path: 'exec.command', message }]);

export function splitCommand(command: string): string[] {
  // Returning the name as written keeps `$X` literal: shell-quote would otherwise substitute ''.
  const words = parse(command, (name) => `$${name}`);
  const argv: string[] = [];
  for (const w of words) {
    if (typeof w === 'string') argv.push(w);
    else if ('comment' in w) throw refuse('"#" starts a shell comment; quote it to pass it to the program');
    else if (w.op === 'glob') argv.push(w.pattern);
    else throw refuse(`"${w.op}" is shell syntax, and Sockscope runs the program directly, without a shell (quote it to pass it as an argument)`);
  }
  if (argv.length === 0 || argv[0] === '') throw refuse('name the program to run, e.g. /bin/cat');
  return argv;
}

/** The program's absolute path: as given when it has a slash, else the first match in PATH. */
export async function resolveProgram(program: string, path: string): Promise<string> {
  const candidates = program.includes('/') ? [program] : path.split(delimiter).filter((d) => isAbsolute(d)).map((d) => join(d, program));
  for (const c of candidates) {
    try {
      const s = await stat(c);
      if (!s.isFile()) continue;
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here, or not executable: try the next one
    }
  }
  throw refuse(program.includes('/') ? `${program} is not an executable file` : `no program "${program}" in PATH (${path})`);
}

export async function checkDirectory(cwd: string): Promise<void> {
  let ok = false;
  try {
    ok = (await stat(cwd)).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new CommandError('VALIDATION', `exec.cwd: ${cwd} is not a directory`, [{ path: 'exec.cwd', message: 'not a directory' }]);
}
