import type { SessionFile } from '../../shared/session';
import { CommandError } from '../command-error';
import { RuleBook } from '../rules/rule-book';
import { compileBehaviour } from '../tcp/behaviours';
import { compileUdpBehaviour } from '../udp/udp-behaviours';

/**
 * What the schema cannot say about a session's endpoints and their handlers refuse (an auto-reply
 * without a reply, a banner on UDP, a reply that decodes past the size limit): checked before a
 * session is adopted, so a file is taken whole or not at all. Null when every endpoint would open.
 */
export function endpointProblem(session: SessionFile): { path: string; message: string } | null {
  for (const [i, e] of session.endpoints.entries()) {
    try {
      if (e.kind === 'tcp-listener') compileBehaviour(e.behaviour);
      else if (e.kind === 'udp') compileUdpBehaviour(e.behaviour);
      // Rules too: a bad regex in a file someone handed over refuses the import, not one endpoint.
      if (e.kind !== 'tcp-connection' && e.rules) RuleBook.compile(e.rules, { udp: e.kind === 'udp' });
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      const issue = err.issues?.[0];
      const path = `endpoints.${i}.${issue?.path ?? 'behaviour'}`;
      return { path, message: issue?.message ?? err.message };
    }
  }
  return null;
}
