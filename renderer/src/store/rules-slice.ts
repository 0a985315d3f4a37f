/**
 * Rules for a listener or UDP endpoint, set through the engine (which compiles and keeps them, and
 * saves them with the session). The engine refuses a bad set whole and names the rule at fault
 * (`rules.rules[2].match.regex: …`); the answer says which one, so the editor can show it there.
 */
import type { RuleSet } from '../../../shared/rules';
import { engineCall } from './engine-port';
import type { Slice } from './slice';

export type RulesApplyResult = { ok: true } | { ok: false; message: string; ruleIndex: number | null };

export interface RulesSlice {
  applyRules(endpointId: string, kind: 'tcp-listener' | 'udp', rules: RuleSet): Promise<RulesApplyResult>;
}

export const createRulesSlice: Slice<RulesSlice> = () => ({
  applyRules: async (endpointId, kind, rules) => {
    try {
      if (kind === 'udp') await engineCall('udp:configure', { endpointId, rules });
      else await engineCall('listener:configure', { endpointId, rules });
      return { ok: true };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const at = /rules\.rules\[(\d+)\]/.exec(message);
      return { ok: false, message: message.replace(/^rules(\.rules\[\d+\])?\.?[\w.[\]]*: /, ''), ruleIndex: at ? Number(at[1]) : null };
    }
  },
});
