/**
 * What a script runner needs from the world: open (or adopt) one conversation, send on it, be told
 * what arrives and when the peer is gone. The engine implements it over its own endpoints
 * (engine-io.ts); the runner knows nothing else, so it can be read (and tested) on its own.
 */
import type { TlsClientOptions } from '../../shared/tls';
import type { ScriptConnect } from '../../shared/script';

export interface ScriptConnection {
  /** The endpoint the run opened or adopted (null for a listener's client: it has no endpoint of its own). */
  readonly endpointId: string | null;
  readonly conversationId: string;
  /** `HOST:PORT` or the socket path of the peer, for result lines. */
  readonly peer: string;
  readonly kind: 'tcp' | 'unix' | 'udp';
  send(bytes: Uint8Array): Promise<void>;
  shutdown(): Promise<void>;
  reset(): Promise<void>;
  close(): Promise<void>;
  /** STARTTLS on this connection; resolves with the session in words (`TLSv1.3, TLS_AES_256_GCM_SHA384, …`). */
  startTls(options: TlsClientOptions): Promise<string>;
  /** Called with a copy of every chunk (or datagram) received from now on. */
  onReceive(listener: (bytes: Uint8Array) => void): void;
  /** Called once the peer can send nothing more (FIN, RST, closed), with how it ended. */
  onEnded(listener: (how: string) => void): void;
  /** A line in the connection's socket-call timeline (a listener's client: the listener's, tagged). Never throws. */
  note(call: string, result: string, ok: boolean): void;
  /** Stops listening to the engine (the socket itself stays as the steps left it). */
  detach(): void;
}

export interface ScriptIo {
  /** Resolves once connected (TCP, Unix) or bound and connected (UDP); rejects with the error in plain words. */
  connect(spec: ScriptConnect): Promise<ScriptConnection>;
  /** An existing conversation (a connection's, a listener's client, a UDP endpoint's). */
  adopt(conversationId: string): ScriptConnection;
}
