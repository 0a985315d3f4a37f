/**
 * Exports a recording as `.pcapng` that Wireshark and tshark open. A recording holds the bytes of
 * a stream, not packets, so the link, IP and TCP (or UDP) headers are synthesised; docs/recording.md
 * describes exactly how:
 *
 * - one Section Header Block, one Interface Description Block (LINKTYPE_ETHERNET, µs timestamps),
 *   then one Enhanced Packet Block per synthesised frame;
 * - Ethernet II with locally administered MACs 02:00:00:00:00:01 (our side) and :02 (the peer);
 * - IPv4 (DF, TTL 64, real header checksum) or IPv6 (hop limit 64) with the conversation's addresses;
 * - TCP: a three-way handshake at the recording's start (the side that connected sends the SYN),
 *   then each recorded chunk as segments of at most 65,000 bytes with consistent sequence and
 *   acknowledgement numbers (each side's ISN is fixed, every segment acknowledges all the peer's
 *   bytes recorded before it), PSH on the last segment of a chunk, window 65535, real checksums.
 *   No FIN/RST is synthesised: the capture ends with the last recorded bytes;
 * - UDP: one datagram per recorded datagram, between our address and the datagram's peer.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { isIPv4 } from 'node:net';
import { createInterface } from 'node:readline';
import type { SockAddr } from '../../shared/primitives';
import { createNewFileStream } from '../files/private-files';
import { RECORDING_FORMAT } from './recorder';

export const LINKTYPE_ETHERNET = 1;
export const MAX_SEGMENT = 65_000;
const LOCAL_MAC = Buffer.from([0x02, 0, 0, 0, 0, 0x01]);
const PEER_MAC = Buffer.from([0x02, 0, 0, 0, 0, 0x02]);
export const ISN = { local: 0x10000000, peer: 0x20000000 } as const;

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function option(code: number, value: Buffer): Buffer {
  const b = Buffer.alloc(4 + value.length + pad4(value.length));
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(value.length, 2);
  value.copy(b, 4);
  return b;
}
const endOfOptions = () => Buffer.alloc(4);

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

export function sectionHeaderBlock(comment: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(0x1a2b3c4d, 0);
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8); // section length unknown
  const opts = Buffer.concat([option(1, Buffer.from(comment)), option(4, Buffer.from('Sockscope')), endOfOptions()]);
  return block(0x0a0d0d0a, Buffer.concat([fixed, opts]));
}

export function interfaceDescriptionBlock(name: string): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(LINKTYPE_ETHERNET, 0);
  fixed.writeUInt32LE(0, 4); // snaplen: no limit
  const opts = Buffer.concat([option(2, Buffer.from(name)), option(9, Buffer.from([6])), endOfOptions()]);
  return block(0x00000001, Buffer.concat([fixed, opts]));
}

export function enhancedPacketBlock(tsUs: number, frame: Buffer): Buffer {
  const fixed = Buffer.alloc(20);
  const ts = BigInt(Math.max(0, Math.round(tsUs)));
  fixed.writeUInt32LE(0, 0);
  fixed.writeUInt32LE(Number(ts >> 32n), 4);
  fixed.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  fixed.writeUInt32LE(frame.length, 12);
  fixed.writeUInt32LE(frame.length, 16);
  return block(0x00000006, Buffer.concat([fixed, frame, Buffer.alloc(pad4(frame.length))]));
}

// -------------------------------------------------------------------------------------------------
// Addresses and checksums

export function ipBytes(host: string): Buffer {
  const h = host.replace(/^\[|\]$/g, '').split('%')[0] as string;
  if (isIPv4(h)) return Buffer.from(h.split('.').map(Number));
  // IPv6, possibly with an embedded IPv4 tail (::ffff:127.0.0.1).
  let text = h;
  const tail: number[] = [];
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (m) {
    const v4 = (m[2] as string).split('.').map(Number) as [number, number, number, number];
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    text = m[1] as string;
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const [headText, restText] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const head = headText ? headText.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
  const rest = restText ? restText.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
  const groups = 8 - tail.length;
  const fill = restText === null ? [] : new Array<number>(groups - head.length - rest.length).fill(0);
  const words = [...head, ...fill, ...rest, ...tail];
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) {
    throw new Error(`not an IP address: ${host}`);
  }
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

function sum16(buf: Buffer, acc = 0): number {
  let s = acc;
  for (let i = 0; i + 1 < buf.length; i += 2) s += buf.readUInt16BE(i);
  if (buf.length % 2) s += (buf[buf.length - 1] as number) << 8;
  return s;
}

function fold(s: number): number {
  let x = s;
  while (x > 0xffff) x = (x & 0xffff) + Math.floor(x / 0x10000);
  return ~x & 0xffff;
}

export function internetChecksum(...parts: Buffer[]): number {
  let s = 0;
  // Parts are concatenated as one byte string; only the last may have odd length here.
  for (const p of parts) s = sum16(p, s);
  return fold(s);
}

// -------------------------------------------------------------------------------------------------
// Frames

interface Endpoint {
  ip: Buffer;
  port: number;
  mac: Buffer;
}

const PROTO_TCP = 6;
const PROTO_UDP = 17;

function ipFrame(src: Endpoint, dst: Endpoint, proto: number, l4: Buffer, ipId: number): Buffer {
  const v6 = src.ip.length === 16;
  const eth = Buffer.alloc(14);
  dst.mac.copy(eth, 0);
  src.mac.copy(eth, 6);
  eth.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  let ip: Buffer;
  if (v6) {
    ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(l4.length, 4);
    ip[6] = proto;
    ip[7] = 64;
    src.ip.copy(ip, 8);
    dst.ip.copy(ip, 24);
  } else {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + l4.length, 2);
    ip.writeUInt16BE(ipId & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6); // DF
    ip[8] = 64;
    ip[9] = proto;
    src.ip.copy(ip, 12);
    dst.ip.copy(ip, 16);
    ip.writeUInt16BE(internetChecksum(ip), 10);
  }
  // Transport checksum over the pseudo-header.
  const pseudo = v6 ? Buffer.alloc(40) : Buffer.alloc(12);
  if (v6) {
    src.ip.copy(pseudo, 0);
    dst.ip.copy(pseudo, 16);
    pseudo.writeUInt32BE(l4.length, 32);
    pseudo[39] = proto;
  } else {
    src.ip.copy(pseudo, 0);
    dst.ip.copy(pseudo, 4);
    pseudo[9] = proto;
    pseudo.writeUInt16BE(l4.length, 10);
  }
  const at = proto === PROTO_TCP ? 16 : 6;
  l4.writeUInt16BE(0, at);
  let c = internetChecksum(pseudo, l4);
  if (proto === PROTO_UDP && c === 0) c = 0xffff;
  l4.writeUInt16BE(c, at);
  return Buffer.concat([eth, ip, l4]);
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

function tcpSegment(src: Endpoint, dst: Endpoint, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20 + payload.length);
  h.writeUInt16BE(src.port, 0);
  h.writeUInt16BE(dst.port, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  payload.copy(h, 20);
  return h;
}

/** The frames of one TCP conversation, sequence numbers kept consistent across calls. */
export class TcpSynthesiser {
  private readonly local: Endpoint;
  private readonly peer: Endpoint;
  private next: { local: number; peer: number } = { local: ISN.local, peer: ISN.peer };
  private ipId = 1;

