import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { signIn, toast } from './support/console-actions.ts';

// Live verify, ID types, the profile explorer and event management (issue 7), all through the UI
// of a real Touchpoint on a fresh database. Only the events come from outside the console: the
// real Segment Node SDK, and a raw request for the event no SDK would send. The tests build on
// each other in order: the first sets the admin's password and creates the data source.

const ADMIN_PASSWORD = 'verify profiles admin 7';

describe('console: verify, ID types, profiles and event management against the real backend', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let tab: ConsolePage;
  const source = { name: 'Game server', id: '', appKey: '' };
  const sdk = () =>
    new SegmentAnalytics({ writeKey: source.appKey, host: server.url, flushAt: 1, maxRetries: 0 });

  before(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function fresh(options: { locale?: string } = {}): Promise<Page> {
    tab = await openConsole(browser, server.url, options);
    return tab.page;
  }
  async function done(): Promise<void> {
    try {
      tab.assertClean();
    } finally {
      await tab.close();
    }
  }
  async function admin(): Promise<Page> {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    return page;
  }

  it('opens verify for a new source and sees an SDK event pushed live as accepted, and a refused one with its reason', async () => {
    const page = await fresh();
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(server.firstAdmin.email);
    await page.getByLabel('Password').fill(server.firstAdmin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Current password').fill(server.firstAdmin.password);
    await page.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Data Channel Connection' }).waitFor();

    // A server data source, created through the UI.
    await page.getByRole('button', { name: 'Create data source' }).click();
    const form = page.getByRole('form', { name: 'Create data source' });
    await form.getByRole('button', { name: 'New app' }).click();
    const newApp = page.getByRole('dialog', { name: 'New app' });
    await newApp.getByLabel('App name').fill('Dragon Quest');
    await newApp.getByRole('button', { name: 'Create app' }).click();
    await newApp.waitFor({ state: 'hidden' });
    await form.getByRole('checkbox', { name: /^Server/ }).check();
    await form.getByLabel('Data source name').fill(source.name);
    await form.getByRole('button', { name: 'Create data source' }).click();
    await page.waitForURL(/\/connections\/sources\/src_[^/]+$/);
    source.id = decodeURIComponent(page.url().split('/').pop() ?? '');
    const credentials = page.getByRole('region', { name: 'Credentials' });
    source.appKey = (await credentials.locator('dd').nth(1).locator('code').textContent()) ?? '';
    assert.match(source.appKey, /^[0-9a-f]{32}$/);

    // Verify from the details page: live, empty, and it says how to send a first event.
    await page.getByRole('link', { name: 'Verify' }).click();
    await page.waitForURL(/\/verify$/);
    await page.getByRole('heading', { level: 1, name: 'Verify' }).waitFor();
    const status = page.getByTestId('stream-status');
    await status.filter({ hasText: 'Live' }).waitFor();
    await page.getByText('Waiting for the first event').waitFor();
    await page.getByText(source.appKey).first().waitFor();
    await page.getByRole('link', { name: 'All integration prompts' }).waitFor();
    assert.ok(((await page.locator('.verify-prompt code').textContent()) ?? '').includes(source.appKey));
    await screenshot(page, 'verify-empty');

    // The real SDK: the event is pushed into the open page, accepted, within 5 s.
    const analytics = sdk();
    analytics.track({
      userId: 'u-1001',
      event: 'Level Up',
      properties: { level: 7, hero: 'Mage', vip: true, items: ['sword', 'shield'] },
    });
    await analytics.closeAndFlush();
    const sent = Date.now();
    const list = page.getByRole('table', { name: `Events received by ${source.name}` });
    const accepted = list.locator('tr.verify-row').filter({ hasText: 'Level Up' });
    await accepted.getByText('Accepted', { exact: true }).waitFor({ timeout: 5000 });
    assert.ok(Date.now() - sent < 5000, `pushed after ${Date.now() - sent} ms`);
    await accepted.getByText('u-1001').waitFor();

    // A property key holding U+0000 is refused; the reason shows in the page.
    const refused = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${source.appKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [{ type: 'track', userId: 'u-1001', event: 'Broken Key', properties: { 'bad\u0000key': 1 } }],
      }),
    });
    assert.ok(refused.status < 500, `ingest answered ${refused.status}`);
    const rejected = list.locator('tr.verify-row').filter({ hasText: 'TP_ERR_INGEST_INVALID_STRING' });
    await rejected.getByText('Rejected', { exact: true }).waitFor({ timeout: 5000 });
    await rejected.getByText('Broken Key').waitFor();
    // The code's meaning, then the server's words naming the key.
    await rejected.getByText('A string or key holds U+0000 or a lone UTF-16 surrogate.').waitFor();
    await screenshot(page, 'verify-live');

    // Filters: verdict, event name, user id.
    await page.getByLabel('Verdict').selectOption('rejected');
    assert.equal(await list.locator('tr.verify-row').count(), 1);
    await page.getByLabel('Verdict').selectOption('');
    await page.getByRole('searchbox', { name: 'Event name' }).fill('level');
    assert.equal(await list.locator('tr.verify-row').count(), 1);
    await list.getByText('Level Up').waitFor();
    await page.getByRole('searchbox', { name: 'User ID or anonymous ID' }).fill('nobody');
    await page.getByText('Nothing matches these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    assert.equal(await list.locator('tr.verify-row').count(), 2);

    // The row opens with the keyboard and shows the event's JSON.
    const toggle = accepted.getByRole('button', { name: 'Show the JSON of Level Up' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await list.locator('tr.verify-detail pre').waitFor();
    const shown = (await list.locator('tr.verify-detail pre').textContent()) ?? '';
    assert.ok(shown.includes('"hero": "Mage"') && shown.includes('"vip": true'), shown);
    await screenshot(page, 'verify-expanded');
    await page.keyboard.press('Enter');
    assert.equal(await list.locator('tr.verify-detail').count(), 0);

    // Pause keeps new events aside; Resume shows them.
    await page.getByRole('button', { name: 'Pause' }).click();
    await status.filter({ hasText: 'Paused' }).waitFor();
    const more = sdk();
    more.track({ userId: 'u-1001', event: 'Quest Done', properties: { quest: 'q-17' } });
    await more.closeAndFlush();
    await page.getByText('Paused · new events waiting: 1.').waitFor({ timeout: 5000 });
    assert.equal(await list.locator('tr.verify-row').filter({ hasText: 'Quest Done' }).count(), 0);
    await screenshot(page, 'verify-paused');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await list.locator('tr.verify-row').filter({ hasText: 'Quest Done' }).waitFor();
    await status.filter({ hasText: 'Live' }).waitFor();
    await done();
  });

  it('declares role_id as a unique ID type in project settings, with inline errors', async () => {
    const page = await admin();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'ID types' }).click();
    await page.waitForURL(/\/settings\/id-types$/);
    const builtin = page.getByRole('table', { name: 'Built-in ID types' });
    for (const name of ['user_id', 'anonymous_id', 'account_id', 'distinct_id', 'phone', 'email', 'openid'])
      await builtin.locator(`tr[data-key="${name}"]`).waitFor();
    await page.getByText('No ID types declared').waitFor();
    assert.equal(await page.getByRole('switch', { name: 'Treat account_id as user_id' }).isChecked(), true);

    const form = page.getByRole('form', { name: 'Declare an ID type' });
    const name = form.getByLabel('ID type');
    await name.fill('Role-ID');
    await form.getByRole('button', { name: 'Declare ID type' }).click();
    await form
      .getByText('Use lower-case letters, digits and _, starting with a letter (at most 64).')
      .waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    // The server refuses a built-in name; its answer lands under the field.
    await name.fill('user_id');
    assert.equal(await name.getAttribute('aria-invalid'), null, 'the error clears on edit');
    await form.getByRole('button', { name: 'Declare ID type' }).click();
    await form.getByText('This name is built in; choose another name.').waitFor();
    await screenshot(page, 'id-types-error');

    await name.fill('role_id');
    await form.getByRole('switch', { name: 'Unique: one value per person' }).check();
    await form.getByRole('button', { name: 'Declare ID type' }).click();
    await toast(page, 'ID type “role_id” declared.');
    const declared = page.getByRole('table', { name: 'Declared ID types' });
    assert.equal(await declared.getByRole('switch', { name: 'Unique role_id' }).isChecked(), true);
    assert.equal(await name.inputValue(), '');
    await screenshot(page, 'id-types');

    // It survives a reload (stored, not only shown).
    await page.reload();
    await page
      .getByRole('table', { name: 'Declared ID types' })
      .getByRole('switch', { name: 'Unique role_id' })
      .waitFor();
    await done();
  });

  it('finds a profile by role_id in the explorer: identities, properties, timeline, merge redirect, not found', async () => {
    const analytics = sdk();
    analytics.identify({
      userId: 'u-2002',
      traits: {
        role_id: 'r-1001',
        name: 'Zhang San',
        level: 12,
        tags: ['vip', 'beta'],
        address: { city: 'Shanghai' },
      },
    });
    analytics.track({ userId: 'u-2002', event: 'Purchase', properties: { amount: 6.5, item: 'sword' } });
    analytics.track({ anonymousId: 'anon-77', event: 'Guest Browse', properties: { page: '/shop' } });
    await analytics.closeAndFlush();

    const page = await admin();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profiles' }).click();
    await page.getByRole('heading', { level: 1, name: 'Profiles' }).waitFor();
    const search = page.getByRole('form', { name: 'Find a person' });

    // Profiles are built asynchronously (typically within a second): search again until found.
    async function find(type: string, value: string, heading: string): Promise<void> {
      for (let i = 0; ; i++) {
        await search.getByLabel('ID type').selectOption(type);
        await search.getByLabel('Value').fill(value);
        await search.getByRole('button', { name: 'Find profile' }).click();
        const outcome = await Promise.race([
          page
            .getByRole('heading', { level: 1, name: heading })
            .waitFor({ timeout: 5000 })
            .then(() => 'found'),
          page
            .getByText(`No profile has ${type} “${value}”`)
            .waitFor({ timeout: 5000 })
            .then(() => 'missing'),
        ]);
        if (outcome === 'found') return;
        assert.ok(i < 20, `${type} ${value} was not found in time`);
        await page.waitForTimeout(250);
      }
    }

    // The anonymous visitor first, to learn its tp_uid before it is merged.
    await find('anonymous_id', 'anon-77', 'anon-77');
    const anonymousUid = (await page.getByTestId('tp-uid').textContent()) ?? '';
    assert.match(anonymousUid, /^tpu_/);
    await page.getByRole('link', { name: 'Profiles' }).first().click();

    // Not found: says so and how to go on.
    await search.getByLabel('ID type').selectOption('role_id');
    await search.getByLabel('Value').fill('r-nobody');
    await search.getByRole('button', { name: 'Find profile' }).click();
    await page.getByText('No profile has role_id “r-nobody”').waitFor();
    await screenshot(page, 'profiles-not-found');

    await find('role_id', 'r-1001', 'Zhang San');
    const uid = (await page.getByTestId('tp-uid').textContent()) ?? '';
    assert.notEqual(uid, anonymousUid);
    const identities = page.getByRole('table', { name: 'Identities' });
    await identities.getByText('r-1001', { exact: true }).waitFor();
    await identities.getByText('u-2002', { exact: true }).waitFor();
    const properties = page.getByRole('table', { name: 'Properties' });
    const level = properties.locator('tr[data-key="level"]');
    await level.getByText('number', { exact: true }).waitFor();
    await level.getByText('12', { exact: true }).waitFor();
    await properties.locator('tr[data-key="tags"]').getByText('array', { exact: true }).waitFor();
    await properties.locator('tr[data-key="tags"]').getByText('vip', { exact: true }).waitFor();
    await properties.locator('tr[data-key="address"]').getByText('{ "city": "Shanghai" }').waitFor();
    const timeline = page.getByRole('table', { name: 'Event timeline' });
    await timeline.getByText('Purchase', { exact: true }).waitFor();
    await timeline.getByText('identify', { exact: true }).first().waitFor();
    await page.getByText('Messages arrive with campaigns').waitFor();
    await page.getByText('Receipts arrive with campaigns').waitFor();
    await screenshot(page, 'profile');

    // The visitor logs in: its profile merges into Zhang San's; its old address redirects.
    const login = sdk();
    login.identify({ userId: 'u-2002', anonymousId: 'anon-77', traits: { level: 13 } });
    await login.closeAndFlush();
    for (let i = 0; ; i++) {
      await page.goto(`/projects/1/profiles/${anonymousUid}`);
      await page.getByRole('heading', { level: 1, name: /Zhang San|anon-77/ }).waitFor();
      if (page.url().includes(`/profiles/${uid}?merged_from=${anonymousUid}`)) break;
      assert.ok(i < 20, 'the anonymous profile was not merged in time');
      await page.waitForTimeout(250);
    }
    await page.getByText(`Profile ${anonymousUid} was merged into this one`).waitFor();
    await identities.getByText('anon-77', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Event timeline' }).getByText('Guest Browse').waitFor();
    await screenshot(page, 'profile-merged');

    // A made-up id: not found.
    await page.goto('/projects/1/profiles/tpu_doesnotexist');
    await page.getByText('Profile not found').waitFor();
    await done();
  });

  it('lists events with property types in event management, opened with View, and declares a meta event', async () => {
    const page = await admin();
    await page.goto('/projects/1/connections');
    const card = page.getByRole('article', { name: source.name });
    await card.getByRole('link', { name: 'View' }).click();
    await page.getByRole('heading', { level: 1, name: 'Event management' }).waitFor();
    const table = page.getByRole('table', { name: 'Events' });
    const levelUp = table.locator('tr[data-key="Level Up"]');
    await levelUp.waitFor();
    await levelUp.getByRole('button', { name: 'Properties of Level Up (4)' }).click();
    const props = page.getByRole('table', { name: 'Properties of Level Up' });
    for (const [name, type] of [
      ['level', 'number'],
      ['hero', 'string'],
      ['vip', 'boolean'],
      ['items', 'array'],
    ] as const)
      await props.locator('tr').filter({ hasText: name }).getByText(type, { exact: true }).waitFor();
    assert.equal(
      await table.locator('tr[data-key="Broken Key"]').count(),
      0,
      'refused events are not listed',
    );
    await screenshot(page, 'event-management');

    // The Profiles area holds the same list; declare a receipt event there.
    await page.goto('/projects/1/profiles/events');
    await page.getByRole('button', { name: 'Declare meta event' }).click();
    const dialog = page.getByRole('dialog', { name: 'Declare a meta event' });
    await dialog.getByRole('button', { name: 'Declare meta event' }).click();
    await dialog.getByText('Required.').waitFor();
    await dialog.getByLabel('Event name').fill('ops_push_open');
    await dialog.getByLabel('Description').fill('Push opened (receipt)');
    await screenshot(page, 'event-declare');
    await dialog.getByRole('button', { name: 'Declare meta event' }).click();
    await toast(page, 'Meta event “ops_push_open” declared.');
    const meta = page.getByRole('table', { name: 'Events' }).locator('tr[data-key="ops_push_open"]');
    await meta.getByText('Meta event', { exact: true }).waitFor();
    await meta.getByText('Push opened (receipt)').waitFor();
    await meta.getByText('Not received yet').first().waitFor();
    await page.getByLabel('Kind of event').selectOption('declared');
    assert.equal(await page.getByRole('table', { name: 'Events' }).locator('tbody > tr').count(), 1);
    await done();
  });

  it('reads in Chinese: verify, profile, event management and ID types', async () => {
    const page = await admin();
    await page.evaluate(() => window.localStorage.setItem('touchpoint.locale', 'zh-CN'));
    await page.goto(`/projects/1/connections/sources/${source.id}/verify`);
    await page.getByRole('heading', { level: 1, name: '验证' }).waitFor();
    await page.getByTestId('stream-status').filter({ hasText: '实时' }).waitFor();
    await page.getByText('已接收', { exact: true }).first().waitFor();
    await page.getByText('已拒绝', { exact: true }).first().waitFor();
    await page.getByText('某个字符串或键包含 U+0000 或孤立的 UTF-16 代理字符。').waitFor();
    await page.getByRole('button', { name: '暂停' }).waitFor();
    await screenshot(page, 'zh-verify');

    await page.goto('/projects/1/profiles');
    await page.getByRole('heading', { name: '查找用户' }).waitFor();
    await page.getByRole('link', { name: '事件管理' }).waitFor();
    await page.getByText('最近更新的档案').waitFor();
    await page.getByRole('link', { name: 'Zhang San' }).click();
    await page.getByRole('heading', { name: '身份' }).waitFor();
    await page.getByText('消息将随运营活动提供').waitFor();
    await screenshot(page, 'zh-profile');

    await page.goto('/projects/1/settings/id-types');
    await page.getByRole('heading', { name: '已声明的 ID 类型' }).waitFor();
    await page.getByText('将 account_id 视为 user_id').waitFor();
    await screenshot(page, 'zh-id-types');
    await done();
  });
});
