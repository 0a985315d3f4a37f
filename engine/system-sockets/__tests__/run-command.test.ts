/** The real command runner, with harmless real commands (POSIX systems). */
import { describe, expect, it } from 'vitest';
import { CommandRunError, commandEnvironment, createRunCommand } from '../run-command';

const posix = process.platform !== 'win32';

describe.runIf(posix)('createRunCommand', () => {
  const run = createRunCommand({ timeoutMs: 5_000 });

  it('passes arguments verbatim: no shell ever sees them', async () => {
    const result = await run('echo', ['$(id)', ';', '|', '`x`', '*']);
    expect(result).toEqual({ stdout: '$(id) ; | `x` *\n', stderr: '', exitCode: 0 });
  });

  it('reports a missing command as ENOENT', async () => {
    await expect(run('sockscope-no-such-command', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('resolves a non-zero exit with its output (lsof exits 1 with good output)', async () => {
    expect(await run('false', [])).toMatchObject({ exitCode: 1, stdout: '' });
  });

  it('kills a command that runs past the timeout', async () => {
    const quick = createRunCommand({ timeoutMs: 200 });
    const started = Date.now();
    const error = await quick('sleep', ['10']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRunError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('refuses output larger than the buffer', async () => {
    const small = createRunCommand({ timeoutMs: 5_000, maxBuffer: 1_000 });
    await expect(small('head', ['-c', '5000', '/dev/zero'])).rejects.toMatchObject({ code: 'EOUTPUTTOOLARGE' });
  });

  it('runs in the C locale with the system directories on PATH', async () => {
    expect((await run('printenv', ['LC_ALL'])).stdout).toBe('C\n');
    const env = commandEnvironment('linux', { PATH: '/home/me/bin:/usr/bin' });
    expect(env.PATH).toBe('/usr/bin:/bin:/usr/sbin:/sbin:/home/me/bin');
  });
});

describe('commandEnvironment on Windows', () => {
  it('leaves the environment alone (commands run by absolute path)', () => {
    const env = { Path: 'C:\\x' };
    expect(commandEnvironment('win32', env)).toBe(env);
  });
});
