import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Locator, Page } from 'playwright-core';
import { apiSession, type ApiCall } from './support/api-session.ts';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';

// Issue 18, console: build a two-group audience with a behavior condition against a real
// Touchpoint fed through the ingest API, watch the live estimate change, pick a channel and see
// the members without its send ID type left out, save it; then read the pages at 1280 and
// 1440 px in English and Chinese.

const PASSWORD = 'audiences admin 18 e2e';

// plan / level / e-mail / purchased: the audience (plan = pro OR level > 10) AND purchased in
// the last 30 days holds u1, u2 and u5; u2 has no e-mail, so the e-mail channel reaches 2.
const USERS = [
  { id: 'u1', traits: { plan: 'pro', level: 5, email: 'u1@example.com' }, purchase: true },
  { id: 'u2', traits: { plan: 'free', level: 20 }, purchase: true },
  { id: 'u3', traits: { plan: 'pro', level: 1, email: 'u3@example.com' }, purchase: false },
  { id: 'u4', traits: { plan: 'free', level: 3, email: 'u4@example.com' }, purchase: true },
  { id: 'u5', traits: { plan: 'free', level: 30, email: 'u5@example.com' }, purchase: true },
  { id: 'u6', traits: { email: 'u6@example.com' }, purchase: false },
];

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

async function noHorizontalScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('console: audiences', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let admin: ApiCall;
  let workspaceId = '';
  const tabs: ConsolePage[] = [];

  before(async () => {
    server = await startConsoleServer({
      adminPassword: PASSWORD,
      env: { TOUCHPOINT_ALLOW_TARGETS: '127.0.0.1/32' },
    });
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
    const batch = USERS.flatMap((u) => [
      { type: 'identify', userId: u.id, traits: u.traits },
      ...(u.purchase ? [{ type: 'track', userId: u.id, event: 'purchase', properties: { amount: 6 } }] : []),
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
    await until('the profiles and events', async () => {
      const events = await admin<{ items: { name: string; event_count: number }[] }>(
        'GET',
        '/api/v1/projects/1/events',
      );
      const profile = await admin<{ items: unknown[] }>(
        'GET',
        '/api/v1/projects/1/profiles?id_type=user_id&value=u6',
      );
      return events.items.find((e) => e.name === 'purchase')?.event_count === 4 && profile.items.length
        ? true
        : undefined;
    });
    // The console opens the project's first workspace.
    const workspaces = await admin<{ items: { id: string }[] }>('GET', '/api/v1/projects/1/workspaces');
    const workspace =
      workspaces.items[0] ??
      (await admin<{ id: string }>('POST', '/api/v1/projects/1/workspaces', { name: 'Live ops' }));
    workspaceId = workspace.id;
    const channel = await admin<{ id: string }>('POST', '/api/v1/projects/1/channels', {
      kind: 'webhook',
      name: 'Mail gateway',
      category: 'notification',
      url: 'http://127.0.0.1:9/hook',
      send_id_type: 'email',
      auth: 'none',
      template: [{ key: 'title', label: 'Title', type: 'text' }],
    });
    await admin('PUT', `/api/v1/projects/1/channels/${channel.id}/workspaces/${workspace.id}`);
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

  const size = (page: Page, text: string) =>
    page
      .getByTestId('audience-size')
      .filter({ hasText: new RegExp(`^${text}$`) })
      .waitFor();

  async function property(row: Locator, name: string, operator: string, value?: string) {
    await row.getByLabel('Property', { exact: true }).selectOption(name);
    await row.getByLabel('Operator', { exact: true }).selectOption(operator);
    if (value !== undefined) await row.getByLabel('Value', { exact: true }).fill(value);
  }

  it('builds a 2-group audience with a behavior condition, estimates it live, with a channel, and saves it', async () => {
    const tab = await signedIn('en');
    const { page } = tab;
    await page.getByRole('link', { name: 'Audiences' }).click();
    await page.getByRole('heading', { name: 'No audiences yet' }).waitFor();
    await page.getByRole('button', { name: 'New audience' }).first().click();
    await size(page, '6 profiles');

    const root = page.getByRole('region', { name: 'Conditions' });
    // Group 1: plan = pro, then OR level > 10.
    await root.getByRole('button', { name: 'Group', exact: true }).last().click();
    const group1 = root.getByRole('region', { name: 'Group 1' });
    await property(group1.getByRole('group', { name: 'Property condition 1' }), 'plan', 'equals', 'pro');
    await size(page, '2 profiles');
    await group1.getByRole('button', { name: 'Property condition' }).click();
    await property(
      group1.getByRole('group', { name: 'Property condition 2' }),
      'level',
      'greater_than',
      '10',
    );
    await size(page, '0 profiles');
    await group1.getByLabel('Group 1: Match').selectOption('or');
    await size(page, '4 profiles');

    // Group 2: did purchase in the last 30 days (its starting property row removed).
    await root.getByRole('button', { name: 'Group', exact: true }).last().click();
    const group2 = root.getByRole('region', { name: 'Group 2' });
    await group2.getByRole('button', { name: 'Behavior condition' }).click();
    await group2
      .getByRole('group', { name: 'Property condition 1' })
      .getByRole('button', { name: 'Remove' })
      .click();
    const behavior = group2.getByRole('group', { name: 'Behavior condition 1' });
    await behavior.getByLabel('Event', { exact: true }).selectOption('purchase');
    await behavior.getByLabel('When', { exact: true }).selectOption('last');
    await behavior.getByLabel('Days', { exact: true }).fill('30');
    await size(page, '3 profiles');
    assert.equal(await page.getByTestId('audience-reachable').count(), 0);

    // A channel whose send ID is e-mail: u2 has none and is left out.
    await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'Mail gateway · email' });
    await page.getByTestId('audience-reachable').filter({ hasText: '2 reachable on this channel' }).waitFor();
    await page.getByTestId('audience-excluded').filter({ hasText: '1 left out: no email' }).waitFor();
    await size(page, '3 profiles');

    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'Sample members' });
    await preview.waitFor();
    assert.equal(await preview.locator('tbody tr').count(), 3);
    await screenshot(page, 'audience-builder-1440-en');

    await page.getByLabel('Name').fill('Paying fans');
    await page.getByRole('button', { name: 'Save audience' }).click();
    await page
      .getByRole('table', { name: 'Saved audiences' })
      .getByRole('link', { name: 'Paying fans' })
      .waitFor();
    await screenshot(page, 'audience-list-1440-en');

    const saved = await admin<{ items: { name: string }[] }>(
      'GET',
      `/api/v1/projects/1/workspaces/${workspaceId}/audiences`,
    );
    assert.equal(saved.items.length, 1);
    tab.assertClean();
  });

  it('reads at 1280 and 1440 px in English and Chinese', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const tab = await signedIn(locale);
      const { page } = tab;
      for (const width of [1280, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto('/projects/1/audiences');
        await page.locator('table.table').waitFor();
        assert.ok((await noHorizontalScroll(page)) <= 0, `list fits at ${width} (${locale})`);
        await screenshot(page, `audience-list-${width}-${locale}`);
        await page.locator('table.table a').first().click();
        await size(page, locale === 'en' ? '3 profiles' : '3 位用户');
        await page.locator('.audience-behavior').waitFor();
        assert.ok((await noHorizontalScroll(page)) <= 0, `builder fits at ${width} (${locale})`);
        await screenshot(page, `audience-builder-${width}-${locale}`);
      }
      tab.assertClean();
    }
  });
});
