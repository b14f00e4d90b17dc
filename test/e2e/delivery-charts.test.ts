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

// The channel delivery charts (issue 17 item 4) against a real Touchpoint whose embedded
// dispatcher sends to a real receiver on 127.0.0.1 that refuses some items for good, answers 500
// to one user's requests (retried, then dead) and is slow on some requests: the charts on the
// channel details page render with non-zero data in both ranges, a channel that never sent shows
// the empty state, and the page reads at 1280 and 1440 px in English and Chinese.

const PASSWORD = 'delivery charts admin 17';
const USERS = Array.from({ length: 30 }, (_, i) => `c-${String(i + 1).padStart(2, '0')}`);
const REFUSED = new Set(['c-04', 'c-11', 'c-19']);
const CRASH = 'c-25';

async function startReceiver(): Promise<BatchReceiver> {
  let n = 0;
  return startBatchReceiver((messages) => {
    if (messages.some((m) => m.push_id === CRASH)) return { status: 500, body: { error: 'down' } };
    const failList = messages.flatMap((m, i) =>
      REFUSED.has(m.push_id) ? [{ index: i + 1, message: `user ${m.push_id} refused` }] : [],
    );
    // Every third request is slow, so p50 and p99 differ.
    return { body: success(failList), delayMs: (n += 1) % 3 === 0 ? 120 : 0 };
  });
}

interface Stats {
  totals: {
    requests: number;
    messages: Record<string, number>;
    p50_ms: number | null;
    p99_ms: number | null;
  };
}

