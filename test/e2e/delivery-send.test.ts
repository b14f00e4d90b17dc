import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiSession, type ApiCall } from './support/api-session.ts';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { signIn } from './support/console-actions.ts';
import {
  deliveryEnv,
  seedProfiles,
  startBatchReceiver,
  success,
  type BatchReceiver,
} from './support/delivery-world.ts';

// Send now from the console (issue 17 items 5 and 1) against a real Touchpoint whose embedded
// dispatcher sends to a real receiver on 127.0.0.1 that refuses two push_ids for good (fail_list).
// Users come through /v1/batch and the channel and workspace through the API, as in
// delivery.test.ts; the send itself, its progress, the message, its attempts and the log's
// profile filter are all done on the pages. The tests build on each other in order.

const PASSWORD = 'send now console admin 17';
const USERS = Array.from({ length: 50 }, (_, i) => `u-${String(i + 1).padStart(2, '0')}`);
const REFUSED = ['u-07', 'u-13'];

interface Receiver extends BatchReceiver {
  /** Every push_id received, in order. */
  readonly received: string[];
}

async function startReceiver(): Promise<Receiver> {
  const received: string[] = [];
  const receiver = await startBatchReceiver((messages) => {
    received.push(...messages.map((m) => m.push_id));
    return {
      body: success(
        messages.flatMap((m, i) =>
          REFUSED.includes(m.push_id) ? [{ index: i + 1, message: `user ${m.push_id} is banned` }] : [],
        ),
      ),
    };
  });
  return { ...receiver, received };
}

const countIn = async (page: Page, scope: string, state: string) =>
  (
    await page
      .locator(`${scope} [data-testid="state-counts"] [data-state="${state}"] .state-count-value`)
      .innerText()
  ).trim();

