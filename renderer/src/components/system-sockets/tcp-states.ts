import type { SocketProto, TcpState } from '../../../../shared/system-sockets';

/**
 * What each state means and whose move it is: shown on hover over a State cell. "This side" is
 * the socket in the row (its Local address); "the peer" is its Remote.
 */
const TCP_STATE_HELP: Record<TcpState, string> = {
  LISTEN: 'LISTEN: waiting for connections on this address and port. A client moves next (by sending a SYN).',
  SYN_SENT: 'SYN_SENT: this side sent a SYN (connect()) and waits for the SYN-ACK. The peer moves next; if nothing answers, connect() times out.',
  SYN_RECEIVED:
    "SYN_RECEIVED: a SYN arrived and this side answered SYN-ACK; it waits for the client's final ACK. The client moves next. Many of these can mean a SYN flood.",
  ESTABLISHED: 'ESTABLISHED: the connection is open both ways. Either side may send, or close its side.',
  FIN_WAIT_1: 'FIN_WAIT_1: this side closed first (sent its FIN) and waits for the peer to acknowledge it. The peer moves next.',
  FIN_WAIT_2:
    "FIN_WAIT_2: this side's FIN was acknowledged; it waits for the peer to close its side too (the peer's FIN). The peer moves next: its application must close().",
  CLOSE_WAIT:
    "CLOSE_WAIT: the peer closed its side (its FIN arrived) and this side has not closed yet. This side moves next: its application must close(). Many CLOSE_WAIT rows mean a program that forgets to close sockets.",
  CLOSING: 'CLOSING: both sides sent FIN at the same time; this side waits for the ACK of its own FIN. The peer moves next.',
  LAST_ACK: 'LAST_ACK: the peer closed first, then this side closed; it waits for the ACK of its FIN. The peer moves next; then the socket is gone.',
  TIME_WAIT:
    'TIME_WAIT: this side closed first. The connection is over; the kernel keeps the address pair for twice the maximum segment lifetime (60 s on Linux) so late packets cannot land in a new connection. Nobody moves: it goes away by itself.',
  CLOSED: 'CLOSED: no connection; the socket is about to go away.',
  BOUND: 'BOUND: bound to an address and port, but neither listening nor connected.',
  UNCONN: 'UNCONN: a UDP socket with no fixed peer. It receives datagrams sent to its address and may send to anyone.',
  UNKNOWN: 'The tool printed a state Sockscope does not know (its own word is shown).',
};

export function stateHelp(state: TcpState, proto: SocketProto): string {
  if (proto === 'udp' && state === 'ESTABLISHED') {
    return 'ESTABLISHED (UDP): the socket is connect()ed to one peer. It sends there by default and only receives datagrams from there. There is no handshake behind it.';
  }
  if (proto === 'unix') {
    if (state === 'LISTEN') return 'LISTEN: a Unix stream socket waiting for connections on its path.';
    if (state === 'ESTABLISHED') return 'ESTABLISHED: a connected Unix socket (both ends on this machine).';
  }
  return TCP_STATE_HELP[state];
}
