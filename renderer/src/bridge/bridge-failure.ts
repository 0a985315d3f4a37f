import type { BridgeError } from '../../../shared/errors';

/** A command the engine refused (or could not be sent): the engine's code and message. */
export class BridgeFailure extends Error {
  constructor(readonly error: BridgeError) {
    super(error.message);
  }
}
