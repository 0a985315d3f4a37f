/**
 * TLS through the UI, against real OpenSSL: a TLS listener (self-signed by Sockscope) that
 * `openssl s_client` talks to, its session in the client's conversation; a TLS connection to an
 * `openssl s_server` whose self-signed certificate is refused in plain words, the certificate at
 * fault shown, then Reconnect without verification as a deliberate click.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { freePort, startPeer, waitForPort } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'sockscope-e2e-tls-'));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a TLS listener with a self-signed certificate: openssl s_client connects, the client’s conversation shows TLSv1.3 and the plaintext', async ({ page }) => {
  await page.getByRole('button', { name: 'New listener', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New listener' });
  await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('0');
  await dialog.getByRole('checkbox', { name: 'TLS', exact: true }).check();
  await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
  const region = page.getByRole('region', { name: /^Listener 127\.0\.0\.1:\d+/ });
  await expect(region).toContainText('Listening');
  const port = Number(/:(\d+)/.exec((await region.getByRole('heading').first().innerText()).trim())?.[1]);
  const own = region.getByRole('group', { name: 'TLS' }).first();
  await expect(own).toContainText('self-signed certificate made by Sockscope');
  await expect(own).toContainText(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);

  const client = startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-quiet']);
  try {
    client.stdin?.write('hello through tls\n');
    const clients = region.getByRole('table', { name: 'Clients' });
    await expect(clients.getByRole('row')).toHaveCount(2);
    await expect(clients.getByRole('row').nth(1)).toContainText('TLSv1.3');
    await clients.getByRole('row').nth(1).click();
    await expect(region.getByRole('log', { name: 'Traffic' })).toContainText('hello through tls');
    const session = region.getByRole('group', { name: 'TLS' }).last();
    await expect(session).toContainText('TLSv1.3');
    await expect(session).toContainText(/TLS_AES_\d+_GCM_SHA\d+|TLS_CHACHA20/);
  } finally {
    client.kill();
  }
});

test('a TLS connection to a self-signed server: refused with the certificate named, then Reconnect without verification shows the session', async ({ page }) => {
  spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '3', '-subj', '/CN=e2e server', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
  const fingerprint = spawnSync('openssl', ['x509', '-in', 'c.pem', '-noout', '-fingerprint', '-sha256'], { cwd: dir, encoding: 'utf8' }).stdout.trim().split('=')[1] ?? '';
  const port = await freePort();
  const server = startPeer('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', join(dir, 'c.pem'), '-key', join(dir, 'k.pem'), '-ign_eof']);
  try {
    await waitForPort(port);
    await page.getByRole('button', { name: 'New connection', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New connection' });
    await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(String(port));
    await dialog.getByRole('checkbox', { name: 'TLS', exact: true }).check();
    await expect(dialog.getByRole('textbox', { name: 'Server name (SNI)' })).toBeVisible();
    await expect(dialog.getByRole('checkbox', { name: 'Verify certificate' })).toBeChecked();
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();

    const region = page.getByRole('region', { name: /^Connection .*127\.0\.0\.1:/ });
    const alert = region.getByRole('alert');
    await expect(alert).toContainText('DEPTH_ZERO_SELF_SIGNED_CERT');
    await expect(alert).toContainText('self-signed');
    await expect(region.getByRole('group', { name: 'TLS' })).toContainText('CN=e2e server');
    await expect(region.getByRole('group', { name: 'TLS' })).toContainText(fingerprint);

    await alert.getByRole('button', { name: 'Reconnect without verification' }).click();
    await expect(region).toContainText('Established');
    const session = region.getByRole('group', { name: 'TLS' });
    await expect(session).toContainText('TLSv1.3');
    await expect(session).toContainText('not verified (verification off)');
    await expect(session).toContainText(fingerprint);
    await region.getByRole('textbox', { name: 'Message' }).fill('secret hello');
    await region.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => server.output()).toContain('secret hello');
  } finally {
    server.kill();
  }
});
