/** Socket options a person can change on a bound UDP socket, and its multicast memberships. */
import type dgram from 'node:dgram';
import type { UdpSnapshot } from '../../shared/endpoints';
import { invalidState } from '../command-error';
import { engineError, type ErrorContext } from '../errors/explain-error';
import { stripBrackets } from '../net/resolve-host';
import { isMulticast, membershipInterface, type UdpType } from './udp-address';
import type { UdpTimeline } from './udp-timeline';

/** Records the failure as the endpoint's alert (and its timeline entry) and throws the command error. */
export type Fail = (err: unknown, ctx: ErrorContext, call?: string) => never;

export interface OptionChanges {
  broadcast?: boolean;
  ttl?: number;
  multicastTtl?: number;
  multicastLoopback?: boolean;
}

type OptionsSnapshot = Pick<UdpSnapshot, 'broadcast' | 'ttl' | 'multicastTtl' | 'multicastLoopback' | 'memberships'>;

export class UdpSocketOptions {
  private broadcast = false;
  // Linux defaults: net.ipv4.ip_default_ttl, one hop for multicast, multicast looped back.
  private ttl = 64;
  private multicastTtl = 1;
  private multicastLoopback = true;
  private memberships: { group: string; iface: string | null }[] = [];

  constructor(
    private readonly timeline: UdpTimeline,
    private readonly fail: Fail,
  ) {}

  static touchesSocket(o: OptionChanges): boolean {
    return [o.broadcast, o.ttl, o.multicastTtl, o.multicastLoopback].some((v) => v !== undefined);
  }

  /** Applies each given option in turn; the first failure stops there and throws. */
  apply(socket: dgram.Socket, type: UdpType, o: OptionChanges): void {
    const v6 = type === 'udp6';
    if (o.broadcast !== undefined) {
      const on = o.broadcast;
      this.set(`setsockopt(SO_BROADCAST, ${on ? 1 : 0})`, () => socket.setBroadcast(on));
      this.broadcast = on;
    }
    if (o.ttl !== undefined) {
      const ttl = o.ttl;
      this.set(`setsockopt(${v6 ? 'IPV6_UNICAST_HOPS' : 'IP_TTL'}, ${ttl})`, () => socket.setTTL(ttl));
      this.ttl = ttl;
    }
    if (o.multicastTtl !== undefined) {
      const ttl = o.multicastTtl;
      this.set(`setsockopt(${v6 ? 'IPV6_MULTICAST_HOPS' : 'IP_MULTICAST_TTL'}, ${ttl})`, () => socket.setMulticastTTL(ttl));
      this.multicastTtl = ttl;
    }
    if (o.multicastLoopback !== undefined) {
      const on = o.multicastLoopback;
      this.set(`setsockopt(${v6 ? 'IPV6_MULTICAST_LOOP' : 'IP_MULTICAST_LOOP'}, ${on ? 1 : 0})`, () => socket.setMulticastLoopback(on));
      this.multicastLoopback = on;
    }
  }

  private set(call: string, apply: () => void): void {
    try {
      apply();
    } catch (err) {
      this.fail(err, { syscall: 'setsockopt' }, call);
    }
    this.timeline.add(call);
  }

  /**
   * Joins or leaves a group (IPv4 or IPv6), on the interface a person chose: an address, an
   * interface name or an IPv6 `%zone`; without one the kernel picks by its routing table.
   */
  membership(socket: dgram.Socket, action: 'join' | 'leave', typedGroup: string, typedIface: string | undefined): void {
    const group = stripBrackets(typedGroup);
    const iface = typedIface === undefined || typedIface === '' ? null : typedIface;
    const opt = group.includes(':')
      ? action === 'join' ? 'IPV6_JOIN_GROUP' : 'IPV6_LEAVE_GROUP'
      : action === 'join' ? 'IP_ADD_MEMBERSHIP' : 'IP_DROP_MEMBERSHIP';
    const call = `setsockopt(${opt}, ${group}${iface ? `, ${iface}` : ''})`;
    if (!isMulticast(group)) this.fail(engineError('ENOTMULTICAST', `${group} is not a multicast group`), { target: group }, call);
    const on = iface ? ` on ${iface}` : '';
    const member = this.memberships.findIndex((m) => m.group === group && m.iface === iface);
    if (action === 'join' && member >= 0) throw invalidState(`already a member of ${group}${on}`);
    if (action === 'leave' && member < 0) throw invalidState(`not a member of ${group}${on}`);
    try {
      const ifaceArg = membershipInterface(group, iface ?? undefined);
      if (action === 'join') socket.addMembership(group, ifaceArg);
      else socket.dropMembership(group, ifaceArg);
    } catch (err) {
      this.fail(err, { syscall: 'setsockopt', target: `${group}${on}` }, call);
    }
    this.timeline.add(call);
    if (action === 'join') this.memberships.push({ group, iface });
    else this.memberships.splice(member, 1);
  }

  /** The kernel drops a socket's memberships when it closes. */
  socketClosed(): void {
    this.memberships = [];
  }

  snapshot(): OptionsSnapshot {
    return {
      broadcast: this.broadcast,
      ttl: this.ttl,
      multicastTtl: this.multicastTtl,
      multicastLoopback: this.multicastLoopback,
      memberships: this.memberships.map((m) => ({ ...m })),
    };
  }
}
