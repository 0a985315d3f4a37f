/** The peer `connect` and `generate` take: which flags win, and the usage errors both commands print. */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-io';
import { streamTarget, TARGET_OPTIONS, udpTarget } from './target-options';

const values = (...args: string[]) => parseArgs({ args, options: TARGET_OPTIONS }).values;

describe('--host/--port/--path', () => {
  it('a TCP target keeps a numeric port as a number and a service name as text; --path wins over --host', () => {
    expect(streamTarget(values('--host', '127.0.0.1', '--port', '7000'))).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(streamTarget(values('--host', '127.0.0.1', '--port', 'whois'))).toEqual({ host: '127.0.0.1', port: 'whois' });
    expect(streamTarget(values('--path', '/tmp/s.sock', '--host', '127.0.0.1'))).toEqual({ path: '/tmp/s.sock' });
    expect(udpTarget(values('--host', '::1', '--port', '53'))).toEqual({ host: '::1', port: 53 });
  });

  it('a missing part is a usage error that names every way to give a target', () => {
    expect(() => streamTarget(values())).toThrow(new UsageError('give --host and --port, or --path'));
    expect(() => streamTarget(values('--port', '1'), ['--udp'])).toThrow(new UsageError('give --host and --port, or --path, or --udp'));
    expect(() => streamTarget(values('--host', '127.0.0.1'))).toThrow(new UsageError('--port is required'));
    expect(() => streamTarget(values('--host', '127.0.0.1', '--port', '70000'))).toThrow(UsageError);
    expect(() => udpTarget(values('--path', '/tmp/s.sock'))).toThrow(new UsageError('--udp needs --host and --port'));
    expect(() => udpTarget(values('--host', '127.0.0.1'))).toThrow(new UsageError('--port is required'));
  });
});