describe('console: channel delivery charts', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let receiver: BatchReceiver;
  let admin: ApiCall;
  let busyId = '';
  let quietId = '';
  let expected: Stats;
  const tabs: ConsolePage[] = [];

  before(async () => {
    server = await startConsoleServer({
      adminPassword: PASSWORD,
      env: deliveryEnv,
    });
    browser = await launchBrowser();
    receiver = await startReceiver();
    admin = await apiSession(server.url, server.firstAdmin.email, PASSWORD);
    await seedProfiles(server.url, admin, USERS);
    const workspace = await admin<{ id: string }>('POST', '/api/v1/projects/1/workspaces', {
      name: 'Live ops',
    });
    const channel = async (name: string, batchSize: number) => {
      const created = await admin<{ id: string }>('POST', '/api/v1/projects/1/channels', {
        kind: 'webhook',
        name,
        category: 'notification',
        url: `${receiver.url}/hook`,
        send_id_type: 'user_id',
        auth: 'none',
        batch_size: batchSize,
        template: [{ key: 'title', label: 'Title', type: 'text' }],
      });
      await admin('PUT', `/api/v1/projects/1/channels/${created.id}/workspaces/${workspace.id}`);
      return created.id;
    };
    busyId = await channel('Game mail', 3);
    quietId = await channel('Quiet push', 10);
    const sent = await admin<{ queued: number }>(
      'POST',
      `/api/v1/projects/1/workspaces/${workspace.id}/sends`,
      {
        channel_id: busyId,
        template_values: { title: 'Daily rewards' },
        recipients: USERS.map((id) => ({ id_type: 'user_id', id })),
      },
    );
    assert.equal(sent.queued, 30);
    await until('the channel to settle', async () => {
      const c = await admin<Record<string, number>>(
        'GET',
        `/api/v1/projects/1/messages-counts?channel_id=${busyId}`,
      );
      return c.queued === 0 && c.sending === 0 && (c.dead ?? 0) >= 1 ? c : undefined;
    });
    expected = await admin<Stats>('GET', `/api/v1/projects/1/channels/${busyId}/delivery-stats?range=1h`);
    assert.ok(expected.totals.messages.delivered! > 0 && expected.totals.messages.failed! > 0);
    assert.ok(expected.totals.messages.retry! > 0 && expected.totals.messages.dead! > 0);
  });
  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  async function signedIn(locale: 'en' | 'zh-CN'): Promise<ConsolePage> {
    const tab = await openConsole(browser, server.url, { locale: locale === 'en' ? 'en-US' : 'zh-CN' });
    tabs.push(tab);
    await signIn(tab.page, server.firstAdmin.email, PASSWORD);
    return tab;
  }

  /** Waits for the charts of `range` and answers what they drew. */
  async function drawn(page: Page, range: '1h' | '24h') {
    const charts = page.locator(`[data-testid="delivery-charts"][data-range="${range}"]`);
    await charts.locator('[data-testid="chart-messages"] .recharts-bar-rectangle').first().waitFor();
    return page.evaluate((r) => {
      const root = document.querySelector(
        `[data-testid="delivery-charts"][data-range="${r}"]`,
      ) as HTMLElement;
      const heights = Array.from(
        root.querySelectorAll('[data-testid="chart-messages"] .recharts-bar-rectangle path'),
      ).map((p) => (p as SVGGraphicsElement).getBBox().height);
      const dots = (id: string) =>
        root.querySelectorAll(`[data-testid="${id}"] .recharts-line-dots circle`).length;
      const card = root.closest('.card') as HTMLElement;
      return {
        bars: heights.filter((h) => h > 0).length,
        errorDots: dots('chart-error-rate'),
        latencyDots: dots('chart-latency'),
        total: (root.querySelector('[data-testid="charts-total-messages"]') as HTMLElement).innerText,
        errorRate: (root.querySelector('[data-testid="charts-error-rate"]') as HTMLElement).innerText,
        overflow: card.scrollWidth - card.clientWidth,
        legend: Array.from(
          root.querySelectorAll('[data-testid="chart-messages"] .recharts-legend-item-text'),
        ).map((e) => (e as HTMLElement).innerText),
      };
    }, range);
  }

  /** After a resize: the charts re-measure on their ResizeObserver's next frame, not at once. */
  async function settled(page: Page, range: '1h' | '24h') {
    for (let i = 0; ; i += 1) {
      const state = await drawn(page, range);
      if (state.overflow <= 0 || i >= 20) return state;
      await page.waitForTimeout(100);
    }
  }

  it('draws messages/s by outcome, error rate and p50/p99 latency with non-zero data, in both ranges, at 1440 and 1280 px', async () => {
    const tab = await signedIn('en');
    const { page } = tab;
    await page.goto(`/projects/1/connections/channels/${busyId}`);
    await page.getByRole('heading', { name: 'Delivery charts' }).waitFor();
    const hour = await drawn(page, '1h');
    const total = Object.values(expected.totals.messages).reduce((a, b) => a + b, 0);
    assert.equal(hour.total, String(total));
    assert.ok(hour.bars > 0, 'bars with height');
    assert.ok(hour.errorDots > 0, 'error rate points');
    assert.ok(hour.latencyDots >= 2, 'p50 and p99 points');
    assert.notEqual(hour.errorRate, '—');
    assert.deepEqual(
      hour.legend,
      ['delivered', 'retry', 'failed', 'dead'],
      'the outcomes that happened, in order',
    );
    assert.ok(hour.overflow <= 0, `no horizontal overflow (${hour.overflow}px)`);
    await screenshot(page, 'delivery-charts-1h-1440-en');
    await page.getByRole('radio', { name: 'Last 24 hours' }).click();
    const day = await drawn(page, '24h');
    assert.equal(day.total, String(total));
    assert.ok(day.bars > 0 && day.latencyDots >= 2);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('radio', { name: 'Last hour' }).click();
    const narrow = await settled(page, '1h');
    assert.ok(narrow.bars > 0);
    assert.ok(narrow.overflow <= 0, `no horizontal overflow at 1280 px (${narrow.overflow}px)`);
    await screenshot(page, 'delivery-charts-1h-1280-en');
    tab.assertClean();
  });

  it('shows the empty state on a channel that never sent', async () => {
    const tab = await signedIn('en');
    const { page } = tab;
    await page.goto(`/projects/1/connections/channels/${quietId}`);
    await page.locator('[data-testid="charts-empty"]').waitFor();
    assert.match(
      await page.locator('[data-testid="charts-empty"]').innerText(),
      /No deliveries in this period/,
    );
    assert.equal(await page.locator('.recharts-wrapper').count(), 0);
    await screenshot(page, 'delivery-charts-empty-en');
    tab.assertClean();
  });

  it('reads in Chinese at 1440 and 1280 px (charts and the empty state)', async () => {
    const tab = await signedIn('zh-CN');
    const { page } = tab;
    await page.goto(`/projects/1/connections/channels/${busyId}`);
    await page.getByRole('heading', { name: '投递图表' }).waitFor();
    const hour = await drawn(page, '1h');
    assert.ok(hour.bars > 0);
    assert.deepEqual(hour.legend, [
      '已送达（delivered）',
      '待重试（retry）',
      '失败（failed）',
      '死信（dead）',
    ]);
    await screenshot(page, 'delivery-charts-1h-1440-zh-CN');
    await page.getByRole('radio', { name: '最近 24 小时' }).click();
    await drawn(page, '24h');
    await page.setViewportSize({ width: 1280, height: 900 });
    const day = await settled(page, '24h');
    assert.ok(day.overflow <= 0, `no horizontal overflow at 1280 px (${day.overflow}px)`);
    await screenshot(page, 'delivery-charts-24h-1280-zh-CN');
    await page.goto(`/projects/1/connections/channels/${quietId}`);
    await page.locator('[data-testid="charts-empty"]').waitFor();
    assert.match(await page.locator('[data-testid="charts-empty"]').innerText(), /此时段内没有投递/);
    await screenshot(page, 'delivery-charts-empty-zh-CN');
    tab.assertClean();
  });
});
