import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { bytesToBase64 } from '../../../../shared/bytes';
import type { UdpSnapshot } from '../../../../shared/endpoints';
import { formatSockAddr, type SockAddr } from '../../../../shared/primitives';
import { parseHostField, parsePortField } from '../../lib/validate-fields';
import { useStore } from '../../store/store';
import { Checkbox, TextField } from '../forms/fields';
import { RulesEditor } from '../rules/rules-editor';
import { BehaviourEditor } from './behaviour-editor';
import { Composer } from './composer';
import { ErrorAlert } from './error-alert';
import { ThroughputPanel } from '../charts/throughput-panel';
import { SavedMessagesPanel } from '../saved-messages/saved-messages-panel';
import { GeneratorPanel } from '../scripts/generator-panel';
import { RecordingControls } from './recording-controls';
import type { PanelTab } from './side-panel';
import { StatsLine } from './stats-line';
import { Timeline } from './timeline';
import { TrafficLog } from './traffic-log';
import { WorkspaceLayout } from './workspace-layout';
import { RecentHostChips, splitRecent } from '../session/recent-hosts';

export function UdpWorkspace({ endpoint }: { endpoint: UdpSnapshot }) {
  const [host, setHost] = useState('127.0.0.1');
  const [port, setPort] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [repeat, setRepeat] = useState(false);
  const [count, setCount] = useState('10');
  const [interval, setIntervalText] = useState('100');
  const { sendDatagram, repeatDatagram, stopUdpRepeat, connectUdp, disconnectUdp } = useStore(
    useShallow((s) => ({
      sendDatagram: s.sendDatagram,
      repeatDatagram: s.repeatDatagram,
      stopUdpRepeat: s.stopUdpRepeat,
      connectUdp: s.connectUdp,
      disconnectUdp: s.disconnectUdp,
    })),
  );
  const bound = endpoint.state === 'bound';
  const connected = endpoint.connectedTo !== null;

  /** Destination fields → request parts, or field errors. Connected sockets need none. */
  const destination = (): { host: string; port: number | string } | null | 'connected' => {
    if (connected) return 'connected';
    const h = parseHostField(host, 'remote host');
    const p = parsePortField(port);
    const errs: Record<string, string> = {};
    if ('error' in h) errs.host = h.error;
    if ('error' in p) errs.port = p.error;
    setErrors(errs);
    return 'value' in h && 'value' in p ? { host: h.value, port: p.value } : null;
  };

  const send = async (bytes: Uint8Array) => {
    const dest = destination();
    if (dest === null) return;
    const base = { endpointId: endpoint.id, data: bytesToBase64(bytes), ...(dest === 'connected' ? {} : dest) };
    if (repeat) {
      const n = Number(count);
      const ms = Number(interval);
      if (!Number.isInteger(n) || n < 1 || n > 100_000 || !Number.isInteger(ms) || ms < 0 || ms > 3_600_000) {
        setErrors({ repeat: 'Count is 1–100000 and interval 0–3600000 ms.' });
        return;
      }
      await repeatDatagram({ ...base, count: n, intervalMs: ms });
    } else {
      await sendDatagram(base);
    }
  };

  // Recent UDP peers only (never a TCP server): fills both fields, like a click on a received datagram.
  const pickRecentPeer = (entry: string) => {
    const recent = splitRecent(entry);
    if (!recent) return;
    setHost(recent.host);
    setPort(recent.port);
  };
  const replyTo = (peer: SockAddr) => {
    if (peer.kind !== 'inet') return;
    setHost(peer.host);
    setPort(String(peer.port));
  };

  const tabs: PanelTab[] = [
    { id: 'calls', label: 'Socket calls', render: () => <Timeline entries={endpoint.timeline} /> },
    { id: 'charts', label: 'Charts', render: () => <ThroughputPanel seriesId={endpoint.id} /> },
    { id: 'options', label: 'Options', render: () => <UdpOptions endpoint={endpoint} bound={bound} /> },
    {
      id: 'recording',
      label: 'Recording',
      render: () => <RecordingControls conversationId={endpoint.id} recording={endpoint.recording} canRecord={bound} pcapng />,
    },
    { id: 'saved', label: 'Saved', render: () => <SavedMessagesPanel conversation={endpoint.id} /> },
    {
      id: 'generator',
      label: 'Generator',
      render: () => <GeneratorPanel target={{ udpEndpointId: endpoint.id }} targetKey={`u:${endpoint.id}`} canRun={bound} udpDestination={!endpoint.connectedTo} />,
    },
  ];

  return (
    <WorkspaceLayout endpointId={endpoint.id} tabs={tabs}>
      <ErrorAlert error={endpoint.error} />
      <RulesEditor endpointId={endpoint.id} kind="udp" rules={endpoint.rules} hits={endpoint.ruleHits} />
      <div className="conversation">
        <div className="conversation-head">
          <span className="muted addresses">
            {endpoint.connectedTo ? `connected to ${formatSockAddr(endpoint.connectedTo)}` : 'unconnected: each datagram names its destination'}
          </span>
          <StatsLine stats={endpoint.stats} unit="datagrams" />
        </div>
        <TrafficLog conversationId={endpoint.id} notKept={endpoint.notKept} datagrams onReply={replyTo} />
        <Composer conversationKey={endpoint.id} disabled={!bound} onSend={send}>
          <div className="row">
            {connected ? (
              <span className="muted">Connected to {formatSockAddr(endpoint.connectedTo as SockAddr)}: datagrams go there.</span>
            ) : (
              <>
                <TextField label="Remote host" value={host} onChange={setHost} error={errors.host} className="inline" />
                <TextField label="Remote port" value={port} onChange={setPort} error={errors.port} className="inline narrow" />
                <RecentHostChips proto="udp" label="Recent UDP peers" max={4} pick={pickRecentPeer} />
              </>
            )}
            <button
              type="button"
              disabled={!bound}
              onClick={() => {
                if (connected) {
                  void disconnectUdp(endpoint.id);
                  return;
                }
                const dest = destination();
                if (dest && dest !== 'connected') void connectUdp(endpoint.id, dest);
              }}
            >
              {connected ? 'Disconnect' : 'Connect (fix peer)'}
            </button>
            <Checkbox label="Repeat" checked={repeat} onChange={setRepeat} />
            {repeat && (
              <>
                <TextField label="Count" value={count} onChange={setCount} className="inline narrow" inputMode="numeric" />
                <TextField label="Interval (ms)" value={interval} onChange={setIntervalText} className="inline narrow" inputMode="numeric" error={errors.repeat} />
              </>
            )}
            {endpoint.repeating && (
              <>
                <span role="status">
                  Sent {endpoint.repeating.sent} of {endpoint.repeating.total}
                </span>
                <button type="button" onClick={() => void stopUdpRepeat(endpoint.id)}>
                  Stop
                </button>
              </>
            )}
          </div>
        </Composer>
      </div>
    </WorkspaceLayout>
  );
}

