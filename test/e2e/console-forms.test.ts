import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';

// Forms and their errors (issue 13, item 3): a wrong current password is an error of the Change
// password dialog, not a sign-out; the channel form shows every error at once, brings the first
// into view and keeps a summary at its submit button.

const PASSWORD = 'console forms admin 13';

describe('console forms: errors where the user looks', () => {
  let server: ConsoleServer;
  let browser: Browser;
  const tabs: ConsolePage[] = [];
  before(async () => {
    server = await startConsoleServer({ adminPassword: PASSWORD });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  async function signedIn(): Promise<{ tab: ConsolePage; page: Page }> {
    const tab = await openConsole(browser, server.url);
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(server.firstAdmin.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return { tab, page };
  }

  it('says a wrong current password under its field and keeps the session', async () => {
    const { tab, page } = await signedIn();
    await page.getByTestId('user-menu').getByRole('button').click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change password' });
    await dialog.getByLabel('Current password').fill('not the password at all');
    await dialog.getByLabel('New password', { exact: true }).fill('a brand new password 13');
    await dialog.getByLabel('Repeat the new password').fill('a brand new password 13');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('The current password is wrong.').waitFor();
    assert.equal(await dialog.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    assert.match(page.url(), /\/projects\/1\//, 'still on the project, not sent to sign-in');
    await screenshot(page, 'forms-change-password-wrong-current');
    // The session is intact: the dialog closes and the console still answers.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.goto('/projects/1/members');
    await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    tab.assertClean();
  });

  it('shows every channel form error at once, the first in view, a summary at the button', async () => {
    const { tab, page } = await signedIn();
    await page.goto('/projects/1/connections/channels/new');
    const form = page.getByRole('form', { name: 'Create reach channel' });
    await form.getByLabel('Request URL').fill('https://hooks.example.com/in');
    await form.getByRole('button', { name: 'Add field' }).click();
    await form.getByLabel('Field 1 key').fill('1 bad key');
    await form.getByLabel('Field 1 label').fill('Title');
    await form.getByRole('button', { name: 'Create reach channel' }).click();

    // Local rules (name, send ID type) and the server's (the template key) together.
    await form.getByText('Use a letter or _, then letters, digits or _ (e.g. title).').waitFor();
    assert.equal(await form.getByLabel('Channel name').getAttribute('aria-invalid'), 'true');
    assert.equal(await form.getByLabel('Field 1 key').getAttribute('aria-invalid'), 'true');
    await form.getByText('Choose the ID type that addresses each message.').waitFor();

    const summary = form.getByRole('alert').filter({ hasText: /Fix the \d+ highlighted field/ });
    await summary.waitFor();
    const submit = form.getByRole('button', { name: 'Create reach channel' });
    const [alertBox, buttonBox] = [await summary.boundingBox(), await submit.boundingBox()];
    assert.ok(alertBox && buttonBox);
    assert.ok(
      buttonBox.y >= alertBox.y + alertBox.height && buttonBox.y - (alertBox.y + alertBox.height) < 40,
      'the summary sits right above the submit button',
    );
    // The first flagged field has focus and is in the window.
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el?.getBoundingClientRect();
      return {
        invalid: el?.getAttribute('aria-invalid'),
        label: el?.getAttribute('aria-label') ?? (el as HTMLInputElement | null)?.name,
        inView: r ? r.top >= 0 && r.bottom <= window.innerHeight : false,
      };
    });
    assert.equal(focused.invalid, 'true');
    assert.ok(focused.inView, `the first flagged field (${focused.label}) is in view`);
    await screenshot(page, 'forms-channel-all-errors');
    tab.assertClean();
  });
});
