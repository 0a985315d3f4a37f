/**
 * What a person does with a UDP endpoint (its state is the endpoints slice's): send one datagram or
 * a repeated one, fix or free its peer, set socket options and multicast memberships. Failures go
 * to the status bar like any other one-click command's.
 */
import type { CommandRequest } from '../../../shared/contract';
import { reportingCall } from './engine-port';
import type { Slice } from './slice';

type Without<N extends 'udp:configure' | 'udp:membership' | 'udp:connect', K extends string> = Omit<CommandRequest<N>, K>;

export interface UdpSlice {
  sendDatagram(request: CommandRequest<'udp:send'>): Promise<void>;
  repeatDatagram(request: CommandRequest<'udp:repeat'>): Promise<void>;
  stopUdpRepeat(endpointId: string): Promise<void>;
  connectUdp(endpointId: string, peer: Without<'udp:connect', 'endpointId'>): Promise<void>;
  disconnectUdp(endpointId: string): Promise<void>;
  configureUdp(endpointId: string, settings: Without<'udp:configure', 'endpointId'>): Promise<void>;
  setUdpMembership(endpointId: string, membership: Without<'udp:membership', 'endpointId'>): Promise<void>;
}

export const createUdpSlice: Slice<UdpSlice> = (_set, get) => {
  const attempt = reportingCall((message) => get().reportError(message));
  const done = () => undefined;
  return {
    sendDatagram: (request) => attempt('udp:send', request).then(done),
    repeatDatagram: (request) => attempt('udp:repeat', request).then(done),
    stopUdpRepeat: (endpointId) => attempt('udp:stop-repeat', { endpointId }).then(done),
    connectUdp: (endpointId, peer) => attempt('udp:connect', { endpointId, ...peer }).then(done),
    disconnectUdp: (endpointId) => attempt('udp:disconnect', { endpointId }).then(done),
    configureUdp: (endpointId, settings) => attempt('udp:configure', { endpointId, ...settings }).then(done),
    setUdpMembership: (endpointId, membership) => attempt('udp:membership', { endpointId, ...membership }).then(done),
  };
};
