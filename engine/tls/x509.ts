/**
 * The one place that loads @peculiar/x509: Node reads certificates but cannot make one, and does not
 * name a certificate's signature algorithm. The library's dependency injection (tsyringe) needs the
 * `reflect-metadata` polyfill loaded first; it only adds `Reflect.metadata` and friends.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export function parseCertificate(der: Buffer): x509.X509Certificate {
  return new x509.X509Certificate(new Uint8Array(der));
}

export interface SelfSigned {
  certPem: string;
  keyPem: string;
}

/** ECDSA P-256 with SHA-256: small, fast to make, and accepted by every TLS client in use. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

export interface CertificateRequest {
  commonName: string;
  /** Host names and IP addresses the certificate is for (subjectAltName). */
  names: readonly string[];
  notBefore: number;
  notAfter: number;
}

/** A self-signed server certificate and its key, both PEM. */
export async function createSelfSignedCertificate(request: CertificateRequest): Promise<SelfSigned> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: new x509.Name([{ CN: [request.commonName] }]),
    notBefore: new Date(request.notBefore),
    notAfter: new Date(request.notAfter),
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([SERVER_AUTH]),
      new x509.SubjectAlternativeNameExtension([
        ...request.names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { certPem: `${cert.toString('pem')}\n`, keyPem };
}
