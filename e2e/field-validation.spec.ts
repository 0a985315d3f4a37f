/**
 * Bad input is refused where it was typed, with a message that says what is wrong, and nothing is
 * opened or sent: a port out of range, an empty host, bad hex with the position of the first bad
 * character, a service name the system's services database does not know.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function openForm(page: Page, button: 'New listener' | 'New connection' | 'New UDP endpoint'): Promise<Locator> {
  await page.getByRole('button', { name: button, exact: true }).click();
  return page.getByRole('dialog', { name: button });
}

/** The field is marked invalid and described by the message (the message is at the field). */
async function expectFieldError(field: Locator, message: RegExp): Promise<void> {
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(message);
}

test.describe('field validation', () => {
  test('ports out of range, in every creation form, are refused at the Port field', async ({ page }) => {
    for (const [button, submit, host] of [
      ['New connection', 'Connect', 'Host'],
      ['New listener', 'Listen', 'Bind address'],
      ['New UDP endpoint', 'Bind', 'Bind address'],
    ] as const) {
      const dialog = await openForm(page, button);
      await dialog.getByRole('textbox', { name: host, exact: true }).fill('127.0.0.1');
      const port = dialog.getByRole('textbox', { name: 'Port', exact: true });
      await port.fill('70000');
      await dialog.getByRole('button', { name: submit, exact: true }).click();
      await expectFieldError(port, /Port 70000 is out of range: a port is 0 to 65535/);
      await port.fill('-1');
      await dialog.getByRole('button', { name: submit, exact: true }).click();
      await expectFieldError(port, /cannot be negative/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    }
    await expect(page.getByRole('region')).toHaveCount(0);
  });

  test('an empty host or bind address is refused at its field', async ({ page }) => {
    const connect = await openForm(page, 'New connection');
    await connect.getByRole('textbox', { name: 'Host', exact: true }).fill('   ');
    await connect.getByRole('textbox', { name: 'Port', exact: true }).fill('80');
    await connect.getByRole('button', { name: 'Connect', exact: true }).click();
    await expectFieldError(connect.getByRole('textbox', { name: 'Host', exact: true }), /Enter a host/);
    // A host of more than 253 characters, or with a space, is refused there too.
    await connect.getByRole('textbox', { name: 'Host', exact: true }).fill(`${'a'.repeat(254)}`);
    await connect.getByRole('button', { name: 'Connect', exact: true }).click();
    await expectFieldError(connect.getByRole('textbox', { name: 'Host', exact: true }), /at most 253 characters/);
    await connect.getByRole('button', { name: 'Cancel' }).click();

    const listen = await openForm(page, 'New listener');
    await listen.getByRole('textbox', { name: 'Bind address' }).fill('');
    await listen.getByRole('button', { name: 'Listen', exact: true }).click();
    await expectFieldError(listen.getByRole('textbox', { name: 'Bind address' }), /Enter a bind address/);
    await listen.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('region')).toHaveCount(0);
  });

  test('bad hex is refused at the Message field with its position, and nothing is sent', async ({ page }) => {
    const dialog = await openForm(page, 'New UDP endpoint');
    await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('0');
    await dialog.getByRole('button', { name: 'Bind', exact: true }).click();
    const region = page.getByRole('region', { name: /^UDP endpoint 127\.0\.0\.1:\d+$/ });
    await expect(region).toBeVisible();
    await region.getByRole('textbox', { name: 'Remote host' }).fill('127.0.0.1');
    await region.getByRole('textbox', { name: 'Remote port' }).fill('9');
    await region.getByRole('checkbox', { name: 'Hex' }).check();
    const message = region.getByRole('textbox', { name: 'Message' });

    await message.fill('48 65 zz');
    await region.getByRole('button', { name: 'Send', exact: true }).click();
    await expectFieldError(message, /Bad hex at position 7: "z" is not a hex digit/);

    await message.fill('48 6');
    await region.getByRole('button', { name: 'Send', exact: true }).click();
    await expectFieldError(message, /Bad hex at position 4: hex bytes come in pairs/);

    await expect(region.getByRole('log', { name: 'Traffic' })).toContainText('Nothing sent or received yet.');
    // The text is kept for fixing, and a valid message then goes out.
    await expect(message).toHaveValue('48 6');
    await message.fill('48 69');
    await region.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(message).not.toHaveAttribute('aria-invalid', 'true');
    await expect(region.getByRole('log', { name: 'Traffic' })).toContainText('→ out');
  });

  test('an unknown service name is refused at the Port field; a known one is taken', async ({ page }) => {
    const connect = await openForm(page, 'New connection');
    await connect.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
    const port = connect.getByRole('textbox', { name: 'Port', exact: true });
    await port.fill('no-such-service-xyz');
    await connect.getByRole('button', { name: 'Connect', exact: true }).click();
    await expectFieldError(port, /Unknown service name "no-such-service-xyz" \(tcp\).*services database/);
    await connect.getByRole('button', { name: 'Cancel' }).click();

    const udp = await openForm(page, 'New UDP endpoint');
    const udpPort = udp.getByRole('textbox', { name: 'Port', exact: true });
    await udpPort.fill('nosuchsvc');
    await udp.getByRole('button', { name: 'Bind', exact: true }).click();
    await expectFieldError(udpPort, /Unknown service name "nosuchsvc" \(udp\)/);
    await udp.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('region')).toHaveCount(0);

    // A real service name goes through the form; the workspace says what it resolved to.
    const conn2 = await openForm(page, 'New connection');
    await conn2.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
    await conn2.getByRole('textbox', { name: 'Port', exact: true }).fill('whois');
    await conn2.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(conn2).toBeHidden();
    await expect(page.getByRole('region', { name: /^Connection / })).toContainText('whois → 43/tcp');
  });
});
