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
  type BatchMessage,
  type BatchReceiver,
} from './support/delivery-world.ts';

// Issue 19, console: a campaign made entirely on the pages of a real Touchpoint — audience with
// its estimate, channel with its untested warning, template values with a variable picked from
// the profile properties and a live preview, a schedule read back in words, ten recipients
// reviewed — then submitted; the author cannot approve it, another member (the workspace
// requires approval) does; it is published to send now, and the run's counts arrive on the
// details page as a real receiver on 127.0.0.1 answers. Then the pages in zh-CN, and every page
// at 1280 and 1440 px in both languages. The tests build on each other in order.

const PASSWORD = 'campaigns console admin 19';
const APPROVER = { email: 'li.na@example.com', name: 'Li Na', password: 'approver of campaigns 19' };
const USERS = Array.from({ length: 12 }, (_, i) => `u-${String(i + 1).padStart(2, '0')}`);
/** Odd users are on the pro plan (the audience); u-05 and u-09 have no nickname (the default). */
const PRO = USERS.filter((_, i) => i % 2 === 0);
const nicknameOf = (u: string) => (u === 'u-05' || u === 'u-09' ? undefined : `Player ${u}`);
const CAMPAIGN = 'Weekend rewards';

interface Receiver extends BatchReceiver {
  readonly messages: BatchMessage[];
}

async function startReceiver(): Promise<Receiver> {
  const messages: BatchMessage[] = [];
  const receiver = await startBatchReceiver((batch) => {
    messages.push(...batch);
    return {};
  });
  return { ...receiver, messages };
}

async function noHorizontalScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** The value of one state's count in the first run's row of the details page. */
const runCount = async (page: Page, state: string) =>
  (
    await page
      .locator(`table.runs-table tbody tr [data-state="${state}"] .run-count-value`)
      .first()
      .innerText()
  ).trim();

