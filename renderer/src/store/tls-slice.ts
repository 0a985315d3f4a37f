/**
 * What a person does with TLS from a workspace: reconnect without verification after seeing why a
 * certificate was refused (never silently), upgrade a plain connection (STARTTLS), fetch a stream's
 * key log for Wireshark. Failures go to the status bar like any other command's.
 */
import type { TlsClientOptions } from '../../../shared/tls';
import { engineCall } from './engine-port';
import type { Slice } from './slice';

export interface TlsSlice {
  reconnectWithoutVerification(endpointId: string): Promise<void>;
  startTls(endpointId: string, tls: TlsClientOptions): Promise<void>;
  /** The SSLKEYLOGFILE text; null when it could not be read (the reason is reported). */
  fetchKeyLog(conversationId: string): Promise<string | null>;
}

export const createTlsSlice: Slice<TlsSlice> = (_set, get) => {
  const report = (err: unknown) => get().reportError(err instanceof Error ? err.message : String(err));
  return {
    reconnectWithoutVerification: (endpointId) => engineCall('tcp:reconnect', { endpointId, tlsVerify: false }).then(() => undefined, report),
    startTls: (endpointId, tls) => engineCall('tcp:start-tls', { endpointId, tls }).then(() => undefined, report),
    fetchKeyLog: (conversationId) =>
      engineCall('tls:key-log', { conversationId }).then(
        (r) => r.text,
        (err: unknown) => {
          report(err);
          return null;
        },
      ),
  };
};
