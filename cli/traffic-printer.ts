/**
 * Prints what the engine's endpoints do, one line each, as `listen`, `connect`, `udp` and `serve`
 * show it: clients arriving and leaving, and every chunk (or datagram) in and out as text with
 * control characters visible (`hello␍␊`), never as raw bytes a terminal would interpret.
 */
import { base64ToBytes } from '../shared/bytes';
import type { EngineEvent } from '../shared/contract';
import { formatSockAddr, type SockAddr } from '../shared/primitives';
import type { ConversationTls } from '../shared/tls';
import { visibleText } from '../shared/visible-bytes';

/** Characters of one chunk's text shown on its line. */
const SHOWN_CHARS = 2000;

export interface TrafficPrinter {
  handle(e: EngineEvent): void;
}

/** A peer's text (a certificate's subject) on one line, control characters visible: never terminal escapes. */
export function visibleLine(text: string): string {
  return visibleText(new TextEncoder().encode(text)).replace(/\n/g, '');
}

/** A TLS client's session on its accept line: `tls TLSv1.3 client-cert "CN=…" verified`. */
function acceptedTls(tls: ConversationTls): string {
  const leaf = tls.chain[0];
  return `tls ${tls.version}${leaf ? ` client-cert "${visibleLine(leaf.subject)}" ${tls.verified ? 'verified' : 'NOT verified'}` : ''}`;
}

/** `err` should print each distinct line once (cli-io's errOnce): snapshots repeat an endpoint's error. */
export function trafficPrinter(out: (line: string) => void, err: (line: string) => void): TrafficPrinter {
  const peers = new Map<string, string>();
  const states = new Map<string, string>();

  const closedHow = (by: string | null) =>
    by === 'peer' ? 'peer closed' : by === 'peer-reset' ? 'reset by peer' : by === 'local-reset' ? 'reset' : by === 'error' ? 'error' : 'closed';

  return {
    handle(e) {
      if (e.type === 'conversation:changed') {
        const c = e.conversation;
        const peer = c.remote ? formatSockAddr(c.remote) : c.id;
        if (!peers.has(c.id)) {
          peers.set(c.id, peer);
          out(c.role === 'accepted' ? `accepted ${peer}${c.tls ? ` ${acceptedTls(c.tls)}` : ''}` : `connected ${peer}`);
        }
        const before = states.get(c.id);
        states.set(c.id, c.state);
        if (c.state === 'peer-closed' && before !== 'peer-closed') out(`${peer} peer closed its side (FIN)`);
        if (c.state === 'closed' && before !== 'closed') out(`closed ${peer} (${closedHow(c.firstToClose)}${c.error ? `: ${c.error.code}` : ''})`);
      } else if (e.type === 'traffic:appended') {
        for (const k of e.chunks) {
          const who = k.peer ? formatSockAddr(k.peer as SockAddr) : (peers.get(e.conversationId) ?? e.conversationId);
          let text = visibleText(base64ToBytes(k.data)).replace(/\n/g, '');
          if (text.length > SHOWN_CHARS) text = `${text.slice(0, SHOWN_CHARS)}…`;
          const more = k.truncated ? ` (+${k.size - base64ToBytes(k.data).length} more bytes)` : '';
          out(`${who} ${k.dir === 'in' ? 'recv' : 'send'} ${k.size} bytes: ${text}${more}`);
        }
        if (e.skipped.chunks > 0) out(`(${e.skipped.chunks} chunks, ${e.skipped.bytes} bytes not shown: too fast to print)`);
      } else if (e.type === 'endpoint:changed') {
        const s = e.endpoint;
        if (s.error) err(`sockscope: ${s.error.code}: ${s.error.message}`);
      }
    },
  };
}
