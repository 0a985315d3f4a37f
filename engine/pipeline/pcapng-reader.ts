/** A small pcapng reader for tests: blocks, Ethernet/IPv4/IPv6/TCP fields and checksums. */
import { internetChecksum } from '../recording/pcapng';

export interface Packet {
  tsUs: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
  ipChecksumOk: boolean;
  tcpChecksumOk: boolean;
}

export function parsePcapng(buf: Buffer): { linktype: number; tsresol: number; packets: Packet[] } {
  let off = 0;
  let linktype = -1;
  let tsresol = 6;
  const packets: Packet[] = [];
  const types: number[] = [];
  while (off < buf.length) {
    const type = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    if (len % 4 !== 0 || buf.readUInt32LE(off + len - 4) !== len) throw new Error(`bad block length at ${off}`);
    const body = buf.subarray(off + 8, off + len - 4);
    types.push(type);
    if (type === 0x0a0d0d0a) {
      if (body.readUInt32LE(0) !== 0x1a2b3c4d) throw new Error('bad byte-order magic');
    } else if (type === 1) {
      linktype = body.readUInt16LE(0);
      let o = 8;
      while (o + 4 <= body.length) {
        const code = body.readUInt16LE(o);
        const l = body.readUInt16LE(o + 2);
        if (code === 0) break;
        if (code === 9) tsresol = body[o + 4] as number;
        o += 4 + l + ((4 - (l % 4)) % 4);
      }
    } else if (type === 6) {
      const ts = (BigInt(body.readUInt32LE(4)) << 32n) | BigInt(body.readUInt32LE(8));
      const capLen = body.readUInt32LE(12);
      packets.push(parseFrame(body.subarray(20, 20 + capLen), Number(ts)));
    }
    off += len;
  }
  if (types[0] !== 0x0a0d0d0a || types[1] !== 1) throw new Error('expected SHB then IDB');
  return { linktype, tsresol, packets };
}

function parseFrame(f: Buffer, tsUs: number): Packet {
  const ethertype = f.readUInt16BE(12);
  const ip = f.subarray(14);
  let l4: Buffer;
  let pseudo: Buffer;
  let ipChecksumOk = true;
  if (ethertype === 0x0800) {
    const ihl = ((ip[0] as number) & 0x0f) * 4;
    const total = ip.readUInt16BE(2);
    ipChecksumOk = internetChecksum(ip.subarray(0, ihl)) === 0;
    l4 = ip.subarray(ihl, total);
    pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, ip[9] as number, l4.length >> 8, l4.length & 255])]);
  } else {
    const plen = ip.readUInt16BE(4);
    l4 = ip.subarray(40, 40 + plen);
    const p = Buffer.alloc(40);
    ip.copy(p, 0, 8, 40);
    p.writeUInt32BE(l4.length, 32);
    p[39] = ip[6] as number;
    pseudo = p;
  }
  const off = ((l4[12] as number) >> 4) * 4;
  return {
    tsUs,
    srcPort: l4.readUInt16BE(0),
    dstPort: l4.readUInt16BE(2),
    seq: l4.readUInt32BE(4),
    ack: l4.readUInt32BE(8),
    flags: l4[13] as number,
    payload: l4.subarray(off),
    ipChecksumOk,
    tcpChecksumOk: internetChecksum(pseudo, l4) === 0,
  };
}

/** Both directions' bytes, and every place where a segment's seq or ack is not what came before. */
export function reassemble(packets: Packet[], localPort: number): { fromLocal: Buffer; fromPeer: Buffer; seqErrors: string[] } {
  const next = new Map<number, number>();
  const parts: Record<'local' | 'peer', Buffer[]> = { local: [], peer: [] };
  const seqErrors: string[] = [];
  for (const [i, p] of packets.entries()) {
    const side = p.srcPort === localPort ? 'local' : 'peer';
    const expected = next.get(p.srcPort);
    if (expected !== undefined && expected !== p.seq) seqErrors.push(`#${i}: seq ${p.seq}, expected ${expected}`);
    const otherNext = next.get(p.dstPort);
    if (p.flags & 0x10 && otherNext !== undefined && p.ack !== otherNext) seqErrors.push(`#${i}: ack ${p.ack}, expected ${otherNext}`);
    next.set(p.srcPort, (p.seq + p.payload.length + (p.flags & 0x02 ? 1 : 0)) >>> 0);
    if (p.payload.length) parts[side].push(p.payload);
  }
  return { fromLocal: Buffer.concat(parts.local), fromPeer: Buffer.concat(parts.peer), seqErrors };
}
