/**
 * "Turn this conversation into…": a conversation with redis-server becomes a script that passes
 * when run again, and a mock server (listener rules) that answers the same script as redis did.
 */
import { describe, expect, it } from 'vitest';
import { b64 } from '../testing/bytes';
import { useTestHosts } from '../testing/test-host';
import { waitFor } from '../testing/wait';
import { parseScriptText } from './parse-script';
import { runScriptText, startRedis } from '../testing/script-test-helpers';

const newHost = useTestHosts();

describe('turn a conversation into a script and a mock server', () => {
  it('from a redis-server conversation: the script passes against redis, and against the mock built from it', async () => {
    const h = newHost();
    const port = await startRedis();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const conv = await waitFor(() => h.connection(endpointId).conversationId, 'connected');
    const exchange = async (line: string, reply: string) => {
      const before = h.conversation(conv).stats.bytesIn;
      await h.call('conversation:send', { conversationId: conv, data: b64(line) });
      await waitFor(() => h.conversation(conv).stats.bytesIn >= before + reply.length, `redis to answer ${line.trim()}`);
    };
    await exchange('PING\r\n', '+PONG\r\n');
    await exchange('SET k {{x}}$1\r\n', '+OK\r\n');
    await exchange('GET k\r\n', '$7\r\n{{x}}$1\r\n');
    await h.call('endpoint:close', { endpointId });

    const files = await h.call('script:from-conversation', { conversationId: conv });
    const parsed = parseScriptText(files.script);
    expect(parsed.ok, parsed.ok ? '' : parsed.error).toBe(true);
    expect(files.script).toContain(`port: ${port}`);
    const again = await runScriptText(h, files.script);
    expect(again.end.outcome, again.end.detail).toBe('passed');
    expect(again.end.expectsPassed).toBe(3);
    expect(again.steps.map((s) => s.kind)).toEqual(['connect', 'send', 'expect', 'send', 'expect', 'send', 'expect', 'close']);

    expect(files.rules.frame).toBe('line');
    expect(files.rules.rules.map((r) => r.match)).toEqual([{ exact: 'PING' }, { exact: 'SET k \\{{x}}$1' }, { exact: 'GET k' }]);
    expect(files.rules.rules[2]?.reply).toBe('$$7\\r\\n\\{{x}}$$1\\r\\n');
    const mock = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, rules: files.rules });
    const local = h.listener(mock.endpointId).local;
    const mockPort = local?.kind === 'inet' ? local.port : 0;
    const againstMock = await runScriptText(h, files.script.replace(`port: ${port}`, `port: ${mockPort}`));
    expect(againstMock.end.outcome, againstMock.end.detail).toBe('passed');
  });

  it('refuses a conversation with nothing in it, or a UDP endpoint', async () => {
    const h = newHost();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const local = h.listener(endpointId).local;
    const c = await h.call('tcp:connect', { host: '127.0.0.1', port: local?.kind === 'inet' ? local.port : 0 });
    const conv = await waitFor(() => h.connection(c.endpointId).conversationId, 'connected');
    expect((await h.fail('script:from-conversation', { conversationId: conv })).message).toContain('nothing was sent or received yet');
    const u = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    expect((await h.fail('script:from-conversation', { conversationId: u.endpointId })).code).toBe('INVALID_STATE');
  });
});
