import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { apiSession } from './support/api-session.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { signIn, toast } from './support/console-actions.ts';

// Data sources in the console (issue 5), all through the UI of a real Touchpoint on a fresh
// database; only the events that make a source `reporting` come from an SDK, as in production.
// The tests build on each other in order: the first sets the admin's password and creates the
// sources the others use.

const ADMIN_PASSWORD = 'sources admin password 5';
const MEMBER_EMAIL = 'zhao.min@example.com';
const MEMBER_PASSWORD = 'zhao-min-password-2026';
const MASKED = /^\*{8}.{4}$/;

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

async function ingest(url: string, appKey: string): Promise<Response> {
  return fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${appKey}:`).toString('base64')}`,
    },
    body: JSON.stringify({ batch: [{ type: 'track', userId: 'u-9', event: 'Probe' }] }),
  });
}

describe('console: data sources against the real backend', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let tab: ConsolePage;
  const mobile = { name: 'Shop App mobile', id: '', appKey: '' };
  const web = { name: 'Shop Web', id: '' };
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

  it('creates an app inline and a multi-platform source, with inline errors, then shows its details', async () => {
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

    // The overview's empty state now offers an enabled "Create data source".
    await page.getByText('No data sources yet').waitFor();
    await page.getByRole('button', { name: 'Create data source' }).click();
    await page.waitForURL(/\/connections\/sources\/new$/);
    await page.getByRole('heading', { level: 1, name: 'Create data source' }).waitFor();

    // Nothing chosen: every missing part is named under its field.
    const form = page.getByRole('form', { name: 'Create data source' });
    await form.getByRole('button', { name: 'Create data source' }).click();
    await form.getByText('Choose an app, or create one with “New app”.').waitFor();
    await form.getByText('Choose at least one platform.').waitFor();
    await form.getByText('Required.').waitFor();
    await form.getByText('Choose an app first: its type decides the platforms.').waitFor();

    // No app fits: create it inline; it is selected at once.
    await form.getByRole('button', { name: 'New app' }).click();
    const newApp = page.getByRole('dialog', { name: 'New app' });
    await newApp.getByText('The type decides the platforms and never changes').waitFor();
    await screenshot(page, 'sources-new-app');
    await newApp.getByLabel('App name').fill('Shop App');
    assert.ok(await newApp.getByRole('radio', { name: /^App/ }).isChecked(), 'App is the default type');
    await newApp.getByRole('button', { name: 'Create app' }).click();
    await toast(page, 'App “Shop App” created.');
    await newApp.waitFor({ state: 'hidden' });
    // The app list reloads after creation; the new app is selected once it is in the list.
    const appSelect = form.getByLabel('App', { exact: true });
    for (let i = 0; i < 100 && !/^app_/.test(await appSelect.inputValue()); i++)
      await page.waitForTimeout(50);
    assert.match(await appSelect.inputValue(), /^app_/);

    // An App app offers exactly its platforms; one source spans three of them.
    const platforms = form.getByRole('group', { name: 'Platforms' }).getByRole('checkbox');
    await form.getByRole('checkbox', { name: /^Android/ }).waitFor();
    assert.deepEqual(await platforms.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), [
      'android',
      'ios',
      'harmony',
      'server',
    ]);
    await form.getByRole('checkbox', { name: /^Android/ }).check();
    await form.getByRole('checkbox', { name: /^iOS/ }).check();
    await form.getByRole('checkbox', { name: /^Server/ }).check();
    await form.getByRole('switch', { name: 'Require the master secret on every server request' }).waitFor();
    await form.getByLabel('Data source name').fill(mobile.name);
    await form.getByLabel('Time zone').selectOption('Asia/Shanghai');
    await screenshot(page, 'sources-create');
    await form.getByRole('button', { name: 'Create data source' }).click();

    await page.waitForURL(/\/connections\/sources\/src_[^/]+$/);
    await toast(page, `Data source “${mobile.name}” created.`);
    await page.getByRole('heading', { level: 1, name: mobile.name }).waitFor();
    mobile.id = decodeURIComponent(page.url().split('/').pop() ?? '');
    const credentials = page.getByRole('region', { name: 'Credentials' });
    await credentials.getByText(mobile.id).waitFor();
    mobile.appKey = (await credentials.locator('dd').nth(1).locator('code').textContent()) ?? '';
    assert.match(mobile.appKey, /^[0-9a-f]{32}$/);
    assert.match((await page.getByTestId('master-secret-value').textContent()) ?? '', MASKED);
    assert.match(
      (await credentials.locator('dd').nth(3).locator('code').textContent()) ?? '',
      /^tp[0-9a-f]{10}$/,
    );
    const config = page.getByRole('region', { name: 'Configuration' });
    await config.getByText('Asia/Shanghai').waitFor();
    for (const p of ['Android', 'iOS', 'Server']) await config.getByText(p, { exact: true }).waitFor();
    await screenshot(page, 'sources-details');
    await done();
  });

  it('checks web origins inline from the API answer and creates a web + server source', async () => {
    const page = await admin();
    await page.goto('/projects/1/connections/sources/new');
    const form = page.getByRole('form', { name: 'Create data source' });
    await form.getByRole('button', { name: 'New app' }).click();
    const newApp = page.getByRole('dialog', { name: 'New app' });
    await newApp.getByLabel('App name').fill('Shop Web');
    await newApp.getByText('Web', { exact: true }).click();
    await newApp.getByRole('button', { name: 'Create app' }).click();
    await newApp.waitFor({ state: 'hidden' });

    // The platform choices render once the new app is selected.
    await form.getByRole('checkbox', { name: /^Web/ }).waitFor();
    const labels = await form
      .getByRole('group', { name: 'Platforms' })
      .getByRole('checkbox')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    assert.deepEqual(labels, ['web', 'server']);
    await form.getByRole('checkbox', { name: /^Web/ }).check();
    await form.getByRole('checkbox', { name: /^Server/ }).check();
    await form.getByRole('switch', { name: 'Require the master secret on every server request' }).check();
    await form.getByLabel('Web origins').fill('https://shop.example.com\nftp://shop.example.com');
    await form.getByLabel('Data source name').fill(web.name);
    await form.getByRole('button', { name: 'Create data source' }).click();
    // The server refuses the second origin (`details.issues[].path` /platforms/0/origins/1).
    await form.getByText('“ftp://shop.example.com” is not an origin').waitFor();
    assert.equal(await form.getByLabel('Web origins').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'sources-create-origin-error');
    await form.getByLabel('Web origins').fill('https://shop.example.com\nhttp://localhost:3000');
    assert.equal(
      await form.getByLabel('Web origins').getAttribute('aria-invalid'),
      null,
      'the error clears on edit',
    );
    await form.getByRole('button', { name: 'Create data source' }).click();
    await page.waitForURL(/\/connections\/sources\/src_[^/]+$/);
    web.id = decodeURIComponent(page.url().split('/').pop() ?? '');
    const config = page.getByRole('region', { name: 'Configuration' });
    await config.getByText('Origins: https://shop.example.com, http://localhost:3000').waitFor();
    await config.getByText('Server requests must carry the master secret').waitFor();
    await page
      .getByRole('region', { name: 'Credentials' })
      .getByText('Only apps have a URL scheme.')
      .waitFor();
    await done();
  });

  it('reveals, copies and rotates the master secret behind a confirmation; copies key and prompts', async () => {
    const page = await admin();
    await page.goto(`/projects/1/connections/sources/${mobile.id}`);
    const value = page.getByTestId('master-secret-value');
    const oldMasked = (await value.textContent()) ?? '';
    assert.match(oldMasked, MASKED);

    await page.getByRole('button', { name: 'Copy app key' }).click();
    await toast(page, 'Copied to the clipboard');
    assert.equal(await clipboard(page), mobile.appKey);
    await page.getByRole('button', { name: 'Copy data source ID' }).click();
    assert.equal(await clipboard(page), mobile.id);

    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    const secret = (await value.textContent()) ?? '';
    assert.doesNotMatch(secret, /\*/);
    assert.equal(secret.slice(-4), oldMasked.slice(-4), 'the mask ends like the secret');
    await page.getByRole('button', { name: 'Copy Master secret' }).click();
    assert.equal(await clipboard(page), secret);
    await screenshot(page, 'sources-secret-revealed');

    await page.getByRole('button', { name: 'Rotate' }).click();
    const confirm = page.getByRole('dialog', { name: `Rotate the master secret of “${mobile.name}”?` });
    await confirm.getByText('The current master secret is refused at once').waitFor();
    await confirm.getByText('The new secret is shown once').waitFor();
    await screenshot(page, 'sources-rotate-confirm');
    await confirm.getByRole('button', { name: 'Rotate secret' }).click();
    const shown = page.getByRole('dialog', { name: 'New master secret' });
    await shown.getByText('it is shown this once').waitFor();
    const rotated = (await shown.getByTestId('secret-value').textContent()) ?? '';
    assert.notEqual(rotated, secret);
    assert.doesNotMatch(rotated, /\*/);
    await screenshot(page, 'sources-rotated');
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="master-secret-value"]')?.textContent !== before,
      oldMasked,
    );
    const newMasked = (await value.textContent()) ?? '';
    assert.match(newMasked, MASKED);
    assert.notEqual(newMasked, oldMasked, 'old masked differs from new');
    assert.equal(newMasked.slice(-4), rotated.slice(-4));

    // Integration prompts: a tab per prompt, code filled with the key and this server's URL.
    const integration = page.getByRole('region', { name: 'Integration' });
    const tabs = integration.getByRole('tab');
    assert.deepEqual(await tabs.allTextContents(), [
      'Android (Segment analytics-kotlin)',
      'iOS (Segment analytics-swift)',
      'Server (Node.js, @segment/analytics-node)',
      'Server (curl)',
    ]);
    await tabs.first().focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(
      await integration
        .getByRole('tab', { name: 'iOS (Segment analytics-swift)' })
        .getAttribute('aria-selected'),
      'true',
    );
    await integration.getByRole('tab', { name: 'Server (curl)' }).click();
    const code = (await integration.getByRole('tabpanel').locator('pre').textContent()) ?? '';
    assert.ok(code.includes(mobile.appKey) && code.includes(server.url), code);
    await integration.getByRole('button', { name: 'Copy Server (curl)' }).click();
    assert.equal(await clipboard(page), code);
    await screenshot(page, 'sources-integration');
    await done();
  });

  it('offers no way to change an app type, and shows the API error when a change is forced', async () => {
    const page = await admin();
    await page.goto(`/projects/1/connections/sources/${mobile.id}`);
    await page.getByRole('region', { name: 'Configuration' }).getByRole('button', { name: 'Rename' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename app' });
    await rename.getByTestId('app-type').getByText('App').waitFor();
    assert.equal(await rename.locator('select, input[type="radio"]').count(), 0, 'no type control');
    assert.equal(await rename.getByRole('textbox').count(), 1, 'only the name is editable');

    // The edit dialog keeps app and type read-only as well.
    await rename.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Edit' }).first().click();
    const edit = page.getByRole('dialog', { name: `Edit “${mobile.name}”` });
    await edit.getByText('A data source stays with its app; the app’s type never changes.').waitFor();
    await screenshot(page, 'sources-edit');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // Forced: the request leaves the browser with another app_type; the answer is shown.
    await page.route('**/api/v1/projects/1/apps/*', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, app_type: 'web' }) });
    });
    await page.getByRole('region', { name: 'Configuration' }).getByRole('button', { name: 'Rename' }).click();
    await rename.getByLabel('App name').fill('Shop App 2');
    await rename.getByRole('button', { name: 'Save' }).click();
    await rename.getByText('An app’s type never changes; create a new app for another type.').waitFor();
    await page.unroute('**/api/v1/projects/1/apps/*');
    await rename.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'App renamed to “Shop App 2”.');
    await page.getByRole('region', { name: 'Configuration' }).getByText('Shop App 2').waitFor();
    await done();
  });

  it('edits name, platforms and time zone', async () => {
    const page = await admin();
    await page.goto(`/projects/1/connections/sources/${mobile.id}`);
    await page.getByRole('button', { name: 'Edit' }).first().click();
    const edit = page.getByRole('dialog', { name: `Edit “${mobile.name}”` });
    await edit.getByRole('checkbox', { name: /^HarmonyOS/ }).check();
    await edit.getByLabel('Time zone').selectOption('');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await toast(page, `Data source “${mobile.name}” saved.`);
    const config = page.getByRole('region', { name: 'Configuration' });
    await config.getByText('HarmonyOS', { exact: true }).waitFor();
    await config.getByText('project default').waitFor();
    await page
      .getByRole('region', { name: 'Integration' })
      .getByRole('tab', { name: /^HarmonyOS/ })
      .waitFor();
    await done();
  });

  it('filters the list by reporting status after a real SDK event, and by status', async () => {
    const analytics = new SegmentAnalytics({
      writeKey: mobile.appKey,
      host: server.url,
      flushAt: 1,
      maxRetries: 0,
    });
    analytics.track({ userId: 'u-1', event: 'Order Paid', properties: { amount: 99.5 } });
    await analytics.closeAndFlush();

    const page = await admin();
    await page.goto('/projects/1/connections/sources');
    const table = page.getByRole('region', { name: 'Data sources' });
    const rows = table.locator('tbody tr');
    await rows.filter({ hasText: mobile.name }).getByText('Reporting', { exact: true }).waitFor();
    await rows.filter({ hasText: web.name }).getByText('Never reported').waitFor();
    assert.equal(await rows.filter({ hasText: mobile.name }).locator('td.cell-num').textContent(), '1');
    await screenshot(page, 'sources-list');

    // The table empties while a filter reloads it: wait for the expected rows, then compare.
    const names = async (expected: string[]) => {
      for (const name of expected) await rows.filter({ hasText: name }).waitFor();
      return rows.locator('.cell-primary').allTextContents();
    };
    await page.getByLabel('Filter by reporting status').selectOption('reporting');
    await rows.filter({ hasText: web.name }).waitFor({ state: 'detached' });
    assert.deepEqual(await names([mobile.name]), [mobile.name]);
    await page.getByLabel('Filter by reporting status').selectOption('never_reported');
    await rows.filter({ hasText: mobile.name }).waitFor({ state: 'detached' });
    assert.deepEqual(await names([web.name]), [web.name]);
    await page.getByLabel('Filter by reporting status').selectOption('stopped');
    await table.getByText('Nothing matches these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await rows.filter({ hasText: mobile.name }).waitFor();

    // Disable from the list: the confirmation says what stops; the key is then refused with 403.
    await page.getByRole('button', { name: `More actions for ${web.name}` }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    const confirm = page.getByRole('dialog', { name: `Disable “${web.name}”?` });
    await confirm
      .getByText('Every request with this key will be refused with 403 and nothing stored.')
      .waitFor();
    await confirm.getByRole('button', { name: 'Disable data source' }).click();
    await toast(page, `Data source “${web.name}” disabled.`);
    await page.getByLabel('Filter by status').selectOption('disabled');
    await rows.filter({ hasText: mobile.name }).waitFor({ state: 'detached' });
    assert.deepEqual(await names([web.name]), [web.name]);
    await page.getByLabel('Filter by status').selectOption('enabled');
    await rows.filter({ hasText: web.name }).waitFor({ state: 'detached' });
    assert.deepEqual(await names([mobile.name]), [mobile.name]);
    await page.getByLabel('Filter by status').selectOption('');
    await page.getByRole('button', { name: `More actions for ${web.name}` }).click();
    await page.getByRole('menuitem', { name: 'Enable' }).click();
    await toast(page, `Data source “${web.name}” enabled`);
    // Verify and View are one click away from each row too (SPEC §7).
    await page.getByRole('link', { name: `Verify ${mobile.name}` }).click();
    await page.waitForURL(/\/verify$/);
    await page.goBack();
    await page.getByRole('link', { name: `View ${mobile.name}` }).click();
    await page.waitForURL(/\/events$/);
    await done();
  });

  it('shows a card per source with parameters on hover and keyboard focus; View and Verify lead on', async () => {
    const page = await admin();
    await page.goto('/projects/1/connections');
    const card = page.getByRole('article', { name: mobile.name });
    const params = card.getByTestId('source-params');
    await card.getByText('Reporting', { exact: true }).waitFor();
    assert.equal(await params.isVisible(), false, 'parameters stay hidden until hover');
    await page.getByRole('heading', { level: 1 }).hover();
    await card.hover();
    await params.waitFor({ state: 'visible' });
    for (const text of [mobile.id, mobile.appKey, 'Android, iOS, HarmonyOS, Server', 'UTC'])
      await params.getByText(text, { exact: true }).waitFor();
    assert.equal(await params.locator('dd').last().textContent(), '1');
    await screenshot(page, 'sources-overview-hover');

    // Keyboard: Tab onto the card shows the same parameters.
    await page.getByRole('heading', { level: 1 }).hover();
    await params.waitFor({ state: 'hidden' });
    const webCard = page.getByRole('article', { name: web.name });
    await page.getByRole('link', { name: 'All data sources' }).focus();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await webCard.evaluate((el) => el === document.activeElement)) break;
    }
    assert.ok(
      await webCard.evaluate((el) => el === document.activeElement),
      'the card is reachable with Tab',
    );
    await webCard.getByTestId('source-params').waitFor({ state: 'visible' });
    await screenshot(page, 'sources-overview-focus');

    await card.getByRole('link', { name: 'View' }).click();
    await page.getByRole('heading', { level: 1, name: 'Event management' }).waitFor();
    await page.getByRole('table', { name: 'Events' }).getByText('Order Paid').waitFor();
    await screenshot(page, 'sources-event-management');
    await page.goBack();
    await card.getByRole('link', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Verify' }).waitFor();
    await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('link', { name: mobile.name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: mobile.name }).waitFor();
    await done();
  });

  it('lists the apps with their linked data sources and channels; creates and renames an app', async () => {
    // A reach channel of the mobile app, made through the API (its pages are tested elsewhere).
    const api = await apiSession(server.url, server.firstAdmin.email, ADMIN_PASSWORD);
    const apps = await api<{ items: { id: string; name: string }[] }>('GET', '/api/v1/projects/1/apps');
    const shopApp = apps.items.find((a) => a.name === 'Shop App 2');
    assert.ok(shopApp);
    await api('POST', '/api/v1/projects/1/channels', {
      kind: 'webhook',
      name: 'Shop push',
      category: 'notification',
      url: 'https://push.example.com/touchpoint',
      send_id_type: 'user_id',
      auth: 'none',
      app_id: shopApp.id,
      template: [{ key: 'title', label: 'Title', type: 'text' }],
    });

    const page = await admin();
    await page.goto('/projects/1/connections');
    await page.getByRole('link', { name: 'Apps', exact: true }).click();
    await page.waitForURL(/\/connections\/apps$/);
    const table = page.getByRole('region', { name: 'Apps' });
    const shop = table.getByRole('row').filter({ hasText: 'Shop App 2' });
    await shop.getByRole('link', { name: mobile.name }).waitFor();
    await shop.getByRole('link', { name: 'Shop push' }).waitFor();
    const shopWeb = table.getByRole('row').filter({ hasText: 'Shop Web' });
    await shopWeb.getByRole('link', { name: web.name }).waitFor();
    await shopWeb.getByText('No reach channel').waitFor();
    await screenshot(page, 'apps');

    await page.getByRole('button', { name: 'New app' }).click();
    const create = page.getByRole('dialog', { name: 'New app' });
    await create.getByLabel('App name').fill('Shop Mini');
    await create.getByText('Mini program', { exact: true }).click();
    await create.getByRole('button', { name: 'Create app' }).click();
    await toast(page, 'App “Shop Mini” created.');
    const mini = table.getByRole('row').filter({ hasText: 'Shop Mini' });
    await mini.getByText('No data source').waitFor();
    await mini.getByText('Mini program').waitFor();

    await mini.getByRole('button', { name: 'Rename Shop Mini' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename app' });
    await rename.getByLabel('App name').fill('');
    await rename.getByRole('button', { name: 'Save' }).click();
    await rename.getByText('Required.').waitFor();
    await rename.getByLabel('App name').fill('Shop Mini CN');
    await rename.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'App renamed to “Shop Mini CN”.');
    await table.getByRole('row').filter({ hasText: 'Shop Mini CN' }).waitFor();
    await page.getByRole('link', { name: 'Shop push' }).click();
    await page.getByRole('heading', { level: 1, name: 'Shop push' }).waitFor();
    await done();
  });

  it('disables from the card menu and deletes from the details page, each after a confirmation', async () => {
    const page = await admin();
    await page.goto('/projects/1/connections');
    const card = page.getByRole('article', { name: mobile.name });
    await card.getByRole('button', { name: `More actions for ${mobile.name}` }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    const disable = page.getByRole('dialog', { name: `Disable “${mobile.name}”?` });
    await disable
      .getByText('Every request with this key will be refused with 403 and nothing stored.')
      .waitFor();
    await disable.getByText(mobile.appKey, { exact: false }).waitFor();
    await screenshot(page, 'sources-disable-confirm');
    await disable.getByRole('button', { name: 'Disable data source' }).click();
    await card.getByText('Disabled', { exact: true }).waitFor();
    const refused = await ingest(server.url, mobile.appKey);
    assert.equal(refused.status, 403);
    assert.equal(
      ((await refused.json()) as { error: { code: string } }).error.code,
      'TP_ERR_INGEST_SOURCE_DISABLED',
    );

    await card.getByRole('button', { name: `More actions for ${mobile.name}` }).click();
    await page.getByRole('menuitem', { name: 'Enable' }).click();
    await card.getByText('Enabled', { exact: true }).waitFor();
    assert.equal((await ingest(server.url, mobile.appKey)).status, 200);

    await card.getByRole('link', { name: mobile.name }).click();
    await page.getByRole('heading', { level: 1, name: mobile.name }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const del = page.getByRole('dialog', { name: `Delete “${mobile.name}”?` });
    await del.getByText('Its key will answer 401 like an unknown key; stored events remain.').waitFor();
    await screenshot(page, 'sources-delete-confirm');
    await del.getByRole('button', { name: 'Delete data source' }).click();
    await toast(page, `Data source “${mobile.name}” deleted.`);
    await page.waitForURL(/\/connections\/sources$/);
    await page
      .getByRole('region', { name: 'Data sources' })
      .getByRole('link', { name: web.name, exact: true })
      .waitFor();
    assert.equal(await page.getByRole('link', { name: mobile.name, exact: true }).count(), 0);
    assert.equal((await ingest(server.url, mobile.appKey)).status, 401);
    await done();
  });

  it('shows a clear message when revealing is refused (403) and disables Reveal without the permission', async () => {
    // A project admin member, demoted to viewer while their details page is open.
    const page = await admin();
    await page.goto('/projects/1/members');
    await page.getByRole('button', { name: 'Add member' }).click();
    const add = page.getByRole('dialog', { name: 'Add a member' });
    await add.getByLabel('E-mail').fill(MEMBER_EMAIL);
    await add.getByLabel('Role').selectOption('project_admin');
    await add.getByRole('button', { name: 'Add member' }).click();
    const link =
      (await page
        .getByRole('dialog', { name: 'Invitation created' })
        .getByTestId('set-password-url')
        .textContent()) ?? '';
    await page
      .getByRole('dialog', { name: 'Invitation created' })
      .getByRole('button', { name: 'Done' })
      .click();

    const member = await openConsole(browser, server.url);
    await member.page.goto(link);
    await member.page.getByLabel('New password', { exact: true }).fill(MEMBER_PASSWORD);
    await member.page.getByLabel('Repeat the new password').fill(MEMBER_PASSWORD);
    await member.page.getByRole('button', { name: 'Set password' }).click();
    await member.page.getByRole('heading', { name: 'Password set' }).waitFor();
    await signIn(member.page, MEMBER_EMAIL, MEMBER_PASSWORD);
    await member.page.goto(`/projects/1/connections/sources/${web.id}`);
    const reveal = member.page.getByRole('button', { name: 'Reveal' });
    assert.equal(await reveal.isEnabled(), true);

    // The member joined by setting the password with the invitation link.
    await page.reload();
    await page.getByRole('button', { name: `Edit ${MEMBER_EMAIL}` }).click();
    const edit = page.getByRole('dialog', { name: 'Change role and workspaces' });
    await edit.getByLabel('Role').selectOption('viewer');
    await edit.getByLabel('Default workspace').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row').filter({ hasText: MEMBER_EMAIL }).getByText('Viewer').waitFor();

    await reveal.click();
    await member.page
      .getByRole('alert')
      .filter({ hasText: 'Your role does not allow revealing this secret' })
      .waitFor();
    assert.match((await member.page.getByTestId('master-secret-value').textContent()) ?? '', MASKED);
    await screenshot(member.page, 'sources-reveal-refused');

    // After a reload the viewer sees Reveal disabled, and no way to change the source.
    await member.page.reload();
    await member.page.getByText('Revealing needs the “Reveal source secrets” permission.').first().waitFor();
    assert.equal(await member.page.getByRole('button', { name: 'Reveal' }).isDisabled(), true);
    for (const name of ['Rotate', 'Edit', 'Disable', 'Delete'])
      assert.equal(await member.page.getByRole('button', { name, exact: true }).count(), 0, name);
    member.assertClean();
    await member.close();
    await done();
  });

  it('shows the data source pages in Simplified Chinese', async () => {
    const page = await admin();
    await page.evaluate(() => window.localStorage.setItem('touchpoint.locale', 'zh-CN'));
    await page.goto('/projects/1/connections');
    await page.getByRole('heading', { level: 1, name: '数据通道连接' }).waitFor();
    await page.getByRole('article', { name: web.name }).getByText('从未上报').waitFor();
    await page.getByRole('article', { name: web.name }).getByRole('link', { name: '验证' }).waitFor();
    await screenshot(page, 'sources-zh-overview');
    await page.goto('/projects/1/connections/sources');
    await page.getByLabel('按上报状态筛选').waitFor();
    await page.getByRole('button', { name: '创建数据源' }).click();
    await page.getByRole('heading', { level: 1, name: '创建数据源' }).waitFor();
    await page.getByRole('button', { name: '新建应用' }).waitFor();
    await page.goto(`/projects/1/connections/sources/${web.id}`);
    await page.getByRole('region', { name: '凭证' }).getByText('Master Secret', { exact: true }).waitFor();
    await page.getByRole('region', { name: '接入' }).waitFor();
    const prompts = page.getByRole('region', { name: '接入' }).getByRole('tab');
    assert.deepEqual(await prompts.allTextContents(), [
      '网页（Segment analytics.js）',
      '网页（RudderStack JavaScript SDK）',
      '网页（ThinkingData web SDK）',
      '服务端（Node.js, @segment/analytics-node）',
      '服务端（curl）',
    ]);
    await page.getByRole('tab', { name: '服务端（curl）' }).click();
    await page.getByRole('button', { name: '复制 服务端（curl）' }).waitFor();
    await screenshot(page, 'sources-zh-integration');
    await page.getByRole('button', { name: '停用' }).click();
    await page.getByText('使用此 Key 的每个请求都将以 403 拒绝，且不保存任何数据。').waitFor();
    await screenshot(page, 'sources-zh-disable');
    await page.getByRole('button', { name: '取消' }).click();
    await done();
  });

  it('pages through the list with its cursor', async () => {
    const page = await admin();
    // One source is left; 25 more through the create form make two pages of 25 and 1.
    for (let i = 0; i < 25; i++) {
      await page.goto('/projects/1/connections/sources/new');
      const form = page.getByRole('form', { name: 'Create data source' });
      await form.getByLabel('App', { exact: true }).selectOption({ label: 'Shop App 2 (App)' });
      await form.getByRole('checkbox', { name: /^Android/ }).check();
      await form.getByLabel('Data source name').fill(`Bulk ${String(i).padStart(2, '0')}`);
      await form.getByRole('button', { name: 'Create data source' }).click();
      await page.waitForURL(/\/connections\/sources\/src_[^/]+$/);
    }
    await page.goto('/projects/1/connections/sources');
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await pager.getByText('Page 1 · 25 shown').waitFor();
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 2 · 1 shown').waitFor();
    assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await pager.getByText('Page 1 · 25 shown').waitFor();
    await done();
  });
});