describe('console: campaigns', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let receiver: Receiver;
  let admin: ApiCall;
  let workspaceId = '';
  let channelId = '';
  let campaignId = '';
  const tabs: ConsolePage[] = [];

  before(async () => {
    // The scheduler looks for due campaigns every 100 ms (1 s by default).
    server = await startConsoleServer({
      adminPassword: PASSWORD,
      env: { ...deliveryEnv, TOUCHPOINT_CAMPAIGN_POLL_MS: '100' },
    });
    browser = await launchBrowser();
    receiver = await startReceiver();
    admin = await apiSession(server.url, server.firstAdmin.email, PASSWORD);
    await seedProfiles(server.url, admin, USERS, (u) => ({
      plan: PRO.includes(u) ? 'pro' : 'free',
      ...(nicknameOf(u) ? { nickname: nicknameOf(u) } : {}),
    }));
    // The console opens the project's first workspace; it requires approval here.
    const workspaces = await admin<{ items: { id: string }[] }>('GET', '/api/v1/projects/1/workspaces');
    workspaceId = workspaces.items[0]?.id ?? '';
    assert.ok(workspaceId, 'the first run made a workspace');
    await admin('PATCH', `/api/v1/projects/1/workspaces/${workspaceId}`, { require_approval: true });
    await admin('POST', `/api/v1/projects/1/workspaces/${workspaceId}/audiences`, {
      name: 'Pro players',
      conditions: {
        type: 'group',
        combinator: 'and',
        conditions: [{ type: 'property', property: 'plan', operator: 'equals', value: 'pro' }],
      },
    });
    const channel = await admin<{ id: string }>('POST', '/api/v1/projects/1/channels', {
      kind: 'webhook',
      name: 'Game mail',
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
    channelId = channel.id;
    await admin('PUT', `/api/v1/projects/1/channels/${channelId}/workspaces/${workspaceId}`);
    // Another member who may approve: a workspace admin of this workspace.
    const added = await admin<{ invite_url: string }>('POST', '/api/v1/projects/1/members', {
      email: APPROVER.email,
      name: APPROVER.name,
      role: 'workspace_admin',
      workspace_ids: [workspaceId],
    });
    const set = await fetch(`${server.url}/api/v1/auth/set-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: new URL(added.invite_url).searchParams.get('token'),
        password: APPROVER.password,
      }),
    });
    assert.ok(set.ok, await set.text());
  });
  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  async function signedIn(
    locale: 'en' | 'zh-CN' = 'en',
    who: { email: string; password: string } = { email: server.firstAdmin.email, password: PASSWORD },
  ): Promise<ConsolePage> {
    const tab = await openConsole(browser, server.url, { locale: locale === 'en' ? 'en-US' : 'zh-CN' });
    tabs.push(tab);
    await signIn(tab.page, who.email, who.password);
    return tab;
  }

  it('creates a campaign in five steps (estimate, untested warning, variable picker, live preview, cron in words, ten recipients) and submits it', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('heading', { name: 'No campaigns in this workspace' }).waitFor();
    await page.getByRole('button', { name: 'New campaign' }).first().click();

    // 1. Name and audience: the estimate says how many it holds.
    const steps = page.getByRole('list', { name: 'Campaign steps' });
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(CAMPAIGN);
    await page
      .getByRole('combobox', { name: 'Audience', exact: true })
      .selectOption({ label: 'Pro players' });
    await page.getByTestId('campaign-size').filter({ hasText: '6 profiles' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    // 2. The channel authorized to the workspace, untested: the warning says so; all 6 reachable.
    await steps
      .getByRole('button', { name: /Channel/ })
      .and(page.locator('[aria-current="step"]'))
      .waitFor();
    await page.getByRole('radio', { name: /Game mail/ }).click();
    await page
      .getByText('Not tested yet: send a test to check your endpoint before campaigns use it.')
      .waitFor();
    await page.getByTestId('campaign-reachable').filter({ hasText: '6 with a user_id' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    // 3. The template form of the channel, a variable picked from the profile properties, and the
    // live preview of one recipient's message.
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Double rewards');
    await page.getByLabel('Profile property', { exact: true }).selectOption('nickname');
    await page.getByRole('button', { name: 'Add as variable' }).click();
    assert.equal(await page.getByLabel('Variable 1 name', { exact: true }).inputValue(), 'nickname');
    assert.equal(await page.getByLabel('Variable 1 source', { exact: true }).inputValue(), 'user.nickname');
    await page.getByLabel('Variable 1 default', { exact: true }).fill('friend');
    await page
      .getByRole('textbox', { name: 'Content', exact: true })
      .fill('Hi ${nickname}, rewards are doubled this weekend!');
    const live = page.getByTestId('live-preview');
    await live
      .locator('[data-param="content"]')
      .filter({ hasText: /^Hi (Player u-\d\d|friend), rewards are doubled this weekend!$/ })
      .waitFor();
    await live.locator('[data-param="title"]').filter({ hasText: 'Double rewards' }).waitFor();
    await screenshot(page, 'campaign-editor-content-1440-en');
    await page.getByRole('button', { name: 'Next' }).click();

    // 4. A recurring schedule is read back in words; this campaign sends now.
    await page.getByRole('radio', { name: 'Recurring' }).click();
    await page.getByLabel('Cron expression').fill('0 9 * * 1');
    await page.getByTestId('cron-reading').filter({ hasText: 'At 09:00, only on Monday' }).waitFor();
    await page.getByLabel('Cron expression').fill('every monday');
    await page
      .getByTestId('cron-reading')
      .filter({ hasText: 'Not a cron expression that can be read.' })
      .waitFor();
    await screenshot(page, 'campaign-editor-schedule-1440-en');
    await page.getByRole('radio', { name: 'Send now' }).click();
    await page.getByRole('button', { name: 'Next' }).click();

    // 5. Review: the six recipients (fewer than ten) with their rendered messages.
    const review = page.getByRole('table', { name: 'Recipients and their messages' });
    await review.waitFor();
    await until('six reviewed recipients', async () =>
      (await review.locator('tbody tr').count()) === 6 ? true : undefined,
    );
    const contents = await review.locator('[data-param="content"]').allInnerTexts();
    assert.deepEqual(
      contents.map((c) => c.trim()).sort(),
      PRO.map((u) => `Hi ${nicknameOf(u) ?? 'friend'}, rewards are doubled this weekend!`).sort(),
    );
    await page.getByText('This workspace requires approval').waitFor();
    await screenshot(page, 'campaign-editor-review-1440-en');
    await page.getByRole('button', { name: 'Submit' }).click();
    await toast(page, `Campaign ${CAMPAIGN} submitted.`);
    await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
    await page.locator('main [data-campaign-state="pending_approval"]').first().waitFor();
    campaignId = decodeURIComponent(new URL(page.url()).pathname.split('/')[4] ?? '');
    assert.match(campaignId, /^cmp_/);
    tab.assertClean();
  });

  it('does not let the author approve; another member rejects one with a reason and approves the other from the inbox', async () => {
    // A second submission, made through the API, to be rejected.
    const base = `/api/v1/projects/1/workspaces/${workspaceId}/campaigns`;
    const audiences = await admin<{ items: { id: string }[] }>(
      'GET',
      `/api/v1/projects/1/workspaces/${workspaceId}/audiences`,
    );
    const other = await admin<{ id: string }>('POST', base, {
      name: 'Too early',
      audience_id: audiences.items[0]?.id,
      channel_id: channelId,
      trigger: { type: 'now' },
      template_values: { title: 'Soon', content: 'Soon' },
    });
    await admin('POST', `${base}/${other.id}/submit`);

    const author = await signedIn();
    await author.page.goto('/projects/1/campaigns/approvals');
    const inbox = author.page.getByRole('region', { name: 'Campaigns waiting for approval' });
    const row = inbox.locator('tbody tr').filter({ hasText: CAMPAIGN });
    await row.waitFor();
    assert.equal(await row.getByRole('button', { name: 'Approve' }).isDisabled(), true);
    await row.getByTestId('own-submission').waitFor();
    await screenshot(author.page, 'campaign-inbox-author-1440-en');
    author.assertClean();

    const approver = await signedIn('en', APPROVER);
    const { page } = approver;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: 'Approval inbox' }).click();
    const theirs = page
      .getByRole('region', { name: 'Campaigns waiting for approval' })
      .locator('tbody tr')
      .filter({ hasText: CAMPAIGN });
    await theirs.waitFor();
    assert.equal(await theirs.getByTestId('own-submission').count(), 0);
    await screenshot(page, 'campaign-inbox-approver-1440-en');

    // Reject asks for a reason; without one it says why it cannot go on.
    const early = page
      .getByRole('region', { name: 'Campaigns waiting for approval' })
      .locator('tbody tr')
      .filter({ hasText: 'Too early' });
    await early.getByRole('button', { name: 'Reject' }).click();
    const reject = page.getByRole('dialog', { name: 'Reject Too early?' });
    await reject.getByRole('button', { name: 'Reject' }).click();
    await reject.getByText('Say why, so the author knows what to change.').waitFor();
    await reject.getByLabel('Reason').fill('Wait for the spring event.');
    await reject.getByRole('button', { name: 'Reject' }).click();
    await toast(page, 'Campaign Too early rejected.');
    await early.waitFor({ state: 'detached' });

    await theirs.getByRole('button', { name: 'Approve' }).click();
    await toast(page, `Campaign ${CAMPAIGN} approved.`);
    await page.getByRole('heading', { name: 'Nothing to approve' }).waitFor();
    const approved = await admin<{ state: string; approved_by: string | null }>(
      'GET',
      `/api/v1/projects/1/workspaces/${workspaceId}/campaigns/${campaignId}`,
    );
    assert.equal(approved.state, 'pending_publish');
    assert.ok(approved.approved_by);
    approver.assertClean();

    // The author finds the rejected one back in draft, with who rejected it and why.
    await author.page.goto(`/projects/1/campaigns/${other.id}`);
    await author.page.locator('main [data-campaign-state="draft"]').first().waitFor();
    await author.page.getByText(/Rejected by Li Na on .*: Wait for the spring event\./).waitFor();
    await author.page.getByRole('button', { name: 'Edit' }).waitFor();
    author.assertClean();
  });

  it('publishes it to send now and shows the run’s counts arriving, each a link to the message log', async () => {
    const tab = await signedIn();
    const { page } = tab;
    await page.goto('/projects/1/campaigns?state=pending_publish');
    await page.getByRole('link', { name: CAMPAIGN }).click();
    await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
    await page.locator('main [data-campaign-state="pending_publish"]').first().waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    const confirm = page.getByRole('dialog', { name: `Publish ${CAMPAIGN}?` });
    await confirm.getByText('Messages go out to the audience right away.').waitFor();
    await confirm.getByRole('button', { name: 'Publish' }).click();
    await toast(page, `Campaign ${CAMPAIGN} published.`);

    // The page re-reads itself: the run appears, then its delivered count reaches 6.
    await page.locator('table.runs-table tbody tr').first().waitFor({ timeout: 30_000 });
    await page
      .locator('table.runs-table tbody tr [data-state="delivered"] .run-count-value')
      .filter({ hasText: /^6$/ })
      .waitFor({ timeout: 30_000 });
    assert.equal(await runCount(page, 'failed'), '0');
    assert.equal(await runCount(page, 'queued'), '0');
    await page.getByTestId('run-processed').filter({ hasText: '6 of 6 processed' }).waitFor();
    await screenshot(page, 'campaign-details-1440-en');

    // Every expected user got exactly one message, rendered with their nickname or the default.
    assert.equal(receiver.messages.length, 6);
    assert.deepEqual(receiver.messages.map((m) => m.push_id).sort(), [...PRO].sort());
    for (const m of receiver.messages) {
      const params = m.params as Record<string, string>;
      assert.equal(params.title, 'Double rewards');
      assert.equal(
        params.content,
        `Hi ${nicknameOf(m.push_id) ?? 'friend'}, rewards are doubled this weekend!`,
      );
      const receipt = m['#ops_receipt_properties'] as Record<string, unknown>;
      assert.equal(receipt.ops_task_id, campaignId);
    }

    // The delivered count opens the message log filtered by the campaign and that state.
    await page.locator('table.runs-table tbody tr [data-state="delivered"]').first().click();
    await page.waitForURL(/\/projects\/1\/delivery\?/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('campaign_id'), campaignId);
    assert.equal(url.searchParams.get('state'), 'delivered');
    await page.waitForFunction(
      () => document.querySelectorAll('section[aria-label="Messages"] tbody tr').length === 6,
    );
    tab.assertClean();
  });

  it('reads in zh-CN: the list, the details with their runs, the editor’s steps and a cron in Chinese', async () => {
    const tab = await signedIn('zh-CN');
    const { page } = tab;
    await page.goto('/projects/1/campaigns');
    await page.getByRole('heading', { level: 1, name: '运营活动' }).waitFor();
    await page.getByRole('group', { name: '按状态筛选' }).getByRole('button', { name: '已完成' }).waitFor();
    await page.getByRole('link', { name: '审批收件箱' }).waitFor();
    const row = page.locator('tbody tr').filter({ hasText: CAMPAIGN });
    await row
      .locator('[data-campaign-state]')
      .filter({ hasText: /已完成|运行中/ })
      .waitFor();
    await row.getByText('立即发送').waitFor();
    await row.getByRole('link', { name: CAMPAIGN }).click();
    await page.getByRole('heading', { name: '运行记录' }).waitFor();
    await page.getByTestId('run-processed').filter({ hasText: '已处理 6 / 6' }).waitFor();
    await page.getByRole('button', { name: '消息日志' }).waitFor();

    await page.goto('/projects/1/campaigns/new');
    const steps = page.getByRole('list', { name: '活动步骤' });
    for (const name of ['受众', '通道', '内容', '发送时间', '确认'])
      await steps.getByRole('button', { name: new RegExp(name) }).waitFor();
    await steps.getByRole('button', { name: /发送时间/ }).click();
    await page.getByRole('radio', { name: '周期发送' }).click();
    await page.getByLabel('Cron 表达式').fill('0 9 * * 1');
    const reading = await page.getByTestId('cron-reading').innerText();
    assert.match(reading, /星期一/);
    assert.match(reading, /09:00/);
    tab.assertClean();
  });

  it('reads at 1280 and 1440 px in English and Chinese', async () => {
    const pages: [string, string, (page: Page) => Promise<void>][] = [
      ['list', '/projects/1/campaigns', (p) => p.locator('table.table').first().waitFor()],
      ['inbox', '/projects/1/campaigns/approvals', (p) => p.locator('.empty').waitFor()],
      ['details', `/projects/1/campaigns/${campaignId}`, (p) => p.locator('table.runs-table').waitFor()],
      ['editor', '/projects/1/campaigns/new', (p) => p.locator('.campaign-steps').waitFor()],
    ];
    for (const locale of ['en', 'zh-CN'] as const) {
      const tab = await signedIn(locale);
      const { page } = tab;
      for (const width of [1280, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        for (const [name, path, ready] of pages) {
          await page.goto(path);
          await ready(page);
          assert.ok((await noHorizontalScroll(page)) <= 0, `${name} fits at ${width} (${locale})`);
          await screenshot(page, `campaign-${name}-${width}-${locale}`);
        }
        // The editor's content and review steps with a channel chosen.
        await page.locator('select[name="audience_id"]').selectOption({ label: 'Pro players' });
        await page.locator('.campaign-steps li').nth(1).getByRole('button').click();
        await page.locator('.channel-pick').first().click();
        await page.locator('.campaign-steps li').nth(2).getByRole('button').click();
        await page.locator('.test-values').waitFor();
        assert.ok((await noHorizontalScroll(page)) <= 0, `content step fits at ${width} (${locale})`);
        await screenshot(page, `campaign-content-${width}-${locale}`);
        await page.locator('.campaign-steps li').nth(4).getByRole('button').click();
        await page
          .locator('.campaign-editor [role="alert"], .review-table, .campaign-editor .alert-warning')
          .first()
          .waitFor();
        assert.ok((await noHorizontalScroll(page)) <= 0, `review step fits at ${width} (${locale})`);
        await screenshot(page, `campaign-review-${width}-${locale}`);
      }
      tab.assertClean();
    }
  });
});
