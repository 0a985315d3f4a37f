import { z } from 'zod';

/** A failure as a person sees it: the OS code, and what it means in plain words. */
export const ErrorInfo = z.strictObject({
  code: z.string(),
  /** Plain-language explanation: what happened and what to do. */
  message: z.string(),
  syscall: z.string().optional(),
  /** Who holds the port, which address failed, … when known. */
  detail: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/** Errors of the bridge itself (as opposed to socket errors, which live in endpoint state). */
export const BridgeErrorCode = z.enum([
  'VALIDATION',
  'UNKNOWN_COMMAND',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_STATE',
  'INTERNAL',
  'DISCONNECTED',
  /** A cap that a person never meets and a runaway script always does (endpoints, payload size). */
  'LIMIT',
]);
export type BridgeErrorCode = z.infer<typeof BridgeErrorCode>;

export const BridgeError = z.strictObject({
  code: BridgeErrorCode,
  message: z.string(),
  /** For VALIDATION: where in the payload, and why. */
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export type BridgeError = z.infer<typeof BridgeError>;
