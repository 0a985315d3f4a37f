/** Base64, as command payloads carry bytes. */
export const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

/** Every byte value once, 0x00–0xff: what a byte-exact round trip is checked with. */
export const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
