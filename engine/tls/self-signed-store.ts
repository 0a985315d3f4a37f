/**
 * The certificate a TLS listener uses when a person gives none: made once for the names and
 * addresses the listener answers to, kept in the data folder (key 0600, in a 0700 folder) and used
 * again after a restart, so a client that pinned its fingerprint keeps working. Made again only
 * when it is about to expire or when it does not cover the listener's names.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ensurePrivateDir, replaceFile } from '../files/private-files';
import type { ServerCertificate } from './tls-server';
import { createSelfSignedCertificate } from './x509';

const VALID_DAYS = 825;
/** Made again this long before it expires. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
const DAY_MS = 86_400_000;
const FILE_NAME = 'self-signed-listener.json';
/** The certificate alone, for a client to trust (`--cacert`, `-CAfile`, a CA file in Sockscope). */
const CERT_FILE_NAME = 'self-signed-listener.cert.pem';

/** Every name a loopback listener is reached by, plus what it was bound to. */
export function namesFor(bindAddress: string | null): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (bindAddress && bindAddress !== '0.0.0.0' && bindAddress !== '::') names.add(bindAddress);
  return [...names];
}

export class SelfSignedStore {
  /** Without a data folder (tests, the CLI without --data-dir) the certificate lives as long as the process. */
  private memory: ServerCertificate | null = null;

  constructor(private readonly dataDir: string | null) {}

  async certificateFor(names: readonly string[]): Promise<ServerCertificate> {
    const kept = this.memory ?? (await this.read());
    if (kept && covers(kept, names)) return kept;
    const wanted = [...new Set([...(kept ? sansOf(kept) : []), ...names])];
    const now = Date.now();
    const made = await createSelfSignedCertificate({ commonName: 'Sockscope listener', names: wanted, notBefore: now - DAY_MS, notAfter: now + VALID_DAYS * DAY_MS });
    this.memory = made;
    await this.write(made);
    return made;
  }

  private get path(): string | null {
    return this.dataDir ? join(this.dataDir, 'tls', FILE_NAME) : null;
  }

  private async read(): Promise<ServerCertificate | null> {
    const path = this.path;
    if (!path) return null;
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ServerCertificate>;
      if (typeof parsed.certPem !== 'string' || typeof parsed.keyPem !== 'string') return null;
      const cert = { certPem: parsed.certPem, keyPem: parsed.keyPem };
      new X509Certificate(cert.certPem); // unreadable: make a new one
      this.memory = cert;
      return cert;
    } catch {
      return null;
    }
  }

  private async write(cert: ServerCertificate): Promise<void> {
    const path = this.path;
    if (!path || !this.dataDir) return;
    await ensurePrivateDir(join(this.dataDir, 'tls'));
    await replaceFile(path, (temp) => writeFile(temp, JSON.stringify(cert), { flag: 'wx', mode: 0o600 }));
    await replaceFile(join(this.dataDir, 'tls', CERT_FILE_NAME), (temp) => writeFile(temp, cert.certPem, { flag: 'wx', mode: 0o600 }));
  }
}

function sansOf(cert: ServerCertificate): string[] {
  const text = new X509Certificate(cert.certPem).subjectAltName ?? '';
  return text.split(', ').map((s) => s.replace(/^(DNS|IP Address):/, ''));
}

function covers(cert: ServerCertificate, names: readonly string[]): boolean {
  const x = new X509Certificate(cert.certPem);
  if (Date.parse(x.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
  // OpenSSL prints ::1 as 0:0:0:0:0:0:0:1: compare as the TLS name check does.
  return names.every((n) => (isIP(n) ? x.checkIP(n) : x.checkHost(n)) !== undefined);
}
