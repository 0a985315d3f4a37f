/**
 * JSON from `Get-NetTCPConnection | Select-Object LocalAddress,LocalPort,RemoteAddress,RemotePort,
 * State,OwningProcess | ConvertTo-Json` (and `Get-NetUDPEndpoint`, which has no remote or state).
 * Unlike netstat's text this is not localised. `ConvertTo-Json` writes a single object when there
 * is one connection and an array otherwise; `State` is the enum's number, or its name when the
 * caller converted it to a string.
 *
 * This is the one parser whose rows are not bounded by the line count: `-Compress` puts every
 * object on one line. It is bounded by the number of objects instead.
 */
import type { TcpState } from '../../shared/system-sockets';
import type { ParseResult, RowDraft } from './parse-common';
import { addProcess, emptyRow, familyOfAddress, lookupState, neverThrow, normalizeAddress, withKeys } from './parse-common';

/** MSFT_NetTCPConnection.State values. */
const STATE_NUMBERS: Record<number, TcpState> = {
  1: 'CLOSED',
  2: 'LISTEN',
  3: 'SYN_SENT',
  4: 'SYN_RECEIVED',
  5: 'ESTABLISHED',
  6: 'FIN_WAIT_1',
  7: 'FIN_WAIT_2',
  8: 'CLOSE_WAIT',
  9: 'CLOSING',
  10: 'LAST_ACK',
  11: 'TIME_WAIT',
  12: 'UNKNOWN', // DeleteTCB
  100: 'BOUND',
};

export function parsePowershellConnections(text: string, proto: 'tcp' | 'udp' = 'tcp'): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => {
      const trimmed = String(text).trim();
      if (trimmed.length === 0) return { rows: [], skippedLines: 0 };
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        return { rows: [], skippedLines: 1 };
      }
      const items = Array.isArray(parsed) ? parsed : [parsed];
      const drafts: RowDraft[] = [];
      let skippedLines = 0;
      for (const item of items) {
        const draft = readItem(item, proto);
        if (draft) drafts.push(draft);
        else skippedLines++;
      }
      return { rows: withKeys(drafts), skippedLines };
    },
  );
}

function readItem(item: unknown, proto: 'tcp' | 'udp'): RowDraft | null {
  if (typeof item !== 'object' || item === null) return null;
  const record = item as Record<string, unknown>;
  const localAddress = asAddress(record.LocalAddress);
  const localPort = asPort(record.LocalPort);
  if (localAddress === null || localPort === null) return null;
  const draft = emptyRow(proto, familyOfAddress(localAddress));
  draft.localAddress = localAddress;
  draft.localPort = localPort;
  if (proto === 'tcp') {
    draft.remoteAddress = asAddress(record.RemoteAddress);
    draft.remotePort = asPort(record.RemotePort);
    const state = readState(record.State);
    draft.state = state.state;
    draft.stateRaw = state.raw;
  }
  const pid = asPort32(record.OwningProcess);
  if (pid !== null && pid > 0) addProcess(draft, pid, null);
  return draft;
}

function asAddress(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) return null;
  return normalizeAddress(value);
}

function asPort(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65_535 ? value : null;
}

function asPort32(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function readState(value: unknown): { state: TcpState; raw: string } {
  if (typeof value === 'number') return { state: STATE_NUMBERS[value] ?? 'UNKNOWN', raw: String(value) };
  if (typeof value === 'string') return { state: lookupState(value) ?? 'UNKNOWN', raw: value.slice(0, 40) };
  return { state: 'UNKNOWN', raw: '' };
}
