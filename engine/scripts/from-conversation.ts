/**
 * "Turn this conversation into…": a recorded TCP conversation as a send/expect script (what we sent
 * becomes sends, what we received becomes expects) and as a mock server's rules (each request
 * answered as the recorded server answered it). Read from the engine's traffic log, which must
 * still hold the whole conversation.
 */
import { stringify } from 'yaml';
import { toEscapedText } from '../../shared/bytes';
import { formatSockAddr } from '../../shared/primitives';
import { RULE_LIMITS, type Rule, type RuleSet } from '../../shared/rules';
import { SCRIPT_LIMITS, type Script, type ScriptStep } from '../../shared/script';
import { invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';

/** An expect this long or shorter must match exactly; a longer one checks only its last bytes. */
const EXACT_EXPECT_BYTES = 1024;
const SUFFIX_BYTES = 64;
const PAGE_CHUNKS = 2000;

interface Block {
  dir: 'in' | 'out';
  bytes: Buffer;
}

export interface ConversationAsFiles {
  script: string;
  rules: RuleSet;
  rulesText: string;
}

export async function conversationAsFiles(engine: Engine, handlers: () => CommandHandlers, conversationId: string): Promise<ConversationAsFiles> {
  const c = engine.requireConversation(conversationId).snapshot();
  if (!c) throw invalidState('a UDP endpoint has no single conversation to turn into a script');
  const page = await handlers()['traffic:page']({ conversationId, limit: PAGE_CHUNKS, full: true });
  const first = page.chunks[0];
  if (page.notKept.in > 0 || page.notKept.out > 0 || (first && first.seq > page.firstKeptSeq)) {
    throw invalidState('the beginning of this conversation is no longer kept (its traffic log is full): record a shorter one');
  }
  if (page.chunks.some((k) => k.truncated)) throw invalidState('this conversation is too large to turn into a script');
  const blocks: Block[] = [];
  for (const k of page.chunks) {
    const bytes = Buffer.from(k.data, 'base64');
    const last = blocks[blocks.length - 1];
    if (last && last.dir === k.dir) last.bytes = Buffer.concat([last.bytes, bytes]);
    else blocks.push({ dir: k.dir, bytes });
  }
  if (blocks.length === 0) throw invalidState('nothing was sent or received yet');
  if (blocks.length > SCRIPT_LIMITS.steps - 1) throw invalidState(`a script holds at most ${SCRIPT_LIMITS.steps} steps; this conversation has ${blocks.length} exchanges`);

  const peer = c.remote ? formatSockAddr(c.remote) : 'the peer';
  const script = scriptOf(blocks, c.role, c.remote, c.firstToClose, peer);
  const rules = rulesOf(blocks, c.role, c.firstToClose);
  return {
    script: `# Recorded from ${peer}; edit the expects that depend on time or chance.\n${stringify(script, { lineWidth: 0 })}`,
    rules,
    rulesText: `# A mock of ${peer}, from a recorded conversation: each request answered as it was.\n${stringify({ version: 1, ...rules }, { lineWidth: 0 })}`,
  };
}

function scriptOf(blocks: Block[], role: 'client' | 'accepted', remote: { kind: 'inet'; host: string; port: number } | { kind: 'unix'; path: string } | null, closedBy: string | null, peer: string): Script {
  const steps: ScriptStep[] = blocks.map((b) => {
    if (b.dir === 'out') return { send: toEscapedText(b.bytes) };
    if (b.bytes.length <= EXACT_EXPECT_BYTES) return { expect: { exact: toEscapedText(b.bytes) } };
    // Long answers: the end of it, so the expect consumes the whole answer without spelling it out.
    return { expect: { contains: toEscapedText(b.bytes.subarray(b.bytes.length - SUFFIX_BYTES)) } };
  });
  if (closedBy === 'local') steps.push({ close: true });
  else if (closedBy === 'local-reset') steps.push({ reset: true });
  const connect = role === 'client' && remote ? (remote.kind === 'unix' ? { path: remote.path } : { host: remote.host, port: remote.port }) : undefined;
  return { version: 1, name: `conversation with ${peer}`, ...(connect ? { connect } : {}), steps };
}

function rulesOf(blocks: Block[], role: 'client' | 'accepted', closedBy: string | null): RuleSet {
  // The requests are what the recorded server received: ours when we were the client.
  const requestDir = role === 'client' ? 'out' : 'in';
  const pairs: { request: Buffer; reply: Buffer }[] = [];
  for (const [i, b] of blocks.entries()) {
    if (b.dir !== requestDir) continue;
    const next = blocks[i + 1];
    pairs.push({ request: b.bytes, reply: next && next.dir !== requestDir ? next.bytes : Buffer.alloc(0) });
  }
  const lines = pairs.length > 0 && pairs.every((p) => p.request.at(-1) === 0x0a);
  const seen = new Set<string>();
  const rules: Rule[] = [];
  const serverClosed = role === 'client' ? closedBy === 'peer' : closedBy === 'local';
  for (const [i, p] of pairs.entries()) {
    const request = lines ? firstLine(p.request) : p.request;
    const match = toEscapedText(request);
    const reply = toEscapedText(p.reply).replace(/\$/g, '$$$$');
    if (match.length === 0 || match.length > RULE_LIMITS.matchChars || reply.length > RULE_LIMITS.replyChars || seen.has(match)) continue;
    if (rules.length >= RULE_LIMITS.rules) break;
    seen.add(match);
    rules.push({ match: { exact: match }, reply, ...(serverClosed && i === pairs.length - 1 ? { close: true } : {}) });
  }
  return { frame: lines ? 'line' : 'chunk', rules };
}

/** The first line, without its LF or CR LF (what a `line` frame holds). */
function firstLine(b: Buffer): Buffer {
  const at = b.indexOf(0x0a);
  const line = at < 0 ? b : b.subarray(0, at);
  return line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line;
}
