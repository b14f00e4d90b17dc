import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiSession, type ApiCall } from './support/api-session.ts';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { signIn, until } from './support/console-actions.ts';
import {
  deliveryEnv,
  seedProfiles,
  startBatchReceiver,
  success,
  type BatchReceiver,
} from './support/delivery-world.ts';

// Delivery in the console (issue 17) against a real Touchpoint whose embedded dispatcher (role
// all) sends to a real receiver on 127.0.0.1, with a shrunk retry schedule (3 attempts, then
// dead). Setup an operator would not do on these pages comes from the API: users through
// /v1/batch, channels, a workspace and a send of 50 messages. The receiver refuses some push_ids
// for good (fail_list → failed), answers 500 for one (→ dead) and 410 on a second channel (→
// unhealthy, its messages held); the tests then heal it and act through the console. They build on
// each other in order.

const PASSWORD = 'delivery console admin 17';
const USERS = Array.from({ length: 50 }, (_, i) => `u-${String(i + 1).padStart(2, '0')}`);
const FAILED = ['u-07', 'u-13'];
const DEAD = 'u-21';

interface Receiver extends BatchReceiver {
  /** push_ids refused in fail_list (permanent failure, retry_failed_items off). */
  readonly refuse: Set<string>;
  /** push_ids whose request answers 500 (retried, then dead). */
  readonly crash: Set<string>;
  /** When set, `/gone` answers 410. */
  gone: boolean;
}

async function startReceiver(): Promise<Receiver> {
  const state = { refuse: new Set(FAILED), crash: new Set([DEAD]), gone: true };
  const receiver = await startBatchReceiver((messages, req) => {
    if (req.url === '/gone' && state.gone) return { status: 410, body: { error: 'gone' } };
    if (messages.some((m) => state.crash.has(m.push_id)))
      return { status: 500, body: { error: 'upstream mail gateway down' } };
    return {
      body: success(
        messages.flatMap((m, i) =>
          state.refuse.has(m.push_id) ? [{ index: i + 1, message: `user ${m.push_id} is banned` }] : [],
        ),
      ),
    };
  });
  return Object.assign(state, receiver);
}

type Counts = Record<'queued' | 'sending' | 'delivered' | 'failed' | 'dead' | 'sent' | 'held', number>;

async function countOf(page: Page, state: string): Promise<string> {
  return (
    await page.locator(`[data-testid="state-counts"] [data-state="${state}"] .state-count-value`).innerText()
  ).trim();
}