  constructor(local: { host: string; port: number }, peer: { host: string; port: number }) {
    this.local = { ip: ipBytes(local.host), port: local.port, mac: LOCAL_MAC };
    this.peer = { ip: ipBytes(peer.host), port: peer.port, mac: PEER_MAC };
    if (this.local.ip.length !== this.peer.ip.length) throw new Error('both addresses must be of one family');
  }

  /** SYN, SYN-ACK, ACK: the side that connected (`client` = us) opens. */
  handshake(weConnected: boolean): Buffer[] {
    const [a, b] = weConnected ? (['local', 'peer'] as const) : (['peer', 'local'] as const);
    const frames = [
      this.frame(a, TCP_FLAGS.SYN, Buffer.alloc(0), this.next[a], 0),
      this.frame(b, TCP_FLAGS.SYN | TCP_FLAGS.ACK, Buffer.alloc(0), this.next[b], this.next[a] + 1),
    ];
    this.next.local += 1;
    this.next.peer += 1;
    frames.push(this.frame(a, TCP_FLAGS.ACK, Buffer.alloc(0), this.next[a], this.next[b]));
    return frames;
  }

  /** One recorded chunk: `out` = we sent it, `in` = the peer did. */
  data(dir: 'in' | 'out', bytes: Buffer): Buffer[] {
    const side = dir === 'out' ? 'local' : 'peer';
    const other = dir === 'out' ? 'peer' : 'local';
    const frames: Buffer[] = [];
    for (let off = 0; off < bytes.length; off += MAX_SEGMENT) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + MAX_SEGMENT));
      const last = off + MAX_SEGMENT >= bytes.length;
      frames.push(this.frame(side, TCP_FLAGS.ACK | (last ? TCP_FLAGS.PSH : 0), part, this.next[side], this.next[other]));
      this.next[side] = (this.next[side] + part.length) % 0x100000000;
    }
    return frames;
  }

  private frame(side: 'local' | 'peer', flags: number, payload: Buffer, seq: number, ack: number): Buffer {
    const [src, dst] = side === 'local' ? [this.local, this.peer] : [this.peer, this.local];
    return ipFrame(src, dst, PROTO_TCP, tcpSegment(src, dst, seq, flags & TCP_FLAGS.ACK ? ack : 0, flags, payload), this.ipId++);
  }
}

/** Datagram frames between our socket and each datagram's peer. */
export class UdpSynthesiser {
  private readonly local: { ip: Buffer; port: number };
  private ipId = 1;

  constructor(local: { host: string; port: number }) {
    this.local = { ip: ipBytes(local.host), port: local.port };
  }

