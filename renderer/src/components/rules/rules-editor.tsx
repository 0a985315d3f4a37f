import { useRef, useState } from 'react';
import type { RuleHits, RuleSet } from '../../../../shared/rules';
import { useStore } from '../../store/store';
import { draftOf, newRow, ruleSetOf, sameRuleSet, type FrameKind, type RuleRow, type RulesDraft } from './rules-draft';

const MATCH_TYPES = [
  { value: 'exact', label: 'Exact' },
  { value: 'contains', label: 'Contains' },
  { value: 'regex', label: 'Regex' },
] as const;

const FRAMES: readonly { value: FrameKind; label: string }[] = [
  { value: 'line', label: 'Each line' },
  { value: 'chunk', label: 'Each chunk' },
  { value: 'delimiter', label: 'Delimiter' },
  { value: 'size', label: 'Fixed size' },
];

type Problem = { rowKey: number | null; message: string } | null;

/**
 * "When this arrives, reply that": a listener's or UDP endpoint's rules, first match wins. Every
 * change goes to the engine at once (in order, one command at a time) and applies to what arrives
 * from then on; a rule the engine refuses (a bad regex…) shows why at its row and the engine keeps
 * the rules it had. A change made elsewhere (another window, a session import) shows here unless
 * it is the echo of our own.
 */
