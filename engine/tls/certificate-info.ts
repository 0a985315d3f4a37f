/**
 * A peer's certificates made readable, the way `openssl x509 -text` and a browser's certificate
 * viewer show them. Node's X509Certificate reads names, dates, keys and fingerprints; the signature
 * algorithm is not among its properties in Node 20, so @peculiar/x509 reads that one field.
 */
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { TLS_LIMITS, type CertificateInfo } from '../../shared/tls';
import { parseCertificate } from './x509';

const DAY_MS = 86_400_000;

/** OpenSSL's curve names, as people know them from certificate viewers. */
const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export function describeCertificate(der: Buffer, now: number): CertificateInfo {
  const cert = new X509Certificate(der);
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const curve = details.namedCurve ? (CURVES[details.namedCurve] ?? details.namedCurve) : null;
  const validTo = Date.parse(cert.validTo);
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    subjectAltNames: cert.subjectAltName ? splitAltNames(cert.subjectAltName) : [],
    serialNumber: cert.serialNumber,
    validFrom: Date.parse(cert.validFrom),
    validTo,
    daysLeft: Math.floor((validTo - now) / DAY_MS),
    keyType: (key.asymmetricKeyType ?? 'unknown').toUpperCase(),
    keyBits: details.modulusLength ?? curveBits(curve),
    curve,
    signatureAlgorithm: signatureAlgorithmOf(der),
    sha256: cert.fingerprint256,
    selfSigned: cert.subject === cert.issuer && cert.verify(key),
    isCa: cert.ca,
    pem: cert.toString(),
  };
}

/**
 * The chain as the peer sent it, its own certificate first. Node links each certificate to its
 * issuer and ends with one that points at itself (a root), or with none; bounded either way.
 */
export function describeChain(peer: DetailedPeerCertificate | PeerCertificate | null | undefined, now: number): CertificateInfo[] {
  const chain: CertificateInfo[] = [];
  const seen = new Set<string>();
  let at = peer as DetailedPeerCertificate | undefined;
  while (at?.raw && chain.length < TLS_LIMITS.chainLength) {
    const fingerprint = at.fingerprint256;
    if (seen.has(fingerprint)) break;
    seen.add(fingerprint);
    chain.push(describeCertificate(at.raw, now));
    at = at.issuerCertificate;
  }
  return chain;
}

/** `C=US\nO=Example\nCN=host` → `C=US, O=Example, CN=host` (one line, as viewers show a DN). */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function splitAltNames(text: string): string[] {
  return text.split(/, (?=[A-Za-z ]+:)/).map((s) => s.trim()).filter(Boolean);
}

function curveBits(curve: string | null): number | null {
  const m = curve ? /(\d{3})$/.exec(curve) : null;
  return m ? Number(m[1]) : null;
}

function signatureAlgorithmOf(der: Buffer): string {
  try {
    const alg = parseCertificate(der).signatureAlgorithm as { name?: string; hash?: { name?: string } };
    if (!alg.name) return 'unknown';
    return alg.hash?.name ? `${alg.name} with ${alg.hash.name}` : alg.name;
  } catch {
    return 'unknown';
  }
}
