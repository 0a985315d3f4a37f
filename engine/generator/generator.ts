/**
 * One traffic generator run. Work is done in slices of at most SLICE_MS, so the event loop (and a
 * Stop) is never kept waiting; each slice sends only what each stream's send queue has room for
 * (HIGH_WATER), so a peer that does not read slows the generator instead of growing memory. A rate
 * is a token bucket refilled from the clock, its burst capped at BURST_S of the rate.
 */
import type { GeneratorSnapshot, GeneratorStartRequest } from '../../shared/generator';
import type { Payload } from './payload';

/** What a generator needs from the engine (generator-handlers.ts implements it). */
export interface GeneratorSinks {
  /** The streams to send to now (conversation ids), re-read every TARGETS_MS (a listener's clients come and go). */
  tcpTargets(): string[];
  /** Bytes waiting in the stream's send queue, or null when it can no longer be sent to. */
  queued(conversationId: string): number | null;
  sendTcp(conversationId: string, bytes: Uint8Array): void;
  /** Datagram targets only: resolves once the kernel took it. */
  sendUdp?(bytes: Uint8Array): Promise<void>;
  /** Announce a change (`counters`: only numbers moved; throttled by the caller). */
  changed(counters: boolean): void;
  now(): number;
}

export const SLICE_MS = 5;
/** Per stream: more than this queued and the generator waits for the peer to read. */
export const HIGH_WATER = 256 * 1024;
/** Datagrams handed to the kernel and not yet confirmed. */
const UDP_IN_FLIGHT = 32;
const BURST_S = 0.1;
const TARGETS_MS = 100;
/** Blocked or rate-limited: look again this soon. */
const IDLE_MS = 2;
/** A rate-limited generator looks at least this often at its duration and targets. */
const RATE_CHECK_MS = 50;
/**
 * Messages for one stream in one slice go out as one write of up to this many bytes: a TCP stream
 * has no message boundaries to keep, and one send() per 15-byte message cost more than the bytes.
 */
const COALESCE_BYTES = 64 * 1024;

export class Generator {
  private state: GeneratorSnapshot['state'] = 'running';
  private messages = 0;
  private bytes = 0;
  private blockedMs = 0;
  private error: string | null = null;
  private readonly startedAt: number;
  private endedAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private targets: string[] = [];
  private targetsAt = -Infinity;
  private credit = 0;
  private lastRefill: number;
  private blockedSince: number | null = null;
  private udpInFlight = 0;
  private readonly samples: { at: number; messages: number; bytes: number }[] = [];
  private readonly endWaiters: (() => void)[] = [];

  constructor(
    readonly id: string,
    private readonly request: GeneratorStartRequest,
    private readonly payload: Payload,
    private readonly sinks: GeneratorSinks,
    readonly endpointIds: readonly string[] = [],
  ) {
    this.startedAt = sinks.now();
    this.lastRefill = this.startedAt;
    this.samples.push({ at: this.startedAt, messages: 0, bytes: 0 });
  }

