import { useState } from 'react';
import type { GeneratorSnapshot, GeneratorStartRequest } from '../../../../shared/generator';
import { useStore } from '../../store/store';

const fmt = (n: number) => n.toLocaleString('en-US');

function describe(g: GeneratorSnapshot): string {
  const words = { starting: 'Starting', running: 'Running', done: 'Done', stopped: 'Stopped', failed: 'Failed' } as const;
  const rates = g.state === 'running' ? `, ${fmt(g.messagesPerSecond)} msg/s, ${fmt(g.bytesPerSecond)} B/s` : '';
  return `${words[g.state]}: ${fmt(g.messages)} messages, ${fmt(g.bytes)} bytes${rates}${g.blockedMs > 0 ? `, waited ${fmt(g.blockedMs)} ms for the peer` : ''}${g.error ? ` — ${g.error}` : ''}`;
}

/**
 * The traffic generator for what is on screen (a connection, every client of a listener, a UDP
 * endpoint's peer): a message with macros, a rate (empty: as fast as the peer reads), a count
 * and/or a duration; live achieved rates; Stop ends it at once.
 */
export function GeneratorPanel({ target, targetKey, canRun, udpDestination = false }: { target: GeneratorStartRequest['target']; targetKey: string; canRun: boolean; udpDestination?: boolean }) {
  const startGenerator = useStore((s) => s.startGenerator);
  const stopGenerator = useStore((s) => s.stopGenerator);
  const current = useStore((s) => {
    const id = s.generatorOf[targetKey];
    return id ? s.generators[id] : undefined;
  });
  const [message, setMessage] = useState('sockscope {{counter}}\\n');
  const [rate, setRate] = useState('');
  const [count, setCount] = useState('');
  const [seconds, setSeconds] = useState('10');
  const [host, setHost] = useState('127.0.0.1');
  const [port, setPort] = useState('');
  const [error, setError] = useState<string | null>(null);
  const running = current?.state === 'running' || current?.state === 'starting';

  const start = async () => {
    setError(null);
    const n = (v: string) => (v.trim() === '' ? undefined : Number(v));
    const perSecond = n(rate);
    const total = n(count);
    const duration = n(seconds);
    if ([perSecond, total, duration].some((v) => v !== undefined && (!Number.isFinite(v) || v <= 0))) {
      setError('rate, count and duration are positive numbers (or empty)');
      return;
    }
    const dest = udpDestination && 'udpEndpointId' in target ? { ...target, host, port: /^\d+$/.test(port) ? Number(port) : port } : target;
    const request: GeneratorStartRequest = {
      target: dest,
      payload: { text: message },
      ...(perSecond !== undefined ? { rate: { messagesPerSecond: perSecond } } : {}),
      ...(total !== undefined ? { count: Math.round(total) } : {}),
      ...(duration !== undefined ? { durationMs: Math.round(duration * 1000) } : {}),
    };
    const r = await startGenerator(targetKey, request);
    if (!r.ok) setError(r.message);
  };

  return (
    <section className="generator-panel" role="group" aria-label="Traffic generator">
      <div className="field">
        <label htmlFor={`${targetKey}-gen-msg`}>Generator message</label>
        <input id={`${targetKey}-gen-msg`} className="mono" value={message} onChange={(e) => setMessage(e.target.value)} />
      </div>
      {udpDestination && (
        <div className="generator-row">
          <div className="field">
            <label htmlFor={`${targetKey}-gen-host`}>Generator host</label>
            <input id={`${targetKey}-gen-host`} value={host} onChange={(e) => setHost(e.target.value)} />
          </div>
          <div className="field narrow">
            <label htmlFor={`${targetKey}-gen-port`}>Generator port</label>
            <input id={`${targetKey}-gen-port`} value={port} onChange={(e) => setPort(e.target.value)} />
          </div>
        </div>
      )}
      <div className="generator-row">
        <div className="field narrow">
          <label htmlFor={`${targetKey}-gen-rate`}>Messages per second</label>
          <input id={`${targetKey}-gen-rate`} inputMode="numeric" placeholder="full speed" value={rate} onChange={(e) => setRate(e.target.value)} />
        </div>
        <div className="field narrow">
          <label htmlFor={`${targetKey}-gen-count`}>Count</label>
          <input id={`${targetKey}-gen-count`} inputMode="numeric" placeholder="no limit" value={count} onChange={(e) => setCount(e.target.value)} />
        </div>
        <div className="field narrow">
          <label htmlFor={`${targetKey}-gen-seconds`}>Duration (s)</label>
          <input id={`${targetKey}-gen-seconds`} inputMode="numeric" value={seconds} onChange={(e) => setSeconds(e.target.value)} />
        </div>
      </div>
      <div className="script-bar">
        <button type="button" className="primary" onClick={() => void start()} disabled={!canRun || running}>
          Start generator
        </button>
        <button type="button" onClick={() => current && void stopGenerator(current.id)} disabled={!running}>
          Stop generator
        </button>
      </div>
      {current && (
        <p role="status" className="generator-status">
          {describe(current)}
        </p>
      )}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </section>
  );
}
