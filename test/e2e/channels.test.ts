import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { signIn, toast } from './support/console-actions.ts';

// Reach channels in the console (issue 9), through the UI of a real Touchpoint on a fresh
// database, sending to a real HTTP receiver on 127.0.0.1 (allowed by TOUCHPOINT_ALLOW_TARGETS).
// Only the setup an operator would not do in this console comes from the API: the admin's first
// password, the declared `role_id` ID type, a data source and the identify that creates the test
// profile (sent through /v1/batch like an SDK would), a workspace and the operator account. The
// tests build on each other in order.

const ADMIN_PASSWORD = 'channels admin password 9';
const OPERATOR = { email: 'wang.fang@example.com', password: 'wang-fang-password-2026' };
const TOKEN = 'endpoint-token-9';
const CHANNEL = 'Game mail';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * The mock receiver (`touchpoint receiver`) as an integrator would run it: it checks the
 * X-TE-OPS-Signature with the channel token and prints each batch it receives.
 */
async function startMockReceiver(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'receiver', '--port', '0', '--secret', TOKEN], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 400; i++) {
    const match = /listening on (http:\/\/\S+?)\/?\s/.exec(output);
    if (match?.[1]) return { child, url: match[1], output: () => output };
    await sleep(25);
  }
  child.kill();
  throw new Error(`touchpoint receiver did not start: ${output}`);
}

