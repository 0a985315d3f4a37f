import { useCallback, useEffect, useRef } from 'react';
import { IpLiteral, REVERSE_DNS_MAX_ADDRESSES } from '../../../../shared/system-sockets';
import { useStore } from '../../store/store';
import { isLoopback, isWildcard } from './socket-rows';

/**
 * Polls `system-sockets:snapshot` while the System sockets view is mounted and the page visible:
 * one request at a time, the next one `interval` after the last answer. Paused, it only lets the
 * highlights fade. Returns `refreshNow`, which also applies a changed interval at once.
 */
export function useSystemSocketsPolling(): () => void {
  const kickRef = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let busy = false;
    let again = false;

    const schedule = () => {
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(() => void tick(false), useStore.getState().sysIntervalMs);
    };

    const tick = async (forced: boolean) => {
      if (stopped) return;
      if (busy) {
        again = true;
        return;
      }
      const s = useStore.getState();
      if ((s.sysPaused && !forced) || document.visibilityState === 'hidden') {
        s.ageSystemSockets(Date.now());
        schedule();
        return;
      }
      busy = true;
      clearTimeout(timer);
      try {
        const answer = await s.fetchSystemSockets(s.sysIncludeUnix);
        if (stopped) return;
        if (!answer.ok) {
          useStore.getState().setSystemSocketsFailure(answer.message);
        } else if (useStore.getState().sysIncludeUnix !== s.sysIncludeUnix) {
          // A switch of "Unix sockets" while this ran: this answer is for the other kind.
          again = true;
        } else {
          useStore.getState().applySystemSockets(answer.view, Date.now());
          if (useStore.getState().sysReverseDns) await resolveNames();
        }
      } finally {
        busy = false;
      }
      if (again) {
        again = false;
        void tick(true);
      } else {
        schedule();
      }
    };

    kickRef.current = () => void tick(true);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void tick(false);
    };
    document.addEventListener('visibilitychange', onVisible);
    // Settings that should apply now rather than after the current (possibly long) interval.
    const unsubscribe = useStore.subscribe((now, before) => {
      if (now.sysIncludeUnix !== before.sysIncludeUnix || (!now.sysPaused && before.sysPaused)) void tick(true);
      else if (now.sysIntervalMs !== before.sysIntervalMs && !busy) schedule();
      else if (now.sysReverseDns && !before.sysReverseDns && !busy) void resolveNames();
    });
    void tick(true);
    return () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      document.removeEventListener('visibilitychange', onVisible);
      kickRef.current = () => {};
    };
  }, []);

  return useCallback(() => kickRef.current(), []);
}

/** Asks for names of the remote addresses in the table that have none yet (bounded per request). */
async function resolveNames(): Promise<void> {
  const s = useStore.getState();
  const wanted: string[] = [];
  const seen = new Set<string>();
  for (const d of s.sysRows) {
    const a = d.row.remoteAddress;
    if (a === null || seen.has(a) || Object.hasOwn(s.sysNames, a) || d.row.proto === 'unix') continue;
    if (isWildcard(a) || isLoopback(a) || !IpLiteral.safeParse(a).success) continue;
    seen.add(a);
    wanted.push(a);
    if (wanted.length >= REVERSE_DNS_MAX_ADDRESSES) break;
  }
  if (wanted.length === 0) return;
  // Names are a nicety: without an answer the table works as it is.
  const results = await s.fetchSysNames(wanted);
  if (results && useStore.getState().sysReverseDns) useStore.getState().mergeSysNames(results);
}
