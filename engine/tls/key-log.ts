/**
 * A connection's TLS secrets in the SSLKEYLOGFILE format (NSS key log: `CLIENT_RANDOM …`,
 * `CLIENT_HANDSHAKE_TRAFFIC_SECRET …`), as Node's `keylog` event gives them line by line. Wireshark
 * and tshark decrypt a capture of the same connection with it. Kept in memory, bounded, exported on
 * request only: the secrets never go to disk unless a person asks.
 */
import { TLS_LIMITS } from '../../shared/tls';

export class KeyLog {
  private readonly lines: Buffer[] = [];
  private kept = 0;
  private droppedLines = 0;

  add(line: Buffer): void {
    if (this.kept + line.length > TLS_LIMITS.keyLogBytes) {
      this.droppedLines++;
      return;
    }
    const copy = Buffer.from(line);
    this.lines.push(copy[copy.length - 1] === 0x0a ? copy : Buffer.concat([copy, Buffer.from('\n')]));
    this.kept += line.length + 1;
  }

  /** The file's text; lines past the cap are not kept (a handshake writes about five). */
  text(): string {
    return Buffer.concat(this.lines).toString('latin1');
  }

  get dropped(): number {
    return this.droppedLines;
  }

  get lineCount(): number {
    return this.lines.length;
  }
}
