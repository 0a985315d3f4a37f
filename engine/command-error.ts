import type { BridgeError, BridgeErrorCode } from '../shared/errors';

/** Thrown by handlers for a refusal the caller should see as a typed error, not a crash. */
export class CommandError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    readonly issues?: BridgeError['issues'],
  ) {
    super(message);
    this.name = 'CommandError';
  }

  toBridgeError(): BridgeError {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

export const notFound = (what: string, id: string) => new CommandError('NOT_FOUND', `no ${what} with id "${id}"`);
export const invalidState = (message: string) => new CommandError('INVALID_STATE', message);
export const limitReached = (message: string) => new CommandError('LIMIT', message);
