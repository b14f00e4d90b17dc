import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiSession, type ApiCall } from './support/api-session.ts';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { signIn, toast, until } from './support/console-actions.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import {
  deliveryEnv,
  seedProfiles,
  startBatchReceiver,
  type BatchReceiver,
} from './support/delivery-world.ts';

// Issue 20 item 5, console: the user's say on the pages of a real Touchpoint. A suppression is
// added on the Suppressions page, found, listed with its source, and removed after a
// confirmation; an unsubscribe is added on a channel's page; a profile is suppressed from its
// own page, which then says by what it is suppressed; a campaign run counts the members the send
// gate left out. Then the same pages in zh-CN, and each at 1280 and 1440 px in both languages.
// The tests build on each other in order.

const PASSWORD = 'consent console admin 20';
const USERS = ['u-01', 'u-02', 'u-03', 'u-04', 'u-05'];
const CHANNEL = 'Game mail';
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 1440, height: 900 },
] as const;

interface Entry {
  id: string;
  id_type: string;
  value: string;
  reason: string | null;
  source: string;
  created_by: string | null;
}

async function noHorizontalScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('console: suppressions and unsubscribes', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let receiver: BatchReceiver;
  let admin: ApiCall;
  let workspaceId = '';
  let channelId = '';
  let audienceId = '';
  const tpUid: Record<string, string> = {};
  const tabs: ConsolePage[] = [];

  const suppressions = async (query = '') =>
    (await admin<{ items: Entry[] }>('GET', `/api/v1/projects/1/suppressions${query}`)).items;
  const unsubscribes = async () =>
    (await admin<{ items: Entry[] }>('GET', `/api/v1/projects/1/channels/${channelId}/unsubscribes`)).items;

  before(async () => {
    // The scheduler looks for due campaigns every 100 ms (1 s by default).
    server = await startConsoleServer({
      adminPassword: PASSWORD,
      env: { ...deliveryEnv, TOUCHPOINT_CAMPAIGN_POLL_MS: '100' },
    });
    browser = await launchBrowser();
    receiver = await startBatchReceiver(() => ({}));
    admin = await apiSession(server.url, server.firstAdmin.email, PASSWORD);
    await seedProfiles(server.url, admin, USERS, (u) => ({ plan: 'pro', name: `Player ${u}` }));
    for (const u of USERS) {
      const found = await admin<{ items: { tp_uid: string }[] }>(
        'GET',
        `/api/v1/projects/1/profiles?id_type=user_id&value=${u}`,
      );
      tpUid[u] = found.items[0]?.tp_uid ?? '';
      assert.ok(tpUid[u], u);
    }
    const workspaces = await admin<{ items: { id: string }[] }>('GET', '/api/v1/projects/1/workspaces');
    workspaceId = workspaces.items[0]?.id ?? '';
    assert.ok(workspaceId, 'the first run made a workspace');
    const audience = await admin<{ id: string }>(
      'POST',
      `/api/v1/projects/1/workspaces/${workspaceId}/audiences`,
      {
        name: 'Pro players',
        conditions: {
          type: 'group',
          combinator: 'and',
          conditions: [{ type: 'property', property: 'plan', operator: 'equals', value: 'pro' }],
        },
      },
    );
    audienceId = audience.id;
    const channel = await admin<{ id: string }>('POST', '/api/v1/projects/1/channels', {
      kind: 'webhook',
      name: CHANNEL,
      category: 'notification',
      url: `${receiver.url}/mail`,
      send_id_type: 'user_id',
      auth: 'none',
      template: [{ key: 'title', label: 'Title', type: 'text' }],
    });
    channelId = channel.id;
    await admin('PUT', `/api/v1/projects/1/channels/${channelId}/workspaces/${workspaceId}`);
  });
  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  async function signedIn(locale: 'en' | 'zh-CN' = 'en'): Promise<ConsolePage> {
    const tab = await openConsole(browser, server.url, { locale: locale === 'en' ? 'en-US' : 'zh-CN' });
    tabs.push(tab);
    await signIn(tab.page, server.firstAdmin.email, PASSWORD);
    return tab;
  }

  it('adds a suppression on the Suppressions page, finds it, lists it with its source, and removes it', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Suppressions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Suppressions' }).waitFor();
    await page.getByRole('heading', { name: 'Nobody is suppressed' }).waitFor();

    // Add user_id u-01 with a reason; a value left empty is refused before sending.
    await page.getByRole('button', { name: 'Suppress a user' }).click();
    let dialog = page.getByRole('dialog', { name: 'Suppress a user' });
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.getByText('Required.').waitFor();
    await dialog.getByLabel('ID type').selectOption('user_id');
    await dialog.getByLabel('Value').fill('u-01');
    await dialog.getByLabel('Reason').fill('Asked by e-mail');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await toast(page, 'user_id u-01 is suppressed.');
    await dialog.waitFor({ state: 'hidden' });

    const table = page.getByRole('region', { name: 'Suppression list' });
    const row = table.locator('tbody tr').filter({ hasText: 'u-01' });
    await row.getByText('Asked by e-mail').waitFor();
    await row.locator('[data-source="console"]').getByText('Console').waitFor();
    const [added] = await suppressions();
    assert.deepEqual(
      [added?.id_type, added?.value, added?.reason, added?.source],
      ['user_id', 'u-01', 'Asked by e-mail', 'console'],
    );
    assert.ok(added?.created_by, 'the entry names who added it');

    // The same value again changes nothing and says so.
    await page.getByRole('button', { name: 'Suppress a user' }).click();
    dialog = page.getByRole('dialog', { name: 'Suppress a user' });
    await dialog.getByLabel('Value').fill('u-01');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await toast(page, 'user_id u-01 was already listed; nothing changed.');
    assert.equal((await suppressions()).length, 1);

    // One added through the API shows its source too; a search finds one value, or none.
    await admin('POST', '/api/v1/projects/1/suppressions', { id_type: 'user_id', value: 'u-04' });
    await page.reload();
    await table.locator('tbody tr').filter({ hasText: 'u-04' }).locator('[data-source="api"]').waitFor();
    await table.locator('tbody tr').nth(1).waitFor();
    const search = page.getByRole('search', { name: 'Find an entry by ID' });
    await search.getByLabel('ID type').selectOption('user_id');
    await search.getByLabel('Value').fill('u-04');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?id_type=user_id&value=u-04$/);
    await until('one row', async () => ((await table.locator('tbody tr').count()) === 1 ? true : undefined));
    await table.locator('tbody tr').filter({ hasText: 'u-04' }).waitFor();
    await search.getByLabel('Value').fill('u-02');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: 'No entry for user_id u-02' }).waitFor();
    await search.getByRole('button', { name: 'Clear' }).click();
    await table.locator('tbody tr').filter({ hasText: 'u-01' }).waitFor();
    await table.locator('tbody tr').filter({ hasText: 'u-04' }).waitFor();

    // Remove u-01 after a confirmation that says what happens.
    await table.getByRole('button', { name: 'Remove user_id u-01' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove user_id u-01 from the suppression list?' });
    await confirm.getByText('Messages reach this user again from the next send, on every channel.').waitFor();
    await screenshot(page, 'consent-remove-1440-en');
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await toast(page, 'user_id u-01 is no longer listed.');
    await until('u-01 gone from the page', async () =>
      (await table.locator('tbody tr').filter({ hasText: 'u-01' }).count()) === 0 ? true : undefined,
    );
    assert.deepEqual(
      (await suppressions()).map((e) => e.value),
      ['u-04'],
    );
    const audit = await admin<{ items: { action: string }[] }>('GET', '/api/v1/projects/1/audit');
    const actions = audit.items.map((e) => e.action);
    assert.ok(actions.includes('suppression.added') && actions.includes('suppression.removed'));
    await page.goto('/projects/1/settings/audit');
    await page.locator('main tbody').getByText('Suppression removed').first().waitFor();
    tab.assertClean();
  });

  it('adds an unsubscribe on the channel’s page', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.goto(`/projects/1/connections/channels/${channelId}`);
    const section = page.getByRole('region', { name: `Unsubscribes from ${CHANNEL}` });
    await section.getByRole('heading', { name: 'Unsubscribes' }).waitFor();
    await section.getByRole('heading', { name: 'Nobody unsubscribed from this channel' }).waitFor();
    await section.getByRole('button', { name: 'Unsubscribe a user' }).click();
    const dialog = page.getByRole('dialog', { name: `Unsubscribe a user from ${CHANNEL}` });
    await dialog.getByLabel('Value').fill('u-02');
    await dialog.getByLabel('Reason').fill('Too many mails');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await toast(page, 'user_id u-02 is unsubscribed from this channel.');
    await section.locator('tbody tr').filter({ hasText: 'u-02' }).getByText('Too many mails').waitFor();
    assert.deepEqual(
      (await unsubscribes()).map((e) => [e.value, e.source]),
      [['u-02', 'console']],
    );
    // The project-wide list is not touched by a channel's unsubscribe.
    assert.deepEqual(
      (await suppressions()).map((e) => e.value),
      ['u-04'],
    );
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'consent-channel-1440-en');
    tab.assertClean();
  });

  it('suppresses a profile from its page, and says by what a profile is suppressed', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.goto(`/projects/1/profiles/${tpUid['u-03']}`);
    const status = page.getByTestId('profile-suppression');
    await status.getByText('Not suppressed: messages may reach this user.').waitFor();
    await status.getByRole('button', { name: 'Suppress this user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Suppress Player u-03?' });
    await dialog.getByText(/It names the profile itself/).waitFor();
    await dialog.getByLabel('Reason').fill('Complaint');
    await screenshot(page, 'consent-profile-dialog-1440-en');
    await dialog.getByRole('button', { name: 'Suppress' }).click();
    await toast(page, 'Player u-03 is suppressed.');
    await status.getByText('Suppressed: no message reaches this user.').waitFor();
    await status.getByText('Listed by the profile itself · Complaint').waitFor();
    const byProfile = await suppressions(`?id_type=%24tp_uid&value=${tpUid['u-03']}`);
    assert.deepEqual(
      byProfile.map((e) => [e.reason, e.source]),
      [['Complaint', 'console']],
    );

    // u-04 is suppressed by its user_id (through the API above): the page says so and links
    // to that entry on the Suppressions page.
    await page.goto(`/projects/1/profiles/${tpUid['u-04']}`);
    await status.getByText('Listed by user_id u-04').waitFor();
    assert.equal(await status.getByRole('button', { name: 'Suppress this user' }).count(), 0);
    await status.getByRole('link', { name: 'View in Suppressions' }).click();
    await page.waitForURL(/\/projects\/1\/suppressions\?id_type=user_id&value=u-04$/);
    await page
      .getByRole('region', { name: 'Suppression list' })
      .locator('tbody tr')
      .filter({ hasText: 'u-04' })
      .waitFor();

    // The profile's own entry links back to the profile.
    await page.goto('/projects/1/suppressions');
    await page.getByRole('link', { name: tpUid['u-03'] }).click();
    await page.getByTestId('tp-uid').filter({ hasText: tpUid['u-03'] }).waitFor();
    tab.assertClean();
  });

  it('shows a campaign run’s suppressed and unsubscribed members next to skipped', async () => {
    const base = `/api/v1/projects/1/workspaces/${workspaceId}/campaigns`;
    const campaign = await admin<{ id: string }>('POST', base, {
      name: 'Weekend rewards',
      audience_id: audienceId,
      channel_id: channelId,
      template_values: { title: 'Double rewards' },
      variables: [],
    });
    await admin('POST', `${base}/${campaign.id}/submit`);
    await admin('POST', `${base}/${campaign.id}/publish`);
    const run = await until('the run to finish rendering', async () => {
      const runs = await admin<{ items: { state: string; suppressed: number; unsubscribed: number }[] }>(
        'GET',
        `${base}/${campaign.id}/runs`,
      );
      const r = runs.items[0];
      return r && r.state !== 'rendering' ? r : undefined;
    });
    // u-03 (by its profile) and u-04 (by its user_id) are suppressed, u-02 unsubscribed.
    assert.deepEqual([run.suppressed, run.unsubscribed], [2, 1]);

    const tab = await signedIn();
    const { page } = tab;
    await page.goto(`/projects/1/campaigns/${campaign.id}`);
    await page
      .getByTestId('run-suppressed')
      .filter({ hasText: /^2 suppressed$/ })
      .waitFor();
    await page
      .getByTestId('run-unsubscribed')
      .filter({ hasText: /^1 unsubscribed$/ })
      .waitFor();
    await page
      .getByTestId('run-processed')
      .filter({ hasText: /2 suppressed · 1 unsubscribed/ })
      .waitFor();
    // Left out counts as done: the finished run's bar is full although 2 of 5 were rendered.
    await page.locator('[role="progressbar"][aria-valuenow="5"][aria-valuemax="5"]').waitFor();
    await page.locator('.run-progress').getByText('100%').waitFor();
    await screenshot(page, 'consent-campaign-run-1440-en');
    tab.assertClean();
  });

  it('reads in Chinese, and fits 1280 and 1440 px in both languages', async () => {
    const zh = await signedIn('zh-CN');
    const { page } = zh;
    await page.getByRole('navigation').getByRole('link', { name: '屏蔽名单' }).click();
    await page.getByRole('heading', { level: 1, name: '屏蔽名单' }).waitFor();
    const table = page.getByRole('region', { name: '屏蔽名单' });
    await table.getByRole('columnheader', { name: '来源' }).waitFor();
    await table.locator('tbody tr').filter({ hasText: 'u-04' }).getByText('接口').waitFor();
    await table.locator('tbody tr').filter({ hasText: tpUid['u-03'] }).getByText('控制台').waitFor();
    await page.getByRole('button', { name: '屏蔽用户' }).click();
    const dialog = page.getByRole('dialog', { name: '屏蔽用户' });
    await dialog.getByText('从下一次发送起，拥有此 ID 值的所有用户档案都不会收到任何通道的消息。').waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await table.getByRole('button', { name: '移除 user_id u-04' }).click();
    await page
      .getByRole('dialog', { name: '将 user_id u-04 移出屏蔽名单？' })
      .getByRole('button', { name: '取消' })
      .click();

    await page.goto(`/projects/1/connections/channels/${channelId}`);
    await page
      .getByRole('region', { name: `${CHANNEL} 的退订` })
      .getByRole('heading', { name: '退订' })
      .waitFor();
    await page.goto(`/projects/1/profiles/${tpUid['u-03']}`);
    await page.getByTestId('profile-suppression').getByText('已屏蔽：任何消息都不会触达此用户。').waitFor();
    await page.getByTestId('profile-suppression').getByText('由用户档案本身列入 · Complaint').waitFor();
    await page.goto(`/projects/1/profiles/${tpUid['u-05']}`);
    await page.getByTestId('profile-suppression').getByRole('button', { name: '屏蔽此用户' }).waitFor();
    const campaigns = await admin<{ items: { id: string }[] }>(
      'GET',
      `/api/v1/projects/1/workspaces/${workspaceId}/campaigns`,
    );
    await page.goto(`/projects/1/campaigns/${campaigns.items[0]?.id ?? ''}`);
    await page.getByTestId('run-suppressed').filter({ hasText: '2 位已屏蔽' }).waitFor();
    await page.getByTestId('run-unsubscribed').filter({ hasText: '1 位已退订' }).waitFor();
    zh.assertClean();

    const en = await signedIn('en');
    const pages: [string, string, string][] = [
      ['suppressions', '/projects/1/suppressions', 'Suppression list'],
      ['channel', `/projects/1/connections/channels/${channelId}`, `Unsubscribes from ${CHANNEL}`],
      ['profile', `/projects/1/profiles/${tpUid['u-04']}`, ''],
      ['campaign', `/projects/1/campaigns/${campaigns.items[0]?.id ?? ''}`, ''],
    ];
    for (const [locale, tab] of [
      ['en', en],
      ['zh-CN', zh],
    ] as const)
      for (const viewport of WIDTHS) {
        await tab.page.setViewportSize(viewport);
        for (const [name, path] of pages) {
          await tab.page.goto(path);
          await tab.page.locator('main h1').first().waitFor();
          await tab.page.waitForFunction(
            () => !document.querySelector('main .spinner, main [aria-busy="true"]'),
            undefined,
            { timeout: 10_000 },
          );
          if (name === 'profile') await tab.page.getByTestId('profile-suppression').waitFor();
          assert.equal(await noHorizontalScroll(tab.page), 0, `${path} at ${viewport.width} px in ${locale}`);
          await screenshot(tab.page, `consent-${name}-${viewport.width}-${locale}`);
        }
        // The add form at this width.
        await tab.page.goto('/projects/1/suppressions');
        await tab.page
          .getByRole('button', { name: locale === 'en' ? 'Suppress a user' : '屏蔽用户' })
          .click();
        await tab.page.getByRole('dialog').waitFor();
        await screenshot(tab.page, `consent-add-${viewport.width}-${locale}`);
        await tab.page.keyboard.press('Escape');
      }
    en.assertClean();
    zh.assertClean();
  });
});