export function RulesEditor({ endpointId, kind, rules, hits }: { endpointId: string; kind: 'tcp-listener' | 'udp'; rules: RuleSet | undefined; hits: RuleHits | undefined }) {
  const applyRules = useStore((s) => s.applyRules);
  const [draft, setDraft] = useState<RulesDraft>(() => draftOf(rules));
  const [problem, setProblem] = useState<Problem>(null);
  /** Changes sent and not answered yet: the bar says `applying…` until the engine has them all. */
  const [inFlight, setInFlight] = useState(0);
  const [sentKeys, setSentKeys] = useState<number[]>(() => draftOf(rules).rows.map((r) => r.key));
  const [seen, setSeen] = useState(rules);
  // What the engine will hold once our latest change lands: set when sent, so the engine's echo
  // of our own change (which may come before the command's answer) never resets the rows.
  const [expected, setExpected] = useState<RuleSet | undefined>(rules);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const generation = useRef(0);
  const udp = kind === 'udp';

  if (!sameRuleSet(seen, rules)) {
    setSeen(rules);
    if (!sameRuleSet(expected, rules)) {
      const next = draftOf(rules);
      setDraft(next);
      setSentKeys(next.rows.map((r) => r.key));
      setExpected(rules);
    }
  }

  const change = (next: RulesDraft) => {
    setDraft(next);
    const r = ruleSetOf(next);
    if (!r.ok) {
      setProblem({ rowKey: r.rowKey, message: r.message });
      return;
    }
    if (sameRuleSet(expected, r.set)) {
      setProblem(null);
      return;
    }
    setExpected(r.set);
    setInFlight((n) => n + 1);
    const mine = ++generation.current;
    queue.current = queue.current.then(async () => {
      const answer = await applyRules(endpointId, kind, r.set);
      setInFlight((n) => n - 1);
      if (mine !== generation.current) return;
      if (answer.ok) {
        setSentKeys(r.sentKeys);
        setProblem(null);
      } else {
        setProblem({ rowKey: answer.ruleIndex === null ? null : (r.sentKeys[answer.ruleIndex] ?? null), message: answer.message });
      }
    });
  };

  const setRow = (key: number, patch: Partial<RuleRow>) => change({ ...draft, rows: draft.rows.map((r) => (r.key === key ? { ...r, ...patch } : r)) });
  const hitsOf = (key: number): number | null => {
    const i = sentKeys.indexOf(key);
    return i < 0 ? null : (hits?.rules[i] ?? 0);
  };

  return (
    <section className="rules" role="group" aria-label="Rules settings">
      <div className="rules-bar">
        <span className="rules-title">Rules</span>
        <span className="muted">first match wins · {draft.rows.length === 0 ? 'none: the behaviour answers' : 'they answer instead of the behaviour'}</span>
        <label className="inline-field">
          Frame
          <select value={draft.frame} onChange={(e) => change({ ...draft, frame: e.target.value as FrameKind, frameArg: '' })} title={udp ? 'A datagram is always one frame; Each line drops its trailing newline' : 'What one match looks at'}>
            {FRAMES.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        {(draft.frame === 'delimiter' || draft.frame === 'size') && (
          <input
            aria-label={draft.frame === 'delimiter' ? 'Delimiter' : 'Frame size'}
            className="narrow"
            value={draft.frameArg}
            placeholder={draft.frame === 'delimiter' ? '\\r\\n' : 'bytes'}
            onChange={(e) => change({ ...draft, frameArg: e.target.value })}
          />
        )}
        <input aria-label="Default reply" className="rules-default" placeholder="default reply (none)" value={draft.defaultReply} onChange={(e) => change({ ...draft, defaultReply: e.target.value })} />
        {hits && hits.default > 0 && <span className="muted">{hits.default} default</span>}
        <span role="status" className="muted">
          {inFlight > 0 ? 'applying…' : ''}
        </span>
        <button type="button" onClick={() => change({ ...draft, rows: [...draft.rows, newRow()] })}>
          Add rule
        </button>
      </div>
      {problem && problem.rowKey === null && (
        <p className="field-error" role="alert">
          {problem.message}
        </p>
      )}
      <div className="rules-scroll">
        <table aria-label="Rules" className="grid rules-table">
          <colgroup>
            <col className="r-n" />
            <col className="r-type" />
            <col />
            <col />
            <col className="r-delay" />
            <col className="r-after" />
            <col className="r-hits" />
            <col className="r-remove" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Match type</th>
              <th scope="col">Match</th>
              <th scope="col">Reply</th>
              <th scope="col">Delay</th>
              <th scope="col">After reply</th>
              <th scope="col">Hits</th>
              <th scope="col">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft.rows.map((row, i) => (
              <RuleRowView key={row.key} n={i + 1} row={row} udp={udp} hits={hitsOf(row.key)} error={problem?.rowKey === row.key ? problem.message : null} onChange={(p) => setRow(row.key, p)} onRemove={() => change({ ...draft, rows: draft.rows.filter((r) => r.key !== row.key) })} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RuleRowView({ n, row, udp, hits, error, onChange, onRemove }: { n: number; row: RuleRow; udp: boolean; hits: number | null; error: string | null; onChange(p: Partial<RuleRow>): void; onRemove(): void }) {
  return (
    <>
      <tr>
        <td className="muted">{n}</td>
        <td>
          <select aria-label="Match type" value={row.matchType} onChange={(e) => onChange({ matchType: e.target.value as RuleRow['matchType'] })}>
            {MATCH_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </td>
        <td>
          <input aria-label="Match" className="mono" value={row.match} aria-invalid={error ? true : undefined} placeholder={row.matchType === 'regex' ? '^GET (\\S+)' : 'PING'} onChange={(e) => onChange({ match: e.target.value })} />
        </td>
        <td>
          <input aria-label="Reply" className="mono" value={row.reply} placeholder="+PONG\r\n · $1 · {{counter}}" onChange={(e) => onChange({ reply: e.target.value })} />
        </td>
        <td>
          <input aria-label="Delay ms" className="tiny" inputMode="numeric" value={row.delay} placeholder="0" onChange={(e) => onChange({ delay: e.target.value })} />
        </td>
        <td className="rules-after">
          <label title={udp ? 'A UDP endpoint has no connection to close' : 'Close our side (FIN) once the reply is sent'}>
            <input type="checkbox" aria-label="Close after reply" disabled={udp} checked={row.after === 'close'} onChange={(e) => onChange({ after: e.target.checked ? 'close' : 'none' })} />
            Close
          </label>
          {!udp && (
            <label title="Abort with RST once the reply is sent">
              <input type="checkbox" aria-label="Abort after reply" checked={row.after === 'abort'} onChange={(e) => onChange({ after: e.target.checked ? 'abort' : 'none' })} />
              Abort
            </label>
          )}
        </td>
        <td aria-label="Hits">{hits ?? '–'}</td>
        <td>
          <button type="button" className="link" aria-label={`Remove rule ${n}`} onClick={onRemove}>
            ✕
          </button>
        </td>
      </tr>
      {error && (
        <tr>
          <td />
          <td colSpan={7} className="field-error" role="alert">
            Rule {n}: {error}
          </td>
        </tr>
      )}
    </>
  );
}