describe('console: message log, attempts, dead letters and replay, channel health', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let receiver: Receiver;
  let admin: ApiCall;
  let mailId = '';
  let goneId = '';
  const tabs: ConsolePage[] = [];
  const counts = (query: string) => admin<Counts>('GET', `/api/v1/projects/1/messages-counts?${query}`);

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
    const channel = async (name: string, path: string, batchSize: number) => {
      const created = await admin<{ id: string }>('POST', '/api/v1/projects/1/channels', {
        kind: 'webhook',
        name,
        category: 'notification',
        url: `${receiver.url}${path}`,
        send_id_type: 'user_id',
        auth: 'none',
        batch_size: batchSize,
        template: [
          { key: 'title', label: 'Title', type: 'text' },
          { key: 'content', label: 'Content', type: 'dynamic_text' },
        ],
      });
      await admin('PUT', `/api/v1/projects/1/channels/${created.id}/workspaces/${workspace.id}`);
      return created.id;
    };
    // One message per request on the mail channel, so one push_id's 500 does not fail others.
    mailId = await channel('Game mail', '/mail', 1);
    goneId = await channel('Old push', '/gone', 10);
    const send = (channelId: string, users: readonly string[]) =>
      admin<{ queued: number }>('POST', `/api/v1/projects/1/workspaces/${workspace.id}/sends`, {
        channel_id: channelId,
        template_values: { title: 'Daily rewards', content: 'Hello ${name}!' },
        variables: [{ name: 'name', source: 'user.nickname', default: 'Player' }],
        recipients: users.map((id) => ({ id_type: 'user_id', id })),
      });
    assert.equal((await send(mailId, USERS)).queued, 50);
    assert.equal((await send(goneId, USERS.slice(0, 2))).queued, 2);
    await until('the mail channel to settle', async () => {
      const c = await counts(`channel_id=${mailId}`);
      return c.delivered === 47 && c.failed === 2 && c.dead === 1 ? c : undefined;
    });
    await until('the old push channel to hold its messages', async () => {
      const h = await admin<{ state: string; held: number }>(
        'GET',
        `/api/v1/projects/1/channels/${goneId}/health`,
      );
      return h.state === 'unhealthy' && h.held === 2 ? h : undefined;
    });
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

  it('shows the log with SPEC state badges and counts, finds a message by push_id, and shows its attempts', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.getByRole('link', { name: 'Delivery' }).click();
    await page.getByRole('heading', { name: 'Delivery', level: 1 }).waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="state-counts"] [data-state="delivered"] .state-count-value')
          ?.textContent === '47',
    );
    assert.equal(await countOf(page, 'all'), '52');
    assert.equal(await countOf(page, 'failed'), '2');
    assert.equal(await countOf(page, 'dead'), '1');
    assert.equal(await countOf(page, 'held'), '2');
    const table = page.getByRole('region', { name: 'Messages' });
    await table.locator('tbody tr').first().waitFor();
    assert.equal(await table.locator('tbody tr').count(), 25, 'a page of 25');
    await screenshot(page, 'delivery-log-en');

    // Counts narrow the log to a state; a state is named as SPEC §4 names it.
    await page.locator('[data-testid="state-counts"] [data-state="failed"]').click();
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="Messages"] tbody tr').length === 2,
    );
    assert.deepEqual(
      await table
        .locator('tbody [data-state]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))),
      ['failed', 'failed'],
    );
    assert.match(page.url(), /state=failed/);

    // push_id finds the one message, whatever the state filter was.
    await page.locator('[data-testid="state-counts"] [data-state="all"]').click();
    await page.getByLabel('push_id').fill(DEAD);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="Messages"] tbody tr').length === 1,
    );
    // The counts load after the rows: wait for the figure, not the '…' placeholder.
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="state-counts"] [data-state="all"] .state-count-value')
          ?.textContent?.trim() === '1',
    );
    await table.locator('tbody [data-state="dead"]').waitFor();
    await table.locator('tbody a.cell-primary').click();

    await page.getByRole('heading', { name: `Message to ${DEAD}` }).waitFor();
    await page.getByTestId('message-state').locator('[data-state="dead"]').waitFor();
    const attempts = page.getByRole('table', { name: 'Attempts' });
    assert.equal(await attempts.locator('tbody tr[data-attempt]').count(), 3, 'three attempts, then dead');
    const first = attempts.locator('tbody tr[data-attempt]').first();
    assert.match(await first.innerText(), /500/);
    assert.match(await first.innerText(), /http_5xx/);
    await first.getByRole('button', { name: 'Show attempt 1' }).click();
    await page.locator('pre[aria-label="Response excerpt"]').waitFor();
    assert.match(
      await page.locator('pre[aria-label="Response excerpt"]').innerText(),
      /upstream mail gateway down/,
    );
    // The message as sent: the wire item with its receipt properties.
    const asSent = await page.locator('pre[aria-label="The message as sent"]').innerText();
    assert.match(asSent, /"push_id": "u-21"/);
    assert.match(asSent, /"content": "Hello Player u-21!"/);
    assert.match(asSent, /"#ops_receipt_properties"/);
    // The profile is one click away.
    const profile = page.getByTestId('message-routing').locator('a[href*="/profiles/"]');
    assert.ok(await profile.isVisible());
    await screenshot(page, 'delivery-message-en');
    tab.assertClean();
  });

  it('replays a dead message from its page after a confirmation and follows it to delivered', async () => {
    const tab = await signedIn();
    const { page } = tab;
    const [message] = (
      await admin<{ items: { ops_request_id: string }[] }>(
        'GET',
        `/api/v1/projects/1/messages?push_id=${DEAD}`,
      )
    ).items;
    assert.ok(message);
    receiver.crash.clear();
    await page.goto(`/projects/1/delivery/messages/${message.ops_request_id}`);
    await page.getByTestId('message-state').locator('[data-state="dead"]').waitFor();
    await page.getByRole('button', { name: 'Replay' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('same ops_request_id').waitFor();
    await screenshot(page, 'delivery-replay-confirm-en');
    await dialog.getByRole('button', { name: 'Replay' }).click();
    await page.getByTestId('toast').filter({ hasText: '1 message(s) queued again' }).waitFor();
    // The page follows the message while it is queued: delivered, with a fourth, manual attempt.
    await page.getByTestId('message-state').locator('[data-state="delivered"]').waitFor({ timeout: 20_000 });
    const attempts = page.getByRole('table', { name: 'Attempts' });
    await attempts.locator('tbody tr[data-attempt]').nth(3).waitFor();
    assert.match(await attempts.locator('tbody tr[data-attempt]').nth(3).innerText(), /Manual replay/);
    tab.assertClean();
  });

  it('lists dead letters per channel, replays a selection, then everything failed since a time with a preview', async () => {
    const tab = await signedIn();
    const { page } = tab;
    receiver.refuse.clear();
    await page.goto('/projects/1/delivery');
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByLabel('Channel').selectOption({ label: 'Game mail' });
    const table = page.getByRole('region', { name: 'Failed and dead messages' });
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="Failed and dead messages"] tbody tr').length === 2,
    );
    await page.getByRole('checkbox', { name: 'Select the message to u-07' }).check();
    await page.getByRole('button', { name: 'Replay selected (1)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replay selected (1)' }).click();
    await page.getByTestId('replay-result').filter({ hasText: '1 message(s) queued again' }).waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="Failed and dead messages"] tbody tr').length === 1,
    );
    assert.match(await table.locator('tbody tr').innerText(), /u-13/);

    // Everything failed since yesterday: the preview counts it before anything happens.
    await page
      .getByTestId('replay-preview')
      .filter({ hasText: /^1 message\(s\)/ })
      .waitFor();
    await screenshot(page, 'delivery-dead-letters-en');
    await page.getByRole('button', { name: 'Replay all since then' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Replay 1 message(s) of Game mail?' }).waitFor();
    await dialog.getByRole('button', { name: 'Replay all since then' }).click();
    await page.getByTestId('replay-result').filter({ hasText: '1 message(s) queued again' }).waitFor();
    await until('the replayed messages to be delivered', async () => {
      const c = await counts(`channel_id=${mailId}`);
      return c.delivered === 50 ? c : undefined;
    });
    tab.assertClean();
  });

  it('shows an unhealthy channel on its card and details page, and resumes it after a confirmation', async () => {
    const tab = await signedIn();
    const { page } = tab;
    receiver.gone = false;
    await page.goto(`/projects/1/connections/channels/${goneId}`);
    const health = page.getByTestId('channel-health-card');
    await health.locator('[data-health="unhealthy"]').waitFor();
    assert.match(await health.getByTestId('health-reason').innerText(), /410 Gone/);
    assert.equal((await health.getByTestId('health-held').innerText()).trim(), '2 held');
    await screenshot(page, 'delivery-channel-unhealthy-en');

    await page.goto('/projects/1/connections');
    const card = page.getByTestId('channel-card').filter({ hasText: 'Old push' });
    await card.getByTestId('channel-health-line').locator('[data-health="unhealthy"]').waitFor();
    assert.match(await card.getByTestId('channel-health-line').innerText(), /2 held/);
    // The healthy channel says so too.
    await page
      .getByTestId('channel-card')
      .filter({ hasText: 'Game mail' })
      .locator('[data-health="healthy"]')
      .waitFor();
    const dialog = page.getByRole('dialog');
    // The cards refresh on a timer: a click that lands while one re-renders is tried again.
    for (let attempt = 0; attempt < 3 && !(await dialog.isVisible()); attempt += 1) {
      await card.getByRole('button', { name: 'Resume' }).click();
      await dialog.waitFor({ timeout: 5000 }).catch(() => undefined);
    }
    await dialog.getByText(/held message\(s\) are queued again/).waitFor();
    assert.match(await dialog.innerText(), /Its 2 held message\(s\) are queued again/);
    await dialog.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Resumed: 2 message(s) queued again.' }).waitFor();
    await card.locator('[data-health="healthy"]').waitFor();
    await until('the held messages to be delivered', async () => {
      const c = await counts(`channel_id=${goneId}`);
      return c.delivered === 2 ? c : undefined;
    });
    // Both messages travelled in one request to the 410: a message's first attempt names its batch
    // and what happened to its neighbour.
    await page.goto(`/projects/1/delivery?channel_id=${goneId}`);
    await page.locator('section.table-card tbody a.cell-primary').first().click();
    const attempts = page.getByRole('table', { name: 'Attempts' });
    await attempts.getByRole('button', { name: 'Show attempt 1' }).click();
    const batch = page.getByTestId('batch-neighbours');
    await batch.filter({ hasText: 'One request of 2 message(s):' }).waitFor();
    assert.equal(await batch.locator('a').count(), 1, 'a link to the neighbour');
    assert.match(await batch.innerText(), /held 2/);
    await screenshot(page, 'delivery-batch-en');
    tab.assertClean();
  });

  it('reads in zh-CN (screenshots of the log, a message, dead letters and channel health)', async () => {
    const tab = await signedIn('zh-CN');
    const { page } = tab;
    await page.goto('/projects/1/delivery');
    await page.getByRole('link', { name: '消息日志' }).waitFor();
    await page.getByRole('heading', { name: '查找消息' }).waitFor();
    await page.locator('section.table-card tbody tr').first().waitFor();
    await screenshot(page, 'delivery-log-zh-CN');
    await page.locator('section.table-card tbody a.cell-primary').first().click();
    await page.getByRole('table', { name: '发送尝试' }).waitFor();
    await screenshot(page, 'delivery-message-zh-CN');
    await page.goto(`/projects/1/delivery/dead-letters?channel_id=${mailId}&state=failed`);
    await page.getByRole('heading', { name: '重放某一时间以来的全部失败消息' }).waitFor();
    await screenshot(page, 'delivery-dead-letters-zh-CN');
    await page.goto(`/projects/1/connections/channels/${goneId}`);
    await page.getByRole('heading', { name: '投递健康状况' }).waitFor();
    await screenshot(page, 'delivery-channel-health-zh-CN');
    tab.assertClean();
  });
});
