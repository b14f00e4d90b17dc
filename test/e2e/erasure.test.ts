import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { apiSession, type ApiCall } from './support/api-session.ts';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';

// Issue 20 item 4, console: erase a user from the profile explorer's profile page, after a
// confirmation that names what is deleted; the bulk form (paste IDs) with per-ID results; the
// same in Chinese. Data comes in through the ingest API; the checks read the API back.

const PASSWORD = 'erasure admin 20 e2e';
const USERS = ['er-1', 'er-2', 'er-3', 'er-4'];

type Profiles = { items: { tp_uid: string }[] };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.locator('nav.sidenav').waitFor();
}

describe('console: erasing users', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let admin: ApiCall;
  const tabs: ConsolePage[] = [];
  const profileOf = async (userId: string) =>
    (await admin<Profiles>('GET', `/api/v1/projects/1/profiles?id_type=user_id&value=${userId}`)).items[0];

  before(async () => {
    server = await startConsoleServer({ adminPassword: PASSWORD });
    browser = await launchBrowser();
    admin = await apiSession(server.url, server.firstAdmin.email, PASSWORD);
    const app = await admin<{ id: string }>('POST', '/api/v1/projects/1/apps', {
      name: 'Game',
      app_type: 'app',
    });
    const source = await admin<{ credentials: { app_key: string } }>('POST', '/api/v1/projects/1/sources', {
      name: 'Game server',
      app_id: app.id,
      platforms: [{ platform: 'server' }],
    });
    const batch = USERS.flatMap((id, i) => [
      { type: 'identify', userId: id, traits: { name: `Player ${i + 1}`, email: `${id}@example.com` } },
      { type: 'track', userId: id, event: 'Level Up', properties: { level: i + 2 } },
    ]);
    const ingest = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${source.credentials.app_key}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch }),
    });
    assert.equal(ingest.status, 200, await ingest.text());
    await until('the profiles', async () => ((await profileOf('er-4')) ? true : undefined));
  });
  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  async function signedIn(locale: 'en' | 'zh-CN'): Promise<ConsolePage> {
    const tab = await openConsole(browser, server.url, { locale: locale === 'en' ? 'en-US' : 'zh-CN' });
    tabs.push(tab);
    await signIn(tab.page, server.firstAdmin.email);
    return tab;
  }

  it('erases a user from the profile page after a confirmation that names what is deleted', async () => {
    const tab = await signedIn('en');
    const { page } = tab;
    const tpUid = (await profileOf('er-1'))!.tp_uid;
    await page.goto(`/projects/1/profiles/${tpUid}`);
    await page.getByRole('heading', { level: 1, name: 'Player 1' }).waitFor();
    await page.getByRole('button', { name: 'Erase user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase Player 1?' });
    await dialog.waitFor();
    await dialog
      .getByText(`The profile ${tpUid}, its 2 identities and every profile merged into it are deleted.`)
      .waitFor();
    await dialog.getByText('Its 2 events and the verify entries that name it are deleted.').waitFor();
    await dialog.getByText(/queued and held messages are cancelled/).waitFor();
    await screenshot(page, 'erasure-confirm');
    // Cancel first: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.ok(await profileOf('er-1'), 'cancel erased nothing');
    await page.getByRole('button', { name: 'Erase user' }).click();
    await dialog.getByRole('button', { name: 'Erase user' }).click();
    await page.getByText('User erased: 2 events deleted, 0 messages cancelled.').waitFor();
    await page.waitForURL(/\/projects\/1\/profiles$/);
    assert.equal(await profileOf('er-1'), undefined);
    assert.ok(await profileOf('er-2'), 'the others stay');
    // The erased profile's address now says it is gone.
    await page.goto(`/projects/1/profiles/${tpUid}`);
    await page.getByText('No profile').first().waitFor();
    tab.assertClean();
  });

  it('erases pasted IDs with the bulk form and shows one result per ID', async () => {
    const tab = await signedIn('en');
    const { page } = tab;
    await page.goto('/projects/1/profiles');
    await page.getByRole('link', { name: 'Erase users' }).click();
    await page.waitForURL(/\/projects\/1\/profiles\/erase$/);
    const form = page.getByRole('form', { name: 'Erase users in bulk' });
    await form.getByLabel('ID type of the pasted values').selectOption('email');
    await form.getByRole('button', { name: 'Erase…' }).click();
    await form.getByText('Required.').waitFor();
    await form
      .getByLabel('IDs, one per line')
      .fill('er-2@example.com\n\ner-3@example.com\nnobody@example.com\n');
    await form.getByText('3 IDs').waitFor();
    await form.getByRole('button', { name: 'Erase…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase 3 users?' });
    await dialog.getByText(/Every profile holding one of these 3 IDs/).waitFor();
    await dialog.getByRole('button', { name: 'Erase 3 users' }).click();
    await page.getByText('2 users erased, 1 IDs not found.').waitFor();
    const results = page.getByRole('table', { name: 'Results' });
    await results.locator('tr[data-key="er-2@example.com"]').getByText('Erased').waitFor();
    await results.locator('tr[data-key="nobody@example.com"]').getByText('Not found (blocked)').waitFor();
    await screenshot(page, 'erasure-bulk');
    assert.equal(await profileOf('er-2'), undefined);
    assert.equal(await profileOf('er-3'), undefined);
    assert.ok(await profileOf('er-4'));
    tab.assertClean();
  });

  it('speaks Chinese: the confirmation and the bulk form', async () => {
    const tab = await signedIn('zh-CN');
    const { page } = tab;
    const tpUid = (await profileOf('er-4'))!.tp_uid;
    await page.goto(`/projects/1/profiles/${tpUid}`);
    await page.getByRole('button', { name: '删除用户数据' }).click();
    const dialog = page.getByRole('dialog', { name: '删除 Player 4 的数据？' });
    await dialog.getByText('它的 2 个事件以及提到它的校验记录都会被删除。').waitFor();
    await dialog.getByRole('button', { name: '删除用户数据' }).click();
    await page.getByText('用户数据已删除：删除 2 个事件，取消 0 条消息。').waitFor();
    assert.equal(await profileOf('er-4'), undefined);
    await page.goto('/projects/1/profiles/erase');
    await page.getByRole('form', { name: '批量删除用户' }).getByLabel('ID，每行一个').waitFor();
    await screenshot(page, 'erasure-bulk-zh');
    tab.assertClean();
  });
});
