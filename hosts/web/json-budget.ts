/**
 * A bound on the work JSON.parse will do, checked before it runs. A 20 MB message with 1.5 million
 * keys takes seconds to parse (and the dispatcher's field check after it as long again), all of it
 * on the event loop every socket shares. Counting the separators outside strings is one linear
 * pass with no allocation, and an object key or array element needs one.
 */
import { MAX_PAYLOAD_FIELDS } from '../../engine/dispatcher';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/** True when `text` has more `:`/`,` outside strings than a request may have fields (plus the envelope's). */
export function tooManyJsonFields(text: string, maxFields = MAX_PAYLOAD_FIELDS + 8): boolean {
  let inString = false;
  let fields = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if ((c === COLON || c === COMMA) && ++fields > maxFields) {
      return true;
    }
  }
  return false;
}
