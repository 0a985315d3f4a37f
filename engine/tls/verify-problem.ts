/**
 * Why a peer's certificate is not trusted, in the words a person needs: what is wrong, which
 * certificate of the chain it is, and what to do. The codes are OpenSSL's (through Node's
 * `authorizationError`) and Node's own for the name check.
 */
import type { CertificateInfo, TlsVerifyProblem } from '../../shared/tls';

export function verifyProblem(code: string, chain: readonly CertificateInfo[], expectedName: string, now: number): TlsVerifyProblem {
  const leaf = chain[0];
  const last = chain.length > 0 ? chain.length - 1 : null;
  const name = (i: number | null) => (i === null ? 'the certificate' : `${i === 0 ? "the server's certificate" : `certificate ${i + 1} of the chain`} (${subjectName(chain[i])})`);
  const at = (kind: TlsVerifyProblem['kind'], certificateIndex: number | null, message: string, advice: string): TlsVerifyProblem => ({
    code,
    kind,
    message,
    advice,
    certificateIndex,
  });
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return at(
        'self-signed',
        leaf ? 0 : null,
        `${name(0)} is self-signed: nobody vouches for it but itself.`,
        'If you expect this server to use its own certificate, compare its SHA-256 fingerprint with the one you know, then give it as the CA file, or connect without verification.',
      );
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return at(
        'unknown-ca',
        last,
        `The chain ends at ${name(last)}, a root certificate that is not among the trusted ones.`,
        'Give that root (PEM) as the CA file if it is your organisation’s or a test CA; otherwise do not trust this server.',
      );
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY': {
      return at(
        'unknown-ca',
        last,
        `The issuer of ${name(last)}${chain[last ?? 0] ? ` (${chain[last ?? 0]?.issuer})` : ''} is not a trusted certificate authority.`,
        'Give the issuing CA’s certificate as the CA file, or check that the system’s CA store is up to date.',
      );
    }
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return at(
        'incomplete-chain',
        last,
        `The chain is incomplete: the server sent ${chain.length === 1 ? 'only its own certificate' : `${chain.length} certificates`}, and the issuer of ${name(last)} was neither sent nor trusted.`,
        'The server should send its intermediate certificates too (fix its certificate file); meanwhile give the intermediate or its CA as the CA file.',
      );
    case 'CERT_HAS_EXPIRED': {
      const i = firstIndex(chain, (c) => c.validTo < now);
      const c = i === null ? undefined : chain[i];
      return at(
        'expired',
        i,
        `${name(i)} expired${c ? ` on ${isoDay(c.validTo)}, ${-c.daysLeft} day${-c.daysLeft === 1 ? '' : 's'} ago` : ''}.`,
        'The server needs a renewed certificate. If this machine’s clock is wrong, fix the clock first.',
      );
    }
    case 'CERT_NOT_YET_VALID': {
      const i = firstIndex(chain, (c) => c.validFrom > now);
      const c = i === null ? undefined : chain[i];
      return at(
        'not-yet-valid',
        i,
        `${name(i)} is not valid yet${c ? `: it starts on ${isoDay(c.validFrom)}` : ''}.`,
        'Check this machine’s clock and the server’s; a certificate issued for the future is a mistake on the server.',
      );
    }
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
    case 'IP_ADDRESS_MISMATCH':
      return at(
        'hostname-mismatch',
        leaf ? 0 : null,
        `${name(0)} is not for "${expectedName}"${leaf ? `: it names ${leaf.subjectAltNames.length > 0 ? leaf.subjectAltNames.join(', ') : leaf.subject}` : ''}.`,
        'Connect with a name the certificate lists (set the server name, SNI), or fix the server’s certificate.',
      );
    default:
      return at('other', leaf ? 0 : null, `The certificate was not trusted (${code}).`, 'Look at the chain below; connect without verification only if you know why.');
  }
}

function subjectName(c: CertificateInfo | undefined): string {
  if (!c) return 'unknown';
  const cn = /(?:^|, )CN=([^,]+)/.exec(c.subject);
  return cn ? (cn[1] as string) : c.subject || 'no subject';
}

function firstIndex(chain: readonly CertificateInfo[], test: (c: CertificateInfo) => boolean): number | null {
  const i = chain.findIndex(test);
  return i < 0 ? null : i;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
