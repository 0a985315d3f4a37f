/**
 * The drop policy of a UDP endpoint. UDP has no flow control, and a peer can send far faster than
 * anyone can read: the engine keeps (logs, shows, answers) at most a budget of datagrams and bytes
 * per endpoint and one-second window, and counts the rest as `dropped`. Behaviour replies that
 * would have to queue behind a full send queue are dropped and counted the same way.
 *
 * Memory is bounded whatever happens — the traffic log is a ring and the batchers cap previews —
 * so what the budget bounds is work: log churn, hub pushes and replies per second. Drops are told
 * in the timeline once a second, not one by one.
 */
import type { UdpTimeline } from './udp-timeline';

export interface KeepBudget {
  datagrams: number;
  bytes: number;
}

const fmt = (x: number) => x.toLocaleString('en-US');

export class ReceiveBudget {
  private window = { start: Number.NEGATIVE_INFINITY, datagrams: 0, bytes: 0 };
  private unreported = { datagrams: 0, bytes: 0 };
  private repliesUnsent = { datagrams: 0, bytes: 0 };

  constructor(private readonly budget: KeepBudget) {}

  /** True when a datagram that arrived `now` may be kept; false when it is dropped (and counted). */
  keep(now: number, bytes: number): boolean {
    const w = this.window;
    if (now - w.start >= 1000) this.window = { start: now, datagrams: 0, bytes: 0 };
    const cur = this.window;
    // An empty window always takes one datagram, so a single huge one is never refused.
    if (cur.datagrams >= this.budget.datagrams || (cur.datagrams > 0 && cur.bytes + bytes > this.budget.bytes)) {
      this.unreported.datagrams++;
      this.unreported.bytes += bytes;
      return false;
    }
    cur.datagrams++;
    cur.bytes += bytes;
    return true;
  }

  replyDropped(bytes: number): void {
    this.repliesUnsent.datagrams++;
    this.repliesUnsent.bytes += bytes;
  }

  /** Writes what was dropped since the last report; true when anything was. */
  report(timeline: UdpTimeline): boolean {
    let wrote = false;
    const d = this.unreported;
    if (d.datagrams > 0) {
      timeline.add(
        `recvfrom() × ${fmt(d.datagrams)}`,
        `dropped by Sockscope (${fmt(d.bytes)} bytes): more than ${fmt(this.budget.datagrams)} datagrams or ` +
          `${fmt(this.budget.bytes / (1024 * 1024))} MiB arrived within a second; counted, not kept`,
        false,
      );
      this.unreported = { datagrams: 0, bytes: 0 };
      wrote = true;
    }
    const r = this.repliesUnsent;
    if (r.datagrams > 0) {
      timeline.add(
        `sendto() × ${fmt(r.datagrams)}`,
        `replies dropped by Sockscope (${fmt(r.bytes)} bytes): the send queue was full, and UDP replies are never queued without bound`,
        false,
      );
      this.repliesUnsent = { datagrams: 0, bytes: 0 };
      wrote = true;
    }
    return wrote;
  }
}
