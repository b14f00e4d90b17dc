import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiSession, type ApiCall } from './support/api-session.ts';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { signIn, toast, until } from './support/console-actions.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { deliveryEnv, startBatchReceiver, type BatchMessage } from './support/delivery-world.ts';

// Issue 20, console: event triggers, campaign limits and the project's delivery rules on the pages
// of a real Touchpoint. An operator sets the project's frequency cap and quiet hours in Settings
// (a refused value is shown under its field) and reads them back; builds an event campaign
// entirely on the pages — the event picker, a property filter, a ${item} variable from
// event.sku, "unless Order Completed with the same cart_id within 1 hour", the campaign's own cap
// — and publishes it. Events then arrive through /v1/batch with a source key, as an SDK sends
// them; a real receiver on 127.0.0.1 gets exactly the expected messages with the event's sku,
// and the details page shows the run listening with its fired and excluded counts. Then every
// page at 1280 and 1440 px in English and Chinese. The tests build on each other in order.

const PASSWORD = 'event campaigns console 20';
const USERS = ['u-1', 'u-2', 'u-3', 'u-4'];
const CAMPAIGN = 'Cart reminder';
const MINUTE = 60_000;

interface Receiver {
  readonly url: string;
  readonly messages: BatchMessage[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const messages: BatchMessage[] = [];
  const receiver = await startBatchReceiver((batch) => {
    messages.push(...batch);
    return {};
  });
  return { url: receiver.url, messages, close: () => receiver.close() };
}

async function noHorizontalScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** A Segment-style track call as the server SDK sends it. */
const track = (userId: string, event: string, properties: Record<string, unknown>, at: number) => ({
  type: 'track',
  userId,
  event,
  properties,
  timestamp: new Date(at).toISOString(),
});

/** "HH:00" `hours` from now on the wall clock of `timeZone`. */
function hourFromNow(hours: number, timeZone: string): string {
  const hour = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(
    new Date(Date.now() + hours * 60 * MINUTE),
  );
  return `${hour.padStart(2, '0')}:00`;
}

describe('console: event-triggered campaigns and delivery rules', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let receiver: Receiver;
  let admin: ApiCall;
  let appKey = '';
  let workspaceId = '';
  let campaignId = '';
  let quiet = { start: '', end: '' };
  const tabs: ConsolePage[] = [];

  /** Posts events through the ingest API with the source's key; answers once accepted. */
  async function ingest(batch: unknown[]): Promise<void> {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${appKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch }),
    });
    assert.equal(res.status, 200, await res.text());
  }

  before(async () => {
    // The scheduler and the trigger worker look for due work every 100 ms (1 s by default).
    server = await startConsoleServer({
      adminPassword: PASSWORD,
      env: { ...deliveryEnv, TOUCHPOINT_CAMPAIGN_POLL_MS: '100' },
    });
    browser = await launchBrowser();
    receiver = await startReceiver();
    admin = await apiSession(server.url, server.firstAdmin.email, PASSWORD);
    const workspaces = await admin<{ items: { id: string }[] }>('GET', '/api/v1/projects/1/workspaces');
    workspaceId = workspaces.items[0]?.id ?? '';
    assert.ok(workspaceId, 'the first run made a workspace');
    const app = await admin<{ id: string }>('POST', '/api/v1/projects/1/apps', {
      name: 'Shop',
      app_type: 'app',
    });
    const source = await admin<{ credentials: { app_key: string } }>('POST', '/api/v1/projects/1/sources', {
      name: 'Shop server',
      app_id: app.id,
      platforms: [{ platform: 'server' }],
    });
    appKey = source.credentials.app_key;
    // The users, and earlier events that teach the catalog the event names and their properties
    // (they were received before the campaign listens, so they never fire it).
    const long = Date.now() - 60 * MINUTE;
    await ingest([
      ...USERS.map((u) => ({ type: 'identify', userId: u, traits: { name: `Shopper ${u}` } })),
      track('u-2', 'Added To Cart', { price: 20, sku: 'SKU-OLD', cart_id: 'c-0' }, long),
      track('u-2', 'Order Completed', { cart_id: 'c-0', total: 20 }, long + MINUTE),
      track('u-2', 'Page Viewed', { path: '/' }, long),
    ]);
    // Event management, not the audience catalog: the catalog keeps what it read for 30 s, and
    // the editor must first ask it once the events are known.
    await until('event management to know the events', async () => {
      const events = await admin<{ items: { name: string; properties: { name: string }[] }[] }>(
        'GET',
        '/api/v1/projects/1/events',
      );
      const cart = events.items.find((e) => e.name === 'Added To Cart');
      const done = events.items.find((e) => e.name === 'Order Completed');
      return cart?.properties.some((p) => p.name === 'cart_id') && done ? true : undefined;
    });
    const channel = await admin<{ id: string }>('POST', '/api/v1/projects/1/channels', {
      kind: 'webhook',
      name: 'Shop mail',
      category: 'notification',
      url: `${receiver.url}/mail`,
      send_id_type: 'user_id',
      auth: 'none',
      batch_size: 4,
      template: [
        { key: 'title', label: 'Title', type: 'text' },
        { key: 'content', label: 'Content', type: 'dynamic_text' },
      ],
    });
    await admin('PUT', `/api/v1/projects/1/channels/${channel.id}/workspaces/${workspaceId}`);
    // Quiet hours that hold nothing while the test runs: two to three hours from now, project time.
    const project = await admin<{ time_zone: string }>('GET', '/api/v1/projects/1');
    quiet = { start: hourFromNow(2, project.time_zone), end: hourFromNow(3, project.time_zone) };
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

  it('sets the project’s delivery rules in Settings, shows a refused value under its field, and reads them back', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Delivery rules' }).click();
    await page.waitForURL(/\/projects\/1\/settings\/delivery-rules$/);
    const form = page.getByRole('form', { name: 'Delivery rules' });
    const cap = form.getByRole('switch', { name: 'Limit how many messages a user gets' });
    const quietSwitch = form.getByRole('switch', { name: 'Send nothing during quiet hours' });
    assert.equal(await cap.isChecked(), false, 'no cap yet');
    assert.equal(await quietSwitch.isChecked(), false, 'no quiet hours yet');

    await cap.check();
    await form.getByLabel('At most (messages)').fill('0');
    await form.getByLabel('Per (hours)').fill('24');
    await form.getByRole('radio', { name: 'Per channel' }).click();
    await quietSwitch.check();
    await form.getByLabel('From').fill(quiet.start);
    await form.getByLabel('Until').fill(quiet.end);
    await form.getByText(/In each user’s own time zone when their profile names one/).waitFor();
    await form.getByRole('button', { name: 'Save changes' }).click();
    // The server refuses a count of 0; the console says so under the field, in its words.
    await form.getByText('A whole number from 1 to 1,000.').waitFor();
    await screenshot(page, 'delivery-rules-refused-1440-en');
    await form.getByLabel('At most (messages)').fill('5');
    assert.equal(
      await form.getByText('A whole number from 1 to 1,000.').count(),
      0,
      'the error goes with the edit',
    );
    await form.getByRole('button', { name: 'Save changes' }).click();
    await toast(page, 'Delivery rules saved.');

    const rules = await admin('GET', '/api/v1/projects/1/delivery-rules');
    assert.deepEqual(rules, {
      frequency_cap: { count: 5, period_hours: 24, per_channel: true },
      quiet_hours: quiet,
    });
    // Read back on a fresh page.
    await page.reload();
    await form.getByLabel('At most (messages)').waitFor();
    assert.equal(await form.getByLabel('At most (messages)').inputValue(), '5');
    assert.equal(await form.getByLabel('Per (hours)').inputValue(), '24');
    assert.equal(await form.getByRole('radio', { name: 'Per channel' }).getAttribute('aria-checked'), 'true');
    assert.equal(await form.getByLabel('From').inputValue(), quiet.start);
    assert.equal(await form.getByLabel('Until').inputValue(), quiet.end);
    await screenshot(page, 'delivery-rules-1440-en');
    tab.assertClean();
  });

  it('builds an event campaign on the pages (event, filter, event.sku variable, unless with the same cart_id, own cap) and publishes it', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('button', { name: 'New campaign' }).first().click();
    const steps = page.getByRole('list', { name: 'Campaign steps' });
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(CAMPAIGN);

    // The schedule first: an event trigger makes the audience optional.
    await steps.getByRole('button', { name: /Schedule/ }).click();
    await page.getByRole('radio', { name: 'When an event happens' }).click();
    const trigger = page.getByTestId('event-trigger');
    await trigger.getByLabel('Event', { exact: true }).selectOption('Added To Cart');
    await trigger.getByRole('button', { name: 'Add a filter' }).click();
    const filter = trigger.getByRole('group', { name: 'Filter 1' });
    await filter.getByLabel('Property').selectOption('price');
    await filter.getByLabel('Operator').selectOption({ label: 'greater than' });
    await filter.getByLabel('Value').fill('100');
    assert.equal(await trigger.getByLabel('Send after', { exact: true }).inputValue(), '0');
    await trigger.getByRole('switch', { name: 'Unless the user does another event first' }).check();
    await trigger.getByLabel('Unless the user does', { exact: true }).selectOption('Order Completed');
    await trigger.getByLabel('Within', { exact: true }).fill('1');
    await trigger.getByLabel('Within: unit').selectOption('hours');
    await trigger.getByRole('checkbox', { name: 'cart_id' }).check();
    await page
      .getByTestId('summary-schedule')
      .filter({
        hasText:
          'Each time Added To Cart happens (price > 100), at once, unless Order Completed with the same cart_id within 1 hour',
      })
      .waitFor();
    // The campaign's own limits: one message per user a day; quiet hours delay.
    await page.getByRole('switch', { name: 'Cap this campaign’s messages per user' }).check();
    await page.getByLabel('At most (messages)').fill('1');
    await page.getByLabel('Every (hours)').fill('24');
    await page.getByRole('radio', { name: 'Delay until they end' }).waitFor();
    assert.equal(
      await page.getByRole('radio', { name: 'Delay until they end' }).getAttribute('aria-checked'),
      'true',
    );
    await screenshot(page, 'event-campaign-schedule-1440-en');

    // The audience is optional now, and left empty: everyone who does the event.
    await steps.getByRole('button', { name: /Audience/ }).click();
    await page.getByRole('combobox', { name: 'Only users in audience (optional)' }).waitFor();
    await page
      .getByText('An event campaign reaches whoever does the event; an audience only narrows it.')
      .waitFor();

    await steps.getByRole('button', { name: /Channel/ }).click();
    await page.getByRole('radio', { name: /Shop mail/ }).click();

    // Content: ${item} from the triggering event's sku.
    await steps.getByRole('button', { name: /Content/ }).click();
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Your cart misses you');
    await page.getByLabel('Property', { exact: true }).selectOption('event.sku');
    await page.getByRole('button', { name: 'Add as variable' }).click();
    assert.equal(await page.getByLabel('Variable 1 source', { exact: true }).inputValue(), 'event.sku');
    await page.getByLabel('Variable 1 name', { exact: true }).fill('item');
    await page.getByLabel('Variable 1 default', { exact: true }).fill('your item');
    await page.getByRole('textbox', { name: 'Content', exact: true }).fill('Still thinking about ${item}?');
    await page
      .getByTestId('live-preview')
      .getByText('Each message of an event campaign is rendered when its event happens.', { exact: false })
      .waitFor();
    await screenshot(page, 'event-campaign-content-1440-en');

    await steps.getByRole('button', { name: /Review/ }).click();
    await page
      .getByTestId('review-schedule')
      .filter({ hasText: 'Each time Added To Cart happens (price > 100), at once, unless Order Completed' })
      .waitFor();
    await page
      .getByTestId('campaign-review')
      .getByText('At most 1 per user every 24 h · quiet hours delay')
      .waitFor();
    await screenshot(page, 'event-campaign-review-1440-en');
    await page.getByRole('button', { name: 'Submit' }).click();
    await toast(page, `Campaign ${CAMPAIGN} submitted.`);
    await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
    campaignId = decodeURIComponent(new URL(page.url()).pathname.split('/')[4] ?? '');
    assert.match(campaignId, /^cmp_/);

    // What the pages saved is what the API holds.
    const saved = await admin<Record<string, unknown>>(
      'GET',
      `/api/v1/projects/1/workspaces/${workspaceId}/campaigns/${campaignId}`,
    );
    assert.equal(saved.audience_id, null);
    assert.deepEqual(saved.trigger, {
      type: 'event',
      event: 'Added To Cart',
      filters: [{ type: 'property', property: 'price', operator: 'greater_than', value: 100 }],
      delay_minutes: 0,
      start_at: null,
      end_at: null,
      unless: { event: 'Order Completed', within_minutes: 60, same: ['cart_id'], filters: [] },
    });
    assert.deepEqual(saved.variables, [{ name: 'item', source: 'event.sku', default: 'your item' }]);
    assert.deepEqual(saved.frequency_cap, { count: 1, period_hours: 24 });
    assert.equal(saved.quiet_hours, 'delay');

    await page.getByRole('button', { name: 'Publish' }).click();
    const confirm = page.getByRole('dialog', { name: `Publish ${CAMPAIGN}?` });
    await confirm.getByText(/It starts listening/).waitFor();
    await confirm.getByRole('button', { name: 'Publish' }).click();
    await toast(page, `Campaign ${CAMPAIGN} published.`);
    await page.locator('table.runs-table [data-run-state="listening"]').waitFor({ timeout: 30_000 });
    tab.assertClean();
  });

  it('sends exactly the expected messages for ingested events, each with its sku, and shows fired and excluded counts', async () => {
    // Events as an SDK's offline queue sends them, stamped 65 minutes ago: the "unless" hour after
    // each cart has passed, so the worker judges them at once instead of after an hour. One
    // request, so the "Order Completed" events are applied with the carts they answer.
    const at = Date.now() - 65 * MINUTE;
    await ingest([
      // Fires and sends: price above 100, no order.
      track('u-1', 'Added To Cart', { price: 150, sku: 'SKU-RED', cart_id: 'c-1' }, at),
      // Never fire: the price is too low; another event name.
      track('u-2', 'Added To Cart', { price: 50, sku: 'SKU-CHEAP', cart_id: 'c-2' }, at),
      track('u-1', 'Page Viewed', { path: '/cart' }, at),
      // Fires, then excluded: the same cart was ordered within the hour.
      track('u-3', 'Added To Cart', { price: 200, sku: 'SKU-DONE', cart_id: 'c-3' }, at),
      track('u-3', 'Order Completed', { cart_id: 'c-3', total: 200 }, at + MINUTE),
      // Fires and sends: the order within the hour was for another cart.
      track('u-4', 'Added To Cart', { price: 300, sku: 'SKU-BLUE', cart_id: 'c-4' }, at),
      track('u-4', 'Order Completed', { cart_id: 'c-other', total: 10 }, at + MINUTE),
    ]);
    const tab = await signedIn();
    const { page } = tab;
    await page.goto(`/projects/1/campaigns/${campaignId}`);
    await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
    // The page re-reads itself while the run listens: the counts arrive.
    await page.getByTestId('run-fired').filter({ hasText: '3 events fired' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('run-excluded').filter({ hasText: '1 excluded' }).waitFor({ timeout: 30_000 });
    await page
      .locator('table.runs-table tbody tr [data-state="delivered"] .run-count-value')
      .filter({ hasText: /^2$/ })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('run-processed').filter({ hasText: '2 sent' }).waitFor();
    await page.locator('table.runs-table [data-run-state="listening"]').getByText('Listening').waitFor();
    await page.locator('main [data-campaign-state="running"]').first().waitFor();
    await page.getByText('Listening: each matching event sends its message after the delay set.').waitFor();
    await screenshot(page, 'event-campaign-details-1440-en');

    // Exactly one message per sending fire, each rendered with its own event's sku.
    assert.deepEqual(
      receiver.messages.map((m) => [m.push_id, (m.params as Record<string, string>).content]).sort(),
      [
        ['u-1', 'Still thinking about SKU-RED?'],
        ['u-4', 'Still thinking about SKU-BLUE?'],
      ],
    );
    for (const m of receiver.messages) {
      assert.equal((m.params as Record<string, string>).title, 'Your cart misses you');
      const receipt = m['#ops_receipt_properties'] as Record<string, unknown>;
      assert.equal(receipt.ops_task_id, campaignId);
    }
    const runs = await admin<{
      items: { state: string; fired: number; excluded: number; processed: number }[];
    }>('GET', `/api/v1/projects/1/workspaces/${workspaceId}/campaigns/${campaignId}/runs`);
    assert.deepEqual(
      runs.items.map((r) => [r.state, r.fired, r.excluded, r.processed]),
      [['listening', 3, 1, 2]],
    );
    tab.assertClean();
  });

  it('reads at 1280 and 1440 px in English and Chinese', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const tab = await signedIn(locale);
      const { page } = tab;
      for (const width of [1280, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto('/projects/1/settings/delivery-rules');
        await page.locator('input[name="count"]').waitFor();
        assert.ok((await noHorizontalScroll(page)) <= 0, `delivery rules fit at ${width} (${locale})`);
        await screenshot(page, `delivery-rules-${width}-${locale}`);

        await page.goto(`/projects/1/campaigns/${campaignId}`);
        await page.locator('table.runs-table [data-run-state="listening"]').waitFor();
        await page.getByTestId('run-fired').waitFor();
        assert.ok((await noHorizontalScroll(page)) <= 0, `details fit at ${width} (${locale})`);
        await screenshot(page, `event-campaign-details-${width}-${locale}`);

        await page.goto('/projects/1/campaigns');
        await page.locator('table.table').first().waitFor();
        assert.ok((await noHorizontalScroll(page)) <= 0, `list fits at ${width} (${locale})`);
        await screenshot(page, `event-campaign-list-${width}-${locale}`);

        // The editor's schedule step with an event trigger, a filter and "unless" open.
        await page.goto('/projects/1/campaigns/new');
        await page.locator('.campaign-steps li').nth(3).getByRole('button').click();
        await page.locator('.segmented [role="radio"]').nth(3).click();
        const trigger = page.getByTestId('event-trigger');
        await trigger.locator('select[name="trigger_event"]').selectOption('Added To Cart');
        await trigger.locator('.event-filters button').last().click();
        await trigger.locator('.audience-row select').first().selectOption('price');
        await trigger.locator('.event-unless [role="switch"]').check();
        await trigger.locator('select[name="unless_event"]').selectOption('Order Completed');
        await trigger.locator('input[name="same"][value="cart_id"]').check();
        await page.locator('.campaign-limits [role="switch"]').check();
        assert.ok((await noHorizontalScroll(page)) <= 0, `schedule step fits at ${width} (${locale})`);
        await screenshot(page, `event-campaign-schedule-${width}-${locale}`);
        await page.locator('.campaign-steps li').nth(0).getByRole('button').click();
        await page.locator('select[name="audience_id"]').waitFor();
        await screenshot(page, `event-campaign-audience-${width}-${locale}`);
      }
      tab.assertClean();
    }
  });
});