  start(): void {
    this.schedule(0);
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Resolves once it ended (done, stopped or failed). */
  ended(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  stop(): void {
    this.finish('stopped', null);
  }

  fail(message: string): void {
    this.finish('failed', message);
  }

  snapshot(): GeneratorSnapshot {
    const now = this.sinks.now();
    this.sample(now);
    const newest = this.samples[this.samples.length - 1] as { at: number; messages: number; bytes: number };
    const base = this.samples.find((s) => newest.at - s.at <= 1000 && s !== newest) ?? this.samples[0];
    const span = base ? (newest.at - base.at) / 1000 : 0;
    return {
      id: this.id,
      state: this.state,
      messages: this.messages,
      bytes: this.bytes,
      messagesPerSecond: span > 0 && base && this.running ? Math.round((newest.messages - base.messages) / span) : 0,
      bytesPerSecond: span > 0 && base && this.running ? Math.round((newest.bytes - base.bytes) / span) : 0,
      targets: this.sinks.sendUdp ? 1 : this.targets.length,
      blockedMs: Math.round(this.blockedMs + (this.blockedSince !== null ? now - this.blockedSince : 0)),
      endpointIds: [...this.endpointIds],
      error: this.error,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
    };
  }

  /** Keeps a sample every 250 ms (the last few seconds) for the achieved rates. */
  private sample(now: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && now - last.at < 250) return;
    this.samples.push({ at: now, messages: this.messages, bytes: this.bytes });
    if (this.samples.length > 12) this.samples.shift();
  }

  private finish(state: 'done' | 'stopped' | 'failed', error: string | null): void {
    if (!this.running) return;
    this.state = state;
    this.error = error;
    this.endedAt = this.sinks.now();
    if (this.blockedSince !== null) this.blockedMs += this.endedAt - this.blockedSince;
    this.blockedSince = null;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.sinks.changed(false);
    for (const w of this.endWaiters.splice(0)) w();
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    const run = () => {
      this.timer = null;
      this.immediate = null;
      try {
        this.slice();
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err));
      }
    };
    if (ms <= 0) this.immediate = setImmediate(run);
    else this.timer = setTimeout(run, ms);
  }

  /** How many more messages (or bytes) the rate allows now; Infinity without a rate. */
  private refill(now: number): number {
    const rate = this.request.rate;
    if (!rate) return Infinity;
    const perSecond = 'messagesPerSecond' in rate ? rate.messagesPerSecond : rate.bytesPerSecond;
    const cap = Math.max(perSecond * BURST_S, 1);
    this.credit = Math.min(cap, this.credit + ((now - this.lastRefill) / 1000) * perSecond);
    this.lastRefill = now;
    return this.credit;
  }

  private remainingCount(): number {
    return this.request.count === undefined ? Infinity : this.request.count - this.messages;
  }

  private slice(): void {
    const start = this.sinks.now();
    if (this.request.durationMs !== undefined && start - this.startedAt >= this.request.durationMs) return this.finish('done', null);
    if (this.remainingCount() <= 0) return this.finish('done', null);
    const sentBefore = this.messages;
    const blocked = this.sinks.sendUdp ? this.sliceUdp(start) : this.sliceTcp(start);
    if (!this.running) return;
    if (this.remainingCount() <= 0 && this.udpInFlight === 0) return this.finish('done', null);
    const now = this.sinks.now();
    if (blocked && this.blockedSince === null) this.blockedSince = now;
    if (!blocked && this.blockedSince !== null) {
      this.blockedMs += now - this.blockedSince;
      this.blockedSince = null;
    }
    if (this.messages !== sentBefore) this.sinks.changed(true);
    // Sent all it may: yield to I/O at once; blocked: look again shortly; rate-limited: when the
    // next message's credit is due (within RATE_CHECK_MS, to notice the duration's end and new clients).
    this.schedule(blocked ? IDLE_MS : this.messages === sentBefore || this.request.rate ? this.untilCredit() : 0);
  }

  /** One slice over every stream; true when every stream was full (backpressure). */
  private sliceTcp(start: number): boolean {
    if (start - this.targetsAt >= TARGETS_MS) {
      this.targets = this.sinks.tcpTargets();
      this.targetsAt = start;
      if (this.targets.length === 0 && !('listenerId' in this.request.target)) {
        this.finish('failed', 'no connection left to send to (closed)');
        return false;
      }
    }
    const byBytes = this.request.rate !== undefined && 'bytesPerSecond' in this.request.rate;
    let anyRoom = false;
    let n = 0;
    for (const id of this.targets) {
      let queued = this.sinks.queued(id);
      if (queued === null) {
        this.targetsAt = -Infinity;
        continue;
      }
      let stop = false;
      while (queued < HIGH_WATER && !stop) {
        anyRoom = true;
        const batch: Uint8Array[] = [];
        let batchBytes = 0;
        let batchMessages = 0;
        while (batchBytes < COALESCE_BYTES) {
          const allowed = this.refill(this.sinks.now());
          if (this.remainingCount() - batchMessages <= 0 || allowed < 1) {
            stop = true;
            break;
          }
          const bytes = this.payload(this.messages + batchMessages + 1);
          // A message bigger than the burst goes once the credit reached the cap (the debt is paid after).
          if (byBytes && allowed < Math.min(bytes.length, this.creditCap())) {
            stop = true;
            break;
          }
          batch.push(bytes);
          batchBytes += bytes.length;
          batchMessages++;
          this.credit -= byBytes ? bytes.length : 1;
          if ((++n & 63) === 0 && this.sinks.now() - start >= SLICE_MS) {
            stop = true;
            break;
          }
        }
        if (batchMessages === 0) break;
        try {
          this.sinks.sendTcp(id, batch.length === 1 ? (batch[0] as Uint8Array) : Buffer.concat(batch, batchBytes));
        } catch {
          this.targetsAt = -Infinity;
          break;
        }
        this.messages += batchMessages;
        this.bytes += batchBytes;
        queued += batchBytes;
      }
      if (stop && this.sinks.now() - start >= SLICE_MS) return false;
    }
    return !anyRoom && this.targets.length > 0;
  }

  /** Milliseconds until the rate allows one more message (or byte), at least IDLE_MS. */
  private untilCredit(): number {
    const rate = this.request.rate;
    if (!rate) return IDLE_MS;
    const perSecond = 'messagesPerSecond' in rate ? rate.messagesPerSecond : rate.bytesPerSecond;
    const missing = Math.max(0, 1 - this.credit);
    return Math.min(RATE_CHECK_MS, Math.max(IDLE_MS, (missing / perSecond) * 1000));
  }

  private creditCap(): number {
    const rate = this.request.rate;
    if (!rate) return Infinity;
    return Math.max(('messagesPerSecond' in rate ? rate.messagesPerSecond : rate.bytesPerSecond) * BURST_S, 1);
  }

  private sliceUdp(start: number): boolean {
    const send = this.sinks.sendUdp as (b: Uint8Array) => Promise<void>;
    const byBytes = this.request.rate !== undefined && 'bytesPerSecond' in this.request.rate;
    while (this.udpInFlight < UDP_IN_FLIGHT) {
      const allowed = this.refill(this.sinks.now());
      if (this.remainingCount() - this.udpInFlight <= 0 || allowed < 1) return false;
      const bytes = this.payload(this.messages + this.udpInFlight + 1);
      if (byBytes && allowed < Math.min(bytes.length, this.creditCap())) return false;
      this.credit -= byBytes ? bytes.length : 1;
      this.udpInFlight++;
      send(bytes).then(
        () => {
          this.udpInFlight--;
          this.messages++;
          this.bytes += bytes.length;
        },
        (err: unknown) => {
          this.udpInFlight--;
          this.fail(`send failed: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
      if (this.sinks.now() - start >= SLICE_MS) return false;
    }
    return true;
  }
}
