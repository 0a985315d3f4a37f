import { LIMITS } from '../shared/primitives';
import { CommandError } from './command-error';

/** Decodes a validated base64 payload, enforcing the byte limit after decoding too. */
export function decodePayload(data: string): Buffer {
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > LIMITS.messageBytes) {
    const message = `a message is at most ${LIMITS.messageBytes} bytes (this one decodes to ${bytes.length})`;
    throw new CommandError('VALIDATION', `data: ${message}`, [{ path: 'data', message }]);
  }
  return bytes;
}