describe('console: Send now, its progress, and the log filtered by a profile of any ID type', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let receiver: Receiver;
  let admin: ApiCall;
  let channelId = '';
  let sendId = '';
  const tabs: ConsolePage[] = [];

  before(async () => {
    server = await startConsoleServer({
      adminPassword: PASSWORD,
      env: deliveryEnv,
    });
    browser = await launchBrowser();
    receiver = await startReceiver();
    admin = await apiSession(server.url, server.firstAdmin.email, PASSWORD);

    await seedProfiles(server.url, admin, USERS, (u) => ({ nickname: `Player ${u}` }));
    const workspace = await admin<{ id: string }>('POST', '/api/v1/projects/1/workspaces', {
      name: 'Live ops',
    });
    const created = await admin<{ id: string }>('POST', '/api/v1/projects/1/channels', {
      kind: 'webhook',
      name: 'Game mail',
      category: 'notification',
      url: `${receiver.url}/mail`,
      send_id_type: 'user_id',
      auth: 'none',
      batch_size: 10,
      template: [
        { key: 'title', label: 'Title', type: 'text' },
        { key: 'content', label: 'Content', type: 'dynamic_text' },
      ],
    });
    channelId = created.id;
    await admin('PUT', `/api/v1/projects/1/channels/${channelId}/workspaces/${workspace.id}`);
  });
  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  async function signedIn(locale: 'en' | 'zh-CN' = 'en'): Promise<ConsolePage> {
    const tab = await openConsole(browser, server.url, { locale: locale === 'en' ? 'en-US' : 'zh-CN' });
    tabs.push(tab);
    await signIn(tab.page, server.firstAdmin.email, PASSWORD);
    return tab;
  }

  it('sends to 50 recipients from the dialog (49 pasted, one picked from profiles, one unknown skipped) and follows the progress to its final counts', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.goto(`/projects/1/connections/channels/${channelId}`);
    await page.getByRole('button', { name: 'Send now' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Send now through Game mail' }).waitFor();
    // The only workspace the channel is authorized to is chosen.
    assert.equal(await dialog.getByLabel('Workspace').locator('option:checked').innerText(), 'Live ops');

    // 49 users pasted under user_id (one line twice: counted once), plus one nobody has.
    const pasted = [...USERS.slice(0, 49), USERS[0], 'u-nobody'].join('\n');
    await dialog.getByLabel('Recipient IDs, one per line').fill(pasted);
    await dialog.getByTestId('pasted-count').filter({ hasText: '50 pasted' }).waitFor();
    // The 50th is picked from profiles: found by its user_id, added by tp_uid.
    await dialog.getByLabel('Find by ID type').selectOption('user_id');
    await dialog.getByLabel('ID value to find').fill('u-50');
    await dialog.getByLabel('ID value to find').press('Enter');
    await dialog.getByTestId('profile-picker-list').getByText('user_id u-50').waitFor();
    await dialog.getByRole('button', { name: 'Add user_id u-50' }).click();
    await dialog.getByRole('list', { name: 'Picked profiles' }).getByText('user_id u-50').waitFor();

    // A coded server error lands under its field: the title is required.
    await dialog.getByLabel('Content').fill('Hello ${name}!');
    await dialog.getByRole('button', { name: 'Send to 51' }).click();
    const titleField = dialog.locator('.test-value').filter({ has: page.getByLabel('Title') });
    await titleField.locator('.field-error').waitFor();
    assert.equal(await dialog.getByLabel('Title').getAttribute('aria-invalid'), 'true');
    // So is an undeclared ${name}; "declare" adds the variable, its source is edited.
    await dialog.getByLabel('Title').fill('Daily rewards');
    await dialog.getByRole('button', { name: 'Declare ${name}' }).click();
    await dialog.getByLabel('Variable 1 source').fill('user.nickname');
    await screenshot(page, 'send-now-form-en');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'send-now-form-en-1280');
    await page.setViewportSize({ width: 1440, height: 900 });

    // A double click sends once (the dialog's idempotency key; the button is busy meanwhile).
    await dialog.getByRole('button', { name: 'Send to 51' }).dblclick();
    const progress = page.getByTestId('send-progress');
    await progress.waitFor();
    sendId = (await progress.getByTestId('send-id').innerText()).trim();
    assert.match(sendId, /^snd_/);
    assert.equal((await progress.getByTestId('send-queued').innerText()).trim(), '50');
    assert.equal((await progress.getByTestId('send-skipped-count').innerText()).trim(), '1');
    const skipped = progress.getByTestId('send-skipped');
    assert.match(
      await skipped.innerText(),
      /#50\s+user_id u-nobody\s+not_found\s+No profile holds this ID\./,
    );

    // The counts update by themselves until nothing is queued or sending.
    await page.locator('[data-testid="send-progress"][data-done="true"]').waitFor({ timeout: 30_000 });
    assert.equal(await countIn(page, '[data-testid="send-progress"]', 'delivered'), '48');
    assert.equal(await countIn(page, '[data-testid="send-progress"]', 'failed'), '2');
    assert.equal(await countIn(page, '[data-testid="send-progress"]', 'all'), '50');
    assert.match(await progress.getByTestId('send-progress-text').innerText(), /All 50 finished/);
    await screenshot(page, 'send-now-progress-en');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'send-now-progress-en-1280');

    // One send, 50 messages, each pushed once at first (the two refused are not retried).
    const sends = await admin<{ items: { send_id: string }[] }>(
      'GET',
      `/api/v1/projects/1/messages?channel_id=${channelId}&limit=100`,
    );
    assert.equal(sends.items.length, 50);
    assert.deepEqual([...new Set(sends.items.map((m) => m.send_id))], [sendId]);
    assert.equal(receiver.received.length, 50);
    assert.equal(new Set(receiver.received).size, 50);
    const u50 = sends.items.find((m) => (m as unknown as { push_id: string }).push_id === 'u-50');
    assert.ok(u50, 'the picked profile got its message');
    tab.assertClean();
  });

  it('opens the log filtered by the send, finds a refused message by push_id and shows the failure reason in its attempts', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.goto(`/projects/1/connections/channels/${channelId}?send=1`);
    // (a new dialog opening: empty form) — close it and use the progress link of the API's send.
    await page.getByRole('dialog').getByLabel('Recipient IDs, one per line').waitFor();
    assert.equal(await page.getByRole('dialog').getByLabel('Recipient IDs, one per line').inputValue(), '');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await page.goto(`/projects/1/delivery?send_id=${sendId}`);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="state-counts"] [data-state="all"] .state-count-value')
          ?.textContent === '50',
    );
    assert.equal(await countIn(page, '', 'failed'), '2');
    await page.getByLabel('push_id').fill('u-07');
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('region', { name: 'Messages' });
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="Messages"] tbody tr').length === 1,
    );
    await table.locator('tbody [data-state="failed"]').waitFor();
    await table.locator('tbody a.cell-primary').click();
    await page.getByRole('heading', { name: 'Message to u-07' }).waitFor();
    const attempts = page.getByRole('table', { name: 'Attempts' });
    const first = attempts.locator('tbody tr[data-attempt]').first();
    await first.getByRole('button', { name: 'Show attempt 1' }).click();
    assert.match(await attempts.innerText(), /user u-07 is banned/);
    await screenshot(page, 'send-now-message-en');
    tab.assertClean();
  });

  it('filters the log by a profile’s user_id (and finds nothing for an unknown one, without an error)', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.goto('/projects/1/delivery');
    await page.locator('section.table-card tbody tr').first().waitFor();
    await page.getByLabel('Profile ID type').selectOption('user_id');
    await page.getByLabel('Profile ID', { exact: true }).fill('u-13');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="Messages"] tbody tr').length === 1,
    );
    assert.match(page.url(), /id_type=user_id&id_value=u-13/);
    const table = page.getByRole('region', { name: 'Messages' });
    assert.match(await table.locator('tbody tr').innerText(), /to u-13/);
    await table.locator('tbody [data-state="failed"]').waitFor();
    assert.equal(await countIn(page, '', 'all'), '1');
    await screenshot(page, 'send-log-by-profile-en');

    await page.getByLabel('Profile ID', { exact: true }).fill('u-nobody');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Nothing matches these filters').waitFor();
    assert.equal(await countIn(page, '', 'all'), '0');
    tab.assertClean();
  });

  it('reads in zh-CN: the dialog, a progress view and the profile filter at 1280 and 1440', async () => {
    const tab = await signedIn('zh-CN');
    const { page } = tab;
    await page.goto(`/projects/1/connections/channels/${channelId}`);
    await page.getByRole('button', { name: '立即发送' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: '通过 Game mail 立即发送' }).waitFor();
    await dialog.getByLabel('接收者 ID，每行一个').fill('u-01\nu-02\nu-nobody');
    await dialog.getByLabel('Title').fill('每日奖励');
    await dialog.getByLabel('Content').fill('您好！');
    await dialog.getByRole('button', { name: '浏览' }).click();
    await dialog.getByTestId('profile-picker-list').locator('li').first().waitFor();
    await screenshot(page, 'send-now-form-zh-CN');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'send-now-form-zh-CN-1280');
    await dialog.getByRole('button', { name: '发送给 3 位' }).click();
    await page.locator('[data-testid="send-progress"][data-done="true"]').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('send-skipped').innerText(), /没有用户档案拥有此 ID/);
    await screenshot(page, 'send-now-progress-zh-CN-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await screenshot(page, 'send-now-progress-zh-CN');
    await page.getByTestId('send-progress').getByRole('link', { name: '在消息日志中查看' }).click();
    await page.getByRole('heading', { name: '查找消息' }).waitFor();
    assert.match(page.url(), /send_id=snd_/);
    await page.getByLabel('用户档案 ID 类型').selectOption('user_id');
    await page.getByLabel('用户档案 ID', { exact: true }).fill('u-01');
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="消息"] tbody tr').length === 1,
    );
    await screenshot(page, 'send-log-by-profile-zh-CN');
    tab.assertClean();
  });
});
