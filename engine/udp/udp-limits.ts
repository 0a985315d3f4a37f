/**
 * How much a UDP endpoint takes in and queues out. The engine's own (`Engine.udpLimits`, from
 * `EngineOptions.udpLimits` over these defaults): every UDP endpoint reads them from its context.
 */
import type { KeepBudget } from './udp-receive-budget';

export interface UdpLimits {
  /** Received datagrams kept (logged, shown, answered) per endpoint and second; the rest are dropped. */
  keepPerSecond: KeepBudget;
  /** Sends are refused (repeats wait) while the socket's send queue holds this much. */
  sendQueue: { bytes: number; datagrams: number };
}

export const UDP_LIMITS: UdpLimits = {
  keepPerSecond: { datagrams: 20_000, bytes: 64 * 1024 * 1024 },
  sendQueue: { bytes: 1024 * 1024, datagrams: 1024 },
};