/** Enum options on GET (the options URL of a template field); also answers batches. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: raw.toString(),
      });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET')
        return res.end(
          JSON.stringify([
            { code: 'gold', name: 'Gold chest' },
            { code: 'silver', name: 'Silver chest' },
          ]),
        );
      res.end(JSON.stringify({ return_code: 0, return_message: 'success', data: { fail_list: [] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

/** A signed-in API session (cookie + CSRF token), for the setup the console does not cover. */
async function apiSession(base: string, email: string, password: string) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const cookie = (login.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = (await login.json()) as { csrf_token: string };
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

describe('console: reach channels against the real backend', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let mock: Awaited<ReturnType<typeof startMockReceiver>>;
  let channelPath = '';
  const tabs: ConsolePage[] = [];

  before(async () => {
    server = await startConsoleServer({ env: { TOUCHPOINT_ALLOW_TARGETS: '127.0.0.1/32' } });
    browser = await launchBrowser();
    receiver = await startReceiver();
    mock = await startMockReceiver();

    // Setup outside this console: the admin's own password, role_id, a source and its identify,
    // a workspace and an operator in it.
    const first = await apiSession(server.url, server.firstAdmin.email, server.firstAdmin.password);
    await first('POST', '/api/v1/auth/password', {
      current_password: server.firstAdmin.password,
      new_password: ADMIN_PASSWORD,
    });
    const admin = await apiSession(server.url, server.firstAdmin.email, ADMIN_PASSWORD);
    await admin('PUT', '/api/v1/projects/1/id-types', { id_types: [{ name: 'role_id', unique: true }] });
    const app = await admin<{ id: string }>('POST', '/api/v1/projects/1/apps', {
      name: 'Legend game',
      app_type: 'app',
    });
    const source = await admin<{ credentials: { app_key: string } }>('POST', '/api/v1/projects/1/sources', {
      name: 'Game server',
      app_id: app.id,
      platforms: [{ platform: 'android' }, { platform: 'server' }],
    });
    const ingest = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${source.credentials.app_key}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [
          {
            type: 'identify',
            userId: 'u-1001',
            messageId: 'm-identify-1001',
            traits: { role_id: 'r-1001', nickname: 'Zhang San' },
          },
        ],
      }),
    });
    assert.equal(ingest.status, 200, await ingest.text());
    for (let i = 0; ; i++) {
      const found = await admin<{ items: unknown[] }>(
        'GET',
        '/api/v1/projects/1/profiles?id_type=role_id&value=r-1001',
      );
      if (found.items.length > 0) break;
      assert.ok(i < 100, 'the identify never became a profile with role_id r-1001');
      await sleep(100);
    }
    const workspace = await admin<{ id: string }>('POST', '/api/v1/projects/1/workspaces', {
      name: 'Growth',
    });
    const added = await admin<{ invite_url: string }>('POST', '/api/v1/projects/1/members', {
      email: OPERATOR.email,
      name: 'Wang Fang',
      role: 'operator',
      workspace_ids: [workspace.id],
    });
    const token = new URL(added.invite_url).searchParams.get('token');
    const set = await fetch(`${server.url}/api/v1/auth/set-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password: OPERATOR.password }),
    });
    assert.ok(set.ok, await set.text());
  });

  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    receiver?.server.close();
    mock?.child.kill();
  });

  async function open(email = server.firstAdmin.email, password = ADMIN_PASSWORD): Promise<ConsolePage> {
    const tab = await openConsole(browser, server.url);
    tabs.push(tab);
    await signIn(tab.page, email, password);
    return tab;
  }
  async function done(tab: ConsolePage): Promise<void> {
    try {
      tab.assertClean();
    } finally {
      await tab.close();
    }
  }

  it('creates a channel with every template field type, with inline errors and the v2 key shown once', async () => {
    const tab = await open();
    const { page } = tab;
    await page.goto('/projects/1/connections');
    await page.getByText('No reach channels yet').waitFor();
    await page.getByRole('button', { name: 'Create reach channel' }).click();
    await page.waitForURL(/\/connections\/channels\/new$/);
    const form = page.getByRole('form', { name: 'Create reach channel' });

    // Nothing filled: the required parts say so under their fields.
    await form.getByRole('button', { name: 'Create reach channel' }).click();
    await form.getByText('Choose the ID type that addresses each message.').waitFor();
    assert.equal(await form.getByLabel('Channel name').getAttribute('aria-invalid'), 'true');

    await form.getByLabel('Channel name').fill(CHANNEL);
    await form.getByLabel('Channel type').selectOption('benefit');
    await form.getByLabel('Linked app').selectOption({ label: 'Legend game (App)' });
    await form.getByLabel('Description').fill('Mails rewards to players in game');
    await form.getByLabel('Request URL').fill(`${mock.url}/hook`);
    // role_id is offered from the project's declared ID types.
    await form.getByRole('button', { name: 'role_id', exact: true }).click();
    assert.equal(await form.getByLabel('Send ID type').inputValue(), 'role_id');
    await form.getByRole('radio', { name: 'Token (signed)' }).click();
    await form.getByLabel('Token', { exact: true }).fill(TOKEN);
    assert.equal(await form.getByLabel('Token', { exact: true }).getAttribute('type'), 'password');
    await form.getByLabel('Batch size').fill('50');
    await form.getByLabel('Rate limit').fill('20');
    await form.getByLabel('Timeout (s)').fill('10');
    await form.getByRole('switch', { name: 'Retry failed items' }).check();
    await form.getByRole('switch', { name: 'Signature v2' }).check();

    // The template builder: one field of each type.
    const addField = form.getByRole('button', { name: 'Add field' });
    const fields: [string, string, string][] = [
      ['1title', 'Title', 'text'],
      ['content', 'Content', 'dynamic_text'],
      ['amount', 'Amount', 'number'],
      ['expire_at', 'Expires at', 'date'],
      ['coupon', 'Coupon', 'enum'],
      ['chest', 'Chest', 'enum'],
      ['attachment', 'Attachment', 'array_row'],
    ];
    for (const [i, [key, label, type]] of fields.entries()) {
      await addField.click();
      await form.getByLabel(`Field ${i + 1} key`).fill(key);
      await form.getByLabel(`Field ${i + 1} label`).fill(label);
      await form.getByLabel(`Field ${i + 1} type`).selectOption(type);
    }
    await form.getByLabel('Field 2 prompt').fill('Use ${nickname} for the player name');
    await form.getByLabel('Field 4 required').uncheck();
    // Enum by hand: code/name rows.
    await form.getByRole('listitem', { name: 'Field 5' }).getByRole('button', { name: 'Add option' }).click();
    await form.getByLabel('Field 5 option 1 code').fill('c10');
    await form.getByLabel('Field 5 option 1 name').fill('10 off');
    await form.getByRole('listitem', { name: 'Field 5' }).getByRole('button', { name: 'Add option' }).click();
    await form.getByLabel('Field 5 option 2 code').fill('c20');
    await form.getByLabel('Field 5 option 2 name').fill('20 off');
    // Enum from a URL, previewed before saving.
    await form
      .getByRole('radiogroup', { name: 'Field 6 options source' })
      .getByRole('radio', { name: 'From a URL' })
      .click();
    await form.getByLabel('Field 6 options URL').fill(`${receiver.url}/options`);
    await form.getByRole('button', { name: 'Preview Field 6 options' }).click();
    const preview = form.getByTestId('options-preview');
    await preview.getByText('2 option(s) fetched').waitFor();
    await preview.getByText('Gold chest').waitFor();
    // Array rows with typed columns.
    await form.getByRole('button', { name: 'Add column to Field 7' }).click();
    await form.getByLabel('Field 7 column 1 key').fill('item_id');
    await form.getByLabel('Field 7 column 1 label').fill('Item');
    await form.getByRole('button', { name: 'Add column to Field 7' }).click();
    await form.getByLabel('Field 7 column 2 key').fill('count');
    await form.getByLabel('Field 7 column 2 label').fill('Count');
    await form.getByLabel('Field 7 column 2 type').selectOption('number');
    // Reorder: the date field goes one up and back down.
    await form.getByRole('button', { name: 'Move Field 4 up' }).click();
    assert.equal(await form.getByLabel('Field 3 key').inputValue(), 'expire_at');
    await form.getByRole('button', { name: 'Move Field 3 down' }).click();
    assert.equal(await form.getByLabel('Field 4 key').inputValue(), 'expire_at');

    // Custom params and the receipt funnel.
    await form.getByRole('button', { name: 'Add custom param' }).click();
    await form.getByLabel('Param 1 key').fill('name');
    await form.getByLabel('Param 1 user property').fill('nickname');
    await form.getByLabel('Param 1 default').fill('Player');
    for (const [i, [label, event]] of [
      ['Opened', 'ops_push_open'],
      ['Clicked', 'ops_push_click'],
    ].entries()) {
      await form.getByRole('button', { name: 'Add step' }).click();
      await form.getByLabel(`Step ${i + 1} label`).fill(label as string);
      await form.getByLabel(`Step ${i + 1} event`).fill(event as string);
    }

    // The server refuses the key `1title` (details.issues path /template/0/key): shown on that row.
    await form.getByRole('button', { name: 'Create reach channel' }).click();
    await form.getByText('Use a letter or _, then letters, digits or _ (e.g. title).').waitFor();
    assert.equal(await form.getByLabel('Field 1 key').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'channels-form-error');
    await form.getByLabel('Field 1 key').fill('title');
    assert.equal(
      await form.getByLabel('Field 1 key').getAttribute('aria-invalid'),
      null,
      'the error clears on edit',
    );
    await screenshot(page, 'channels-form');
    await form.getByRole('button', { name: 'Create reach channel' }).click();

    // Details: the v2 key once, with copy; masked token; every setting.
    await page.waitForURL(/\/connections\/channels\/chn_[^/]+$/);
    channelPath = new URL(page.url()).pathname;
    const keyDialog = page.getByRole('dialog', { name: 'Copy the signing key now' });
    const key = (await keyDialog.getByTestId('secret-value').textContent()) ?? '';
    assert.match(key, /^whsec_/);
    await screenshot(page, 'channels-new-key');
    await keyDialog.getByRole('button', { name: 'I copied it' }).click();
    await page.getByRole('heading', { level: 1, name: CHANNEL }).waitFor();
    await page.getByText('Untested', { exact: true }).first().waitFor();
    const credentials = page.getByRole('region', { name: 'Channel ID and credentials' });
    await credentials.getByTestId('channel-token').getByText('Set', { exact: true }).waitFor();
    assert.ok(!(await page.content()).includes(TOKEN), 'the token never reaches the page');
    assert.ok(!(await page.content()).includes(key), 'the v2 key is not shown after the dialog');
    const template = page.getByRole('table', { name: 'Content template' });
    for (const k of ['title', 'content', 'amount', 'expire_at', 'coupon', 'chest', 'attachment'])
      await template.getByText(k, { exact: true }).waitFor();
    await template.getByText('c10 · 10 off, c20 · 20 off').waitFor();
    await template.getByText('item_id (Text), count (Number)').waitFor();
    await page.getByTestId('channel-settings').getByText('20 requests/s').waitFor();
    await screenshot(page, 'channels-details');
    await done(tab);
  });

  it('shows the channel card with its parameters on hover and focus, and filters the list', async () => {
    const tab = await open();
    const { page } = tab;
    await page.goto('/projects/1/connections');
    const card = page.getByTestId('channel-card').filter({ hasText: CHANNEL });
    await card.getByText('Untested').waitFor();
    const params = card.getByTestId('channel-params');
    assert.equal(await params.isVisible(), false);
    await card.hover();
    await params.getByText('role_id').waitFor({ state: 'visible' });
    await params.getByText('10 s').waitFor();
    await screenshot(page, 'channels-overview-card');
    await page.mouse.move(0, 0);
    await card.focus();
    await params.getByText(`${mock.url}/hook`).waitFor({ state: 'visible' });

    await page.goto('/projects/1/connections/channels');
    const list = page.getByRole('region', { name: 'Reach channels' });
    await list.getByRole('link', { name: CHANNEL }).waitFor();
    await list.getByLabel('Filter by test status').selectOption('tested');
    await list.getByText('Nothing matches these filters').waitFor();
    await list.getByLabel('Filter by test status').selectOption('untested');
    await list.getByRole('link', { name: CHANNEL }).waitFor();
    await list.getByLabel('Filter by status').selectOption('disabled');
    await list.getByText('Nothing matches these filters').waitFor();
    await list.getByRole('button', { name: 'Clear filters' }).click();
    await list.getByRole('link', { name: CHANNEL }).waitFor();
    await screenshot(page, 'channels-list');
    await done(tab);
  });

  it('authorizes a workspace and test-sends to the receiver by a profile’s role_id', async () => {
    const tab = await open();
    const { page } = tab;
    await page.goto(channelPath);
    await page.getByRole('button', { name: 'Authorize workspaces' }).click();
    const authorize = page.getByRole('dialog', { name: `Authorize “${CHANNEL}”` });
    await authorize.getByRole('checkbox', { name: 'Growth' }).check();
    await authorize.getByRole('button', { name: 'Save authorization' }).click();
    await toast(page, 'Authorization saved: 1 workspace(s).');
    await page.getByRole('list', { name: 'Authorized workspaces' }).getByText('Growth').waitFor();

    await page.getByRole('button', { name: 'Test send' }).click();
    const dialog = page.getByRole('dialog', { name: `Test send “${CHANNEL}”` });
    await dialog.getByLabel('ID type').selectOption('role_id');
    await dialog.getByLabel('Test ID').fill('r-1001');
    await dialog.getByLabel('Title', { exact: true }).fill('Daily activities');
    // A ${name} in dynamic text needs a variable: the server says which, under the field.
    await dialog
      .getByLabel('Content', { exact: true })
      .fill('Hello ${nickname} of ${guild}, your reward is waiting');
    await dialog.getByLabel('Amount', { exact: true }).fill('12.5');
    await dialog.getByLabel('Expires at', { exact: true }).fill('2026-06-01T20:00');
    await dialog.getByLabel('Coupon', { exact: true }).selectOption('c20');
    await dialog.getByLabel('Chest', { exact: true }).selectOption('gold');
    await dialog.getByRole('button', { name: 'Add row to Attachment' }).click();
    await dialog.getByLabel('Attachment row 1 Item').fill('xx1');
    await dialog.getByLabel('Attachment row 1 Count').fill('5');
    await dialog.getByRole('button', { name: 'Send test' }).click();
    await dialog.getByText('Uses ${nickname}, which is not declared under Variables above.').waitFor();
    assert.equal(await dialog.getByLabel('Content', { exact: true }).getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'channels-test-send-unknown-variable');
    // One declared from what the text uses, one typed with a default the profile lacks.
    await dialog.getByRole('button', { name: 'Declare ${nickname}, ${guild}' }).click();
    assert.equal(await dialog.getByLabel('Variable 1 source').inputValue(), 'user.nickname');
    await dialog.getByRole('button', { name: 'Remove variable 2' }).click();
    await dialog.getByRole('button', { name: 'Add variable' }).click();
    await dialog.getByLabel('Variable 2 name').fill('guild');
    await dialog.getByLabel('Variable 2 source').fill('guild');
    await dialog.getByLabel('Variable 2 default').fill('the wanderers');
    await dialog.getByRole('button', { name: 'Send test' }).click();
    await dialog.getByText('Write user.<property>, e.g. user.nickname.').waitFor();
    assert.equal(await dialog.getByLabel('Variable 2 source').getAttribute('aria-invalid'), 'true');
    await dialog.getByLabel('Variable 2 source').fill('user.guild');
    const batchesBefore = (mock.output().match(/^#\d+ POST \/hook /gm) ?? []).length;
    await dialog.getByRole('button', { name: 'Send test' }).click();

    const result = dialog.getByTestId('test-result');
    await result.getByRole('status', { name: 'Verdict' }).getByText('Success').waitFor();
    await result.getByText('The channel is now marked tested.').waitFor();
    const body = JSON.parse((await result.getByTestId('request-body').textContent()) ?? '') as {
      push_id: string;
      params: Record<string, unknown>;
      custom_params: Record<string, unknown>;
    }[];
    assert.equal(body[0]?.push_id, 'r-1001');
    assert.deepEqual(body[0]?.params, {
      title: 'Daily activities',
      content: 'Hello Zhang San of the wanderers, your reward is waiting',
      amount: '12.5',
      expire_at: '2026-06-01 20:00:00',
      coupon: 'c20',
      chest: 'gold',
      attachment: [{ item_id: 'xx1', count: '5' }],
    });
    assert.deepEqual(body[0]?.custom_params, { name: 'Zhang San' });
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, 'channels-test-send');
    await result.getByText(/^x-te-ops-signature$/i).waitFor();
    await result.getByText(/^webhook-signature$/i).waitFor();
    await result.getByRole('tab', { name: 'Response' }).click();
    await result.getByTestId('response-body').getByText('"return_code": 0').waitFor();

    // The mock receiver got what the dialog showed, and verified its signature with the token.
    for (
      let k = 0;
      k < 200 && (mock.output().match(/^#\d+ POST \/hook /gm) ?? []).length === batchesBefore;
      k++
    )
      await sleep(25);
    const lines = mock.output().split('\n');
    const header = lines.filter((l) => /^#\d+ POST \/hook /.test(l)).at(-1) ?? '';
    assert.equal((mock.output().match(/^#\d+ POST \/hook /gm) ?? []).length, batchesBefore + 1);
    assert.match(header, /1 messages, .*X-TE-OPS-Signature ok/);
    const printed = lines[lines.indexOf(header) + 1] ?? '';
    assert.match(printed, /"push_id":"r-1001"/);
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    await page.getByRole('heading', { level: 1, name: CHANNEL }).getByText('Tested').waitFor();
    await done(tab);
  });

  it('gives an operator a usage grant and revokes it; without it the operator’s test send is refused', async () => {
    const admin = await open();
    const operator = await open(OPERATOR.email, OPERATOR.password);

    const operatorSend = async () => {
      await operator.page.goto(channelPath);
      await operator.page.getByRole('button', { name: 'Test send' }).click();
      const dialog = operator.page.getByRole('dialog', { name: `Test send “${CHANNEL}”` });
      await dialog.getByText('Sends one real request from workspace “Growth”').waitFor();
      await dialog.getByRole('radio', { name: 'Type user properties' }).click();
      await dialog.getByLabel('Value of role_id').fill('r-2002');
      await dialog.getByLabel('Title', { exact: true }).fill('Hi');
      await dialog.getByLabel('Content', { exact: true }).fill('Hello');
      await dialog.getByLabel('Amount', { exact: true }).fill('1');
      await dialog.getByLabel('Coupon', { exact: true }).selectOption('c10');
      await dialog.getByLabel('Chest', { exact: true }).selectOption('silver');
      await dialog.getByRole('button', { name: 'Add row to Attachment' }).click();
      await dialog.getByLabel('Attachment row 1 Item').fill('xx2');
      await dialog.getByLabel('Attachment row 1 Count').fill('1');
      await dialog.getByRole('button', { name: 'Send test' }).click();
      return dialog;
    };

    // No grant: the workspace test send is refused with the reason.
    let dialog = await operatorSend();
    await dialog
      .getByText('You have no usage grant for this channel; ask an admin to grant it to you.')
      .waitFor();
    await screenshot(operator.page, 'channels-operator-refused');

    // The admin grants it.
    await admin.page.goto(channelPath);
    const grants = admin.page.getByRole('region', { name: 'Usage grants' });
    await grants.getByLabel('Operator to grant').selectOption({ label: `Wang Fang · ${OPERATOR.email}` });
    await grants.getByRole('button', { name: 'Grant' }).click();
    await toast(admin.page, `Usage granted to ${OPERATOR.email}.`);
    await grants.getByText('Wang Fang').waitFor();
    await screenshot(admin.page, 'channels-grants');

    dialog = await operatorSend();
    await dialog.getByTestId('test-result').getByText('Success').waitFor();

    // The admin revokes it; the operator is refused again.
    await grants.getByRole('button', { name: `Revoke the grant of ${OPERATOR.email}` }).click();
    const confirm = admin.page.getByRole('dialog', { name: `Revoke the usage grant of ${OPERATOR.email}?` });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await toast(admin.page, `Grant of ${OPERATOR.email} revoked.`);
    await grants.getByText('No operator has a usage grant.').waitFor();

    dialog = await operatorSend();
    await dialog
      .getByText('You have no usage grant for this channel; ask an admin to grant it to you.')
      .waitFor();
    await done(operator);
    await done(admin);
  });

  it('explains why an enabled channel cannot be edited, disables it to edit, then disables and deletes from the card', async () => {
    const tab = await open();
    const { page } = tab;
    await page.goto('/projects/1/connections');
    const card = page.getByTestId('channel-card').filter({ hasText: CHANNEL });
    await card.getByRole('button', { name: `More actions for ${CHANNEL}` }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    const locked = page.getByTestId('edit-locked');
    await locked.getByText('An enabled channel cannot be edited').waitFor();
    await locked.getByText('Disable it first, edit, then enable it again.', { exact: false }).waitFor();
    const form = page.getByRole('form', { name: `Edit “${CHANNEL}”` });
    assert.ok(await form.getByLabel('Batch size').isDisabled(), 'the form is read-only while enabled');
    await screenshot(page, 'channels-edit-locked');

    await locked.getByRole('button', { name: 'Disable to edit' }).click();
    const disable = page.getByRole('dialog', { name: `Disable “${CHANNEL}”?` });
    await disable.getByText('Campaigns can no longer pick this channel in any workspace.').waitFor();
    await disable.getByRole('button', { name: 'Disable channel' }).click();
    await toast(page, `Channel “${CHANNEL}” disabled.`);
    await locked.waitFor({ state: 'detached' });
    await form.getByLabel('Batch size').fill('80');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/\/channels\/chn_[^/]+$/);
    await toast(page, `Channel “${CHANNEL}” saved.`);
    await page.getByTestId('channel-settings').getByText('80', { exact: true }).waitFor();

    // Enable again, then disable and delete from the overview card's More menu.
    await page.getByRole('button', { name: 'Enable' }).click();
    await toast(page, `Channel “${CHANNEL}” enabled.`);
    await page.goto('/projects/1/connections');
    await card.getByRole('button', { name: `More actions for ${CHANNEL}` }).click();
    await page
      .getByRole('menuitem', { name: /Delete/ })
      .getByText('disable first')
      .waitFor();
    await page.getByRole('menuitem', { name: 'Disable', exact: true }).click();
    await disable.getByRole('button', { name: 'Disable channel' }).click();
    await toast(page, `Channel “${CHANNEL}” disabled.`);
    await card.getByText('Disabled').waitFor();
    await card.getByRole('button', { name: `More actions for ${CHANNEL}` }).click();
    await page.getByRole('menuitem', { name: 'Delete', exact: true }).click();
    const del = page.getByRole('dialog', { name: `Delete “${CHANNEL}”?` });
    await del
      .getByText('Its token, signing keys, workspace authorizations and usage grants are removed.')
      .waitFor();
    await screenshot(page, 'channels-delete-confirm');
    await del.getByRole('button', { name: 'Delete channel' }).click();
    await toast(page, `Channel “${CHANNEL}” deleted.`);
    await page.getByText('No reach channels yet').waitFor();
    await done(tab);
  });
});
