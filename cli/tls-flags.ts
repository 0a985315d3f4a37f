/**
 * The TLS flags `connect` and `listen` share: version bounds, and a key's passphrase, which is never
 * taken on the command line (`ps` and shell history show every argument): it comes from the
 * SOCKSCOPE_TLS_PASSPHRASE environment variable or from the first line of `--pass-file FILE`, as
 * `openssl … -passin env:VAR` / `-passin file:FILE` take it.
 */
import { readFileNoFollow } from '../engine/files/read-no-follow';
import { TLS_LIMITS, TlsVersion } from '../shared/tls';
import { UsageError } from './cli-io';

export const PASSPHRASE_ENV = 'SOCKSCOPE_TLS_PASSPHRASE';

/** parseArgs options both commands take; `passphrase` and `pass` exist only to be refused in words. */
export const SHARED_TLS_FLAGS = {
  'tls-min': { type: 'string' },
  'tls-max': { type: 'string' },
  'pass-file': { type: 'string' },
  passphrase: { type: 'string' },
  pass: { type: 'string' },
} as const;

export interface SharedTlsValues {
  'tls-min'?: string;
  'tls-max'?: string;
  'pass-file'?: string;
  passphrase?: string;
  pass?: string;
}

/** True when any of the shared flags was given (they all need --tls). */
export function sharedTlsFlagsGiven(v: SharedTlsValues): boolean {
  return v['tls-min'] !== undefined || v['tls-max'] !== undefined || v['pass-file'] !== undefined;
}

/** Refuses a passphrase given as an argument, without repeating it. */
export function refusePassphraseArgument(v: SharedTlsValues): void {
  if (v.passphrase !== undefined || v.pass !== undefined) {
    throw new UsageError(`a passphrase is never taken on the command line (ps would show it): set ${PASSPHRASE_ENV}, or give --pass-file FILE`);
  }
}

/** `1.2`, `TLSv1.2` or `tls1.2` → `TLSv1.2`. */
function parseVersion(text: string, flag: string): TlsVersion {
  const m = /^(?:tlsv?)?(1(?:\.[0-3])?)$/i.exec(text.trim());
  const version = m ? (`TLSv${m[1] === '1.0' ? '1' : m[1]}` as const) : null;
  const parsed = TlsVersion.safeParse(version);
  if (!parsed.success) throw new UsageError(`${flag}: "${text}" is not a TLS version (1, 1.1, 1.2 or 1.3)`);
  return parsed.data;
}

/** `--tls-min` / `--tls-max` as the engine's minVersion / maxVersion. */
export function versionRange(v: SharedTlsValues): { minVersion?: TlsVersion; maxVersion?: TlsVersion } {
  const minVersion = v['tls-min'] !== undefined ? parseVersion(v['tls-min'], '--tls-min') : undefined;
  const maxVersion = v['tls-max'] !== undefined ? parseVersion(v['tls-max'], '--tls-max') : undefined;
  if (minVersion && maxVersion && TlsVersion.options.indexOf(minVersion) > TlsVersion.options.indexOf(maxVersion)) {
    throw new UsageError(`--tls-min ${v['tls-min']} is above --tls-max ${v['tls-max']}`);
  }
  return { ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}) };
}

/**
 * The key's passphrase: --pass-file's first line (read without following a symbolic link), else
 * the environment variable, else none. Only called when a key was given.
 */
export async function passphrase(passFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (passFile === undefined) return env[PASSPHRASE_ENV] || undefined;
  let text: string;
  try {
    text = (await readFileNoFollow(passFile, TLS_LIMITS.passphraseChars * 4 + 2)).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'is a symbolic link' : code === 'ENOENT' ? 'does not exist' : code === 'EFBIG' ? 'is too large for a passphrase' : (e as Error).message;
    throw new UsageError(`--pass-file ${passFile}: ${why}`);
  }
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (line === '') throw new UsageError(`--pass-file ${passFile}: the first line is empty`);
  if (line.length > TLS_LIMITS.passphraseChars) throw new UsageError(`--pass-file ${passFile}: a passphrase is at most ${TLS_LIMITS.passphraseChars} characters`);
  return line;
}
