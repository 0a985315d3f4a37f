/**
 * Optional reverse DNS for the System sockets table (off until the person turns it on). Lookups
 * run in the background, at most `concurrency` at a time, each with its own timeout; answers and
 * failures are cached (bounded, least recently used first out, with an expiry), and a request
 * answers at once with what is known: the UI asks again on its next refresh.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ReverseDnsResult } from '../../shared/system-sockets';
import type { Clock } from '../clock';
import { systemClock } from '../clock';

/** Names for one address (PTR records); rejects when there are none or the lookup failed. */
export type ReverseLookup = (address: string) => Promise<string[]>;

export interface ReverseDnsOptions {
  lookup?: ReverseLookup;
  concurrency?: number;
  maxEntries?: number;
  /** Lookups waiting for a free slot; more are not queued (they are asked for again later). */
  maxQueued?: number;
  ttlMs?: number;
  /** "No name" and failures expire sooner, so a transient DNS failure heals. */
  negativeTtlMs?: number;
  timeoutMs?: number;
  clock?: Clock;
}

interface Entry {
  name: string | null;
  expiresAt: number;
}

const LOOPBACK_NAME = 'localhost';

export class ReverseDnsCache {
  private readonly cache = new Map<string, Entry>();
  private readonly queued: string[] = [];
  private readonly queuedSet = new Set<string>();
  private readonly running = new Set<string>();
  private readonly lookup: ReverseLookup;
  private readonly resolver: Resolver | null;
  private readonly concurrency: number;
  private readonly maxEntries: number;
  private readonly maxQueued: number;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private disposed = false;

  constructor(options: ReverseDnsOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 4000;
    if (options.lookup) {
      this.lookup = options.lookup;
      this.resolver = null;
    } else {
      const resolver = new Resolver({ timeout: this.timeoutMs, tries: 1 });
      this.resolver = resolver;
      this.lookup = (address) => resolver.reverse(address);
    }
    this.concurrency = options.concurrency ?? 4;
    this.maxEntries = options.maxEntries ?? 2000;
    this.maxQueued = options.maxQueued ?? 512;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * What is known about each address now; unknown ones the `allowed` check accepts are queued.
   * Addresses it refuses (not in the table, wildcards) are `skipped` and never looked up.
   */
  query(addresses: readonly string[], allowed: (address: string) => boolean): ReverseDnsResult[] {
    const now = this.clock.now();
    const results: ReverseDnsResult[] = [];
    for (const address of new Set(addresses)) {
      const bare = address.replace(/%.*$/, '');
      if (!isIP(bare) || isWildcard(bare) || !allowed(address)) {
        results.push({ address, status: 'skipped', name: null });
        continue;
      }
      if (isLoopback(bare)) {
        // Never worth a DNS query: the answer is this machine.
        results.push({ address, status: 'resolved', name: LOOPBACK_NAME });
        continue;
      }
      const hit = this.cache.get(address);
      if (hit && hit.expiresAt > now) {
        // Refresh its place in the LRU order.
        this.cache.delete(address);
        this.cache.set(address, hit);
        results.push({ address, status: hit.name === null ? 'none' : 'resolved', name: hit.name });
        continue;
      }
      this.enqueue(address);
      results.push({ address, status: 'pending', name: null });
    }
    this.pump();
    return results;
  }

  /** Lookups running or waiting (for tests and diagnostics). */
  get busy(): number {
    return this.running.size + this.queued.length;
  }

  dispose(): void {
    this.disposed = true;
    this.queued.length = 0;
    this.queuedSet.clear();
    this.resolver?.cancel();
  }

  private enqueue(address: string): void {
    if (this.running.has(address) || this.queuedSet.has(address) || this.queued.length >= this.maxQueued) return;
    this.queued.push(address);
    this.queuedSet.add(address);
  }

  private pump(): void {
    while (!this.disposed && this.running.size < this.concurrency && this.queued.length > 0) {
      const address = this.queued.shift() as string;
      this.queuedSet.delete(address);
      this.running.add(address);
      void this.resolve(address).finally(() => {
        this.running.delete(address);
        this.pump();
      });
    }
  }

  private async resolve(address: string): Promise<void> {
    let name: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ETIMEOUT')), this.timeoutMs);
        timer.unref();
      });
      const names = await Promise.race([this.lookup(address), timeout]);
      name = names.find((n) => typeof n === 'string' && n.length > 0 && n.length <= 253) ?? null;
    } catch {
      name = null;
    } finally {
      clearTimeout(timer);
    }
    if (this.disposed) return;
    this.cache.set(address, { name, expiresAt: this.clock.now() + (name === null ? this.negativeTtlMs : this.ttlMs) });
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || (address.includes(':') && /^[0:]+$/.test(address));
}

function isLoopback(address: string): boolean {
  const lower = address.toLowerCase();
  return lower === '::1' || /^127\./.test(lower) || /^::ffff:127\./.test(lower);
}
