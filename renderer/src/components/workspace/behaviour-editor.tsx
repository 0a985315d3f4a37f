import { useState } from 'react';
import { base64ToBytes, bytesToBase64, parseEscapedText, visibleText } from '../../../../shared/bytes';
import type { Behaviour } from '../../../../shared/endpoints';
import { Checkbox, Select, TextField } from '../forms/fields';

type Mode = Behaviour['mode'];

const decode = (b64: string | undefined) => (b64 ? visibleText(base64ToBytes(b64)).replace(/␍/g, '\\r').replace(/␊\n?/g, '\\n') : '');

/**
 * How a server answers, switchable live: manual, echo, auto-reply (per chunk or per line, with
 * optional close — whois-style), a banner on accept, or discard. Parents key it by the engine's
 * mode, so a change made elsewhere (another window) resets the local fields.
 */
export function BehaviourEditor({
  behaviour,
  onApply,
  allowBanner,
}: {
  behaviour: Behaviour;
  onApply(b: Behaviour): void;
  allowBanner: boolean;
}) {
  const [mode, setMode] = useState<Mode>(behaviour.mode);
  const [reply, setReply] = useState(decode(behaviour.reply));
  const [banner, setBanner] = useState(decode(behaviour.banner));
  const [trigger, setTrigger] = useState<'chunk' | 'line'>(behaviour.trigger ?? 'chunk');
  const [closeAfter, setCloseAfter] = useState(behaviour.closeAfterReply ?? false);
  const [error, setError] = useState<string | null>(null);

  const apply = (next: Partial<{ mode: Mode; reply: string; banner: string; trigger: 'chunk' | 'line'; closeAfter: boolean }>) => {
    const m = next.mode ?? mode;
    const r = parseEscapedText(next.reply ?? reply);
    const bn = parseEscapedText(next.banner ?? banner);
    if (!r.ok || !bn.ok) {
      const bad = !r.ok ? r : (bn as Extract<typeof bn, { ok: false }>);
      setError(`Bad escape at position ${bad.position}: ${bad.error}`);
      return;
    }
    setError(null);
    const b: Behaviour = { mode: m, trigger: next.trigger ?? trigger, closeAfterReply: next.closeAfter ?? closeAfter };
    if (m === 'auto-reply') b.reply = bytesToBase64(r.bytes);
    if (allowBanner && bn.bytes.length > 0) b.banner = bytesToBase64(bn.bytes);
    onApply(b);
  };

  return (
    <div className="behaviour">
      <Select
        label="Behaviour"
        value={mode}
        onChange={(m) => {
          setMode(m);
          apply({ mode: m });
        }}
        options={[
          { value: 'manual', label: 'Manual' },
          { value: 'echo', label: 'Echo' },
          { value: 'auto-reply', label: 'Auto-reply' },
          { value: 'discard', label: 'Discard (sink)' },
        ]}
      />
      {mode === 'auto-reply' && (
        <>
          <TextField label="Reply" value={reply} onChange={setReply} onBlur={() => apply({})} placeholder="e.g. 200 OK\r\n" />
          {allowBanner && (
            <Select
              label="Reply on"
              value={trigger}
              onChange={(t) => {
                setTrigger(t);
                apply({ trigger: t });
              }}
              options={[
                { value: 'chunk', label: 'each chunk' },
                { value: 'line', label: 'each line' },
              ]}
            />
          )}
          {allowBanner && (
            <Checkbox
              label="Close after reply"
              checked={closeAfter}
              onChange={(v) => {
                setCloseAfter(v);
                apply({ closeAfter: v });
              }}
            />
          )}
        </>
      )}
      {allowBanner && <TextField label="Banner on connect" value={banner} onChange={setBanner} onBlur={() => apply({})} placeholder="sent to each new client" />}
      {error && <span className="field-error">{error}</span>}
    </div>
  );
}