/** Socket options, multicast memberships and the behaviour: the side panel's Options tab. */
function UdpOptions({ endpoint, bound }: { endpoint: UdpSnapshot; bound: boolean }) {
  const [group, setGroup] = useState('239.1.2.3');
  const [iface, setIface] = useState('');
  const configureUdp = useStore((s) => s.configureUdp);
  const setUdpMembership = useStore((s) => s.setUdpMembership);
  return (
    <div className="udp-options">
      <div className="row">
        <Checkbox
          label="Broadcast (SO_BROADCAST)"
          checked={endpoint.broadcast}
          onChange={(v) => void configureUdp(endpoint.id, { broadcast: v })}
        />
        <Checkbox
          label="Multicast loopback"
          checked={endpoint.multicastLoopback}
          onChange={(v) => void configureUdp(endpoint.id, { multicastLoopback: v })}
        />
      </div>
      <div className="row">
        <NumberSetting label="TTL" value={endpoint.ttl} min={1} max={255} onCommit={(ttl) => void configureUdp(endpoint.id, { ttl })} />
        <NumberSetting
          label="Multicast TTL"
          value={endpoint.multicastTtl}
          min={0}
          max={255}
          onCommit={(multicastTtl) => void configureUdp(endpoint.id, { multicastTtl })}
        />
      </div>
      <div className="row">
        <TextField label="Multicast group" value={group} onChange={setGroup} />
        <TextField label="Interface address" value={iface} onChange={setIface} placeholder="default" />
        <button
          type="button"
          disabled={!bound}
          onClick={() => void setUdpMembership(endpoint.id, { action: 'join', group, ...(iface ? { iface } : {}) })}
        >
          Join
        </button>
      </div>
      {endpoint.memberships.length > 0 && (
        <ul aria-label="Memberships">
          {endpoint.memberships.map((m) => (
            <li key={`${m.group}%${m.iface ?? ''}`}>
              {m.group}
              {m.iface ? ` on ${m.iface}` : ''}{' '}
              <button
                type="button"
                className="link"
                onClick={() => void setUdpMembership(endpoint.id, { action: 'leave', group: m.group, ...(m.iface ? { iface: m.iface } : {}) })}
              >
                Leave
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3 className="panel-heading">Behaviour</h3>
      <BehaviourEditor
        behaviour={endpoint.behaviour}
        allowBanner={false}
        onApply={(behaviour) => void configureUdp(endpoint.id, { behaviour })}
      />
    </div>
  );
}

/** A small numeric socket option, applied when the field loses focus (or on Enter). */
function NumberSetting({ label, value, min, max, onCommit }: { label: string; value: number; min: number; max: number; onCommit(v: number): void }) {
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  const commit = () => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      setError(`${label} is ${min} to ${max}.`);
      return;
    }
    setError(null);
    if (n !== value) onCommit(n);
  };
  return (
    <TextField
      label={label}
      value={text}
      onChange={setText}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
      error={error}
      className="narrow"
      inputMode="numeric"
    />
  );
}