  datagram(dir: 'in' | 'out', peer: { host: string; port: number }, payload: Buffer): Buffer {
    const l = { ...this.local, mac: LOCAL_MAC };
    let p = { ip: ipBytes(peer.host), port: peer.port, mac: PEER_MAC };
    if (p.ip.length !== l.ip.length) {
      // A v4 peer on a dual-stack socket: show it v4-mapped.
      p = { ...p, ip: p.ip.length === 4 ? Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), p.ip]) : p.ip.subarray(12) };
    }
    const [src, dst] = dir === 'out' ? [l, p] : [p, l];
    const u = Buffer.alloc(8 + payload.length);
    u.writeUInt16BE(src.port, 0);
    u.writeUInt16BE(dst.port, 2);
    u.writeUInt16BE(u.length, 4);
    payload.copy(u, 8);
    return ipFrame(src, dst, PROTO_UDP, u, this.ipId++);
  }
}

// -------------------------------------------------------------------------------------------------
// Export

interface Header {
  type: 'header';
  format: string;
  kind: 'tcp' | 'udp' | 'unix';
  role: 'client' | 'accepted' | 'udp';
  localAddr: SockAddr | null;
  remoteAddr: SockAddr | null;
  /** A TLS stream's version and cipher (recorder.ts): the data is its plaintext. */
  tls?: string;
  startedUs: number;
}

interface DataLine {
  type: 'data';
  us: number;
  dir: 'in' | 'out';
  peer?: string;
  data: string;
}

export class ExportError extends Error {}

function splitHostPort(text: string): { host: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(text);
  if (!m) throw new ExportError(`cannot read the address ${text}`);
  return { host: m[1] as string, port: Number(m[2]) };
}

/**
 * Reads a JSON Lines recording and writes `.pcapng` to a new file (never into an existing one, never
 * through a symlink: `replaceFile` puts it in place); returns how many packets were written.
 */
export async function exportPcapng(recordingPath: string, outPath: string): Promise<{ packets: number }> {
  const input = createInterface({ input: createReadStream(recordingPath), crlfDelay: Infinity });
  const out = createNewFileStream(outPath);
  const failed = once(out, 'error').then(([e]) => {
    throw e as Error;
  });
  failed.catch(() => {});
  const write = async (b: Buffer) => {
    if (!out.write(b)) await Promise.race([once(out, 'drain'), failed]);
  };
  let tcp: TcpSynthesiser | null = null;
  let udp: UdpSynthesiser | null = null;
  let packets = 0;
  let header: Header | null = null;
  try {
    for await (const text of input) {
      if (!text.trim()) continue;
      let rec: Header | DataLine | { type: string };
      try {
        rec = JSON.parse(text) as typeof rec;
      } catch {
        break; // a recording still being written may end mid-line
      }
      if (!header) {
        if (rec.type !== 'header' || (rec as Header).format !== RECORDING_FORMAT) throw new ExportError('not a Sockscope recording');
        header = rec as Header;
        const { localAddr: local, remoteAddr: remote } = header;
        if (header.kind === 'unix' || local?.kind !== 'inet') throw new ExportError('only TCP/IP and UDP/IP recordings can be exported as pcapng');
        const synthesised = 'Link, IP and transport headers synthesised by Sockscope from a recorded byte stream (docs/recording.md).';
        // The bytes are what TLS carried, not its records: say so where Wireshark shows the file's comment.
        const decrypted = header.tls ? ` Decrypted TLS: the payload is the plaintext of a TLS stream (${header.tls}); the TLS records are not in this file.` : '';
        await write(sectionHeaderBlock(synthesised + decrypted));
        await write(interfaceDescriptionBlock('sockscope-recording'));
        if (header.kind === 'tcp') {
          if (remote?.kind !== 'inet') throw new ExportError('the recording does not name the peer');
          tcp = new TcpSynthesiser(local, remote);
          for (const f of tcp.handshake(header.role === 'client')) {
            await write(enhancedPacketBlock(header.startedUs, f));
            packets++;
          }
        } else {
          udp = new UdpSynthesiser(local);
        }
        continue;
      }
      if (rec.type !== 'data') continue;
      const d = rec as DataLine;
      const payload = Buffer.from(d.data, 'base64');
      if (tcp) {
        for (const f of tcp.data(d.dir, payload)) {
          await write(enhancedPacketBlock(d.us, f));
          packets++;
        }
      } else if (udp) {
        const peer = d.peer ? splitHostPort(d.peer) : header.remoteAddr?.kind === 'inet' ? header.remoteAddr : null;
        if (!peer) continue;
        await write(enhancedPacketBlock(d.us, udp.datagram(d.dir, peer, payload)));
        packets++;
      }
    }
    if (!header) throw new ExportError('the recording is empty');
    out.end();
    await Promise.race([once(out, 'close'), failed]);
  } catch (err) {
    out.destroy();
    throw err;
  } finally {
    input.close();
  }
  return { packets };
}
