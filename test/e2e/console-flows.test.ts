import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { signIn, toast } from './support/console-actions.ts';

// The console's acceptance flows, all through the UI of a real Touchpoint on a fresh database.
// The tests build on each other in order (the first one sets the admin's password), like an
// operator's first hour with the product.

const ADMIN_PASSWORD = 'correct horse battery 7';
const MEMBER_EMAIL = 'lin.wei@example.com';
const MEMBER_PASSWORD = 'lin-wei-password-2026';
const MEMBER_NEW_PASSWORD = 'lin-wei-remembers-2027';

describe('console: acceptance flows against the real backend', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let tab: ConsolePage;
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

  it('first sign-in forces a password change before anything else, with inline errors', async () => {
    const page = await fresh();
    await page.goto('/');
    await page.waitForURL(/\/login$/);
    await page.getByLabel('E-mail').fill(server.firstAdmin.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'E-mail or password is wrong.' }).waitFor();
    await page.getByLabel('Password').fill(server.firstAdmin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.equal(
      await page.getByRole('navigation', { name: 'Main' }).count(),
      0,
      'no navigation before the change',
    );
    await page.goto('/projects/1/members');
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await screenshot(page, 'forced-password-change');

    // Client-side rule first, then the server's own rule shown inline under its field.
    await page.getByLabel('Current password').fill(server.firstAdmin.password);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await page.getByText('Use at least 10 characters.').waitFor();
    await page.getByLabel('New password', { exact: true }).fill(server.firstAdmin.password);
    await page.getByLabel('Repeat the new password').fill(server.firstAdmin.password);
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await page.getByText('Must differ from the current password.').waitFor();
    assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');

    await page.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await toast(page, 'Password changed.');
    await done();
  });

  it('shows the Data Channel Connection overview and the areas still to come', async () => {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.waitForURL(/\/projects\/\d+\/connections$/);
    await page.getByRole('heading', { level: 1, name: 'Data Channel Connection' }).waitFor();
    await page.getByText('No data sources yet').first().waitFor();
    await screenshot(page, 'connections-overview');
    await page.getByRole('link', { name: 'Reach channels' }).click();
    await page.getByText('No reach channels yet').waitFor();
    await screenshot(page, 'connections-channels');
    for (const [area, heading] of [
      ['Campaigns', 'Campaigns'],
      ['Profiles', 'Profiles'],
      ['Delivery', 'Delivery'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: area }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      assert.equal(
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: area })
          .getAttribute('aria-current'),
        'page',
      );
      await screenshot(page, `area-${area.toLowerCase()}`);
    }
    await done();
  });

  it('creates a project and workspaces, then switches project and workspace from the top bar', async () => {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    const projectSwitcher = page.getByRole('button', { name: 'Switch project' });

    // The instance admin creates a second project from the switcher, naming its first admin.
    await projectSwitcher.click();
    await page.getByRole('menuitem', { name: 'New project' }).click();
    const create = page.getByRole('dialog', { name: 'Create a project' });
    await create.getByLabel('Project name').fill('Mobile Game CN');
    await create.getByLabel('Time zone').selectOption('Asia/Shanghai');
    await create.getByLabel('First project admin').fill(server.firstAdmin.email);
    await create.getByRole('button', { name: 'New project' }).click();
    await toast(page, 'Project “Mobile Game CN” created.');
    await page.waitForURL(/\/projects\/\d+\/settings$/);
    const second = Number(/\/projects\/(\d+)\//.exec(page.url())?.[1]);
    assert.notEqual(second, 1);
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Asia/Shanghai');

    await page.getByRole('link', { name: 'Workspaces' }).click();
    for (const [name, approval] of [
      ['Growth', false],
      ['Retention', true],
    ] as const) {
      await page.getByRole('button', { name: 'New workspace' }).click();
      const dialog = page.getByRole('dialog', { name: 'New workspace' });
      await dialog.getByLabel('Name').fill(name);
      if (approval) await dialog.getByRole('switch').check();
      await dialog.getByRole('button', { name: 'New workspace' }).click();
      await page.getByRole('row').filter({ hasText: name }).waitFor();
    }
    await page.getByRole('row').filter({ hasText: 'Retention' }).getByText('Required').waitFor();

    await page.getByRole('button', { name: 'Switch workspace' }).click();
    await page.getByRole('menuitemradio', { name: 'Retention' }).click();
    await page.getByTestId('workspace-switcher').getByText('Retention').waitFor();
    await page.reload();
    await page.getByTestId('workspace-switcher').getByText('Retention').waitFor();

    await projectSwitcher.click();
    await page.getByRole('menuitemradio', { name: 'Mobile Game CN' }).waitFor();
    await screenshot(page, 'project-switcher');
    await page.getByRole('menuitemradio', { name: /Demo/ }).click();
    await page.waitForURL(/\/projects\/1\/settings\/workspaces$/);
    await page.getByTestId('project-switcher').getByText('Demo project').waitFor();
    await page.getByTestId('workspace-switcher').getByText('Default workspace').waitFor();
    await projectSwitcher.click();
    await page.getByRole('menuitemradio', { name: 'Mobile Game CN' }).click();
    await page.waitForURL(new RegExp(`/projects/${second}/settings/workspaces$`));
    await page.getByTestId('workspace-switcher').getByText('Retention').waitFor();

    // A project created without naming a first admin opens for its creator, who is its admin.
    await projectSwitcher.click();
    await page.getByRole('menuitem', { name: 'New project' }).click();
    const bare = page.getByRole('dialog', { name: 'Create a project' });
    await bare.getByLabel('Project name').fill('Scratch project');
    await bare.getByRole('button', { name: 'New project' }).click();
    await page.waitForURL(/\/projects\/\d+\/settings$/);
    assert.equal(await page.getByLabel('Project name').inputValue(), 'Scratch project');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: server.firstAdmin.email })
      .getByText('Project admin')
      .waitFor();
    await done();
  });

  it('invites a new member, who sets a password with the link, and an existing account to another project', async () => {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { level: 1, name: 'Members and roles' }).waitFor();
    await page.getByRole('cell', { name: server.firstAdmin.email }).first().waitFor();
    await screenshot(page, 'members');

    await page.getByRole('button', { name: 'Add member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a member' });
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await dialog.getByText('Required.').waitFor();
    assert.equal(await dialog.getByLabel('E-mail').getAttribute('aria-invalid'), 'true');
    await dialog.getByLabel('E-mail').fill(MEMBER_EMAIL);
    await dialog.getByLabel('Name').fill('Lin Wei');
    await dialog.getByLabel('Role').selectOption('operator');
    await screenshot(page, 'member-add');
    await dialog.getByRole('button', { name: 'Add member' }).click();

    const linkDialog = page.getByRole('dialog', { name: 'Invitation created' });
    await linkDialog.waitFor();
    const link = (await linkDialog.getByTestId('set-password-url').textContent()) ?? '';
    // The one-time link points at this server, the way an operator reaches it.
    assert.equal(new URL(link).origin, server.url);
    assert.match(new URL(link).pathname + new URL(link).search, /^\/set-password\?token=.+/);
    await linkDialog.getByRole('button', { name: 'Copy link' }).click();
    await toast(page, 'Copied to the clipboard');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await screenshot(page, 'member-link');
    await linkDialog.getByRole('button', { name: 'Done' }).click();
    await done();

    // The new member opens the link in their own browser, sets a password and signs in.
    const memberPage = await fresh();
    await memberPage.goto(link);
    await memberPage.getByRole('heading', { name: 'Set your password' }).waitFor();
    await memberPage.getByLabel('New password', { exact: true }).fill(MEMBER_PASSWORD);
    await memberPage.getByLabel('Repeat the new password').fill(MEMBER_PASSWORD);
    await memberPage.getByRole('button', { name: 'Set password' }).click();
    await memberPage.getByRole('heading', { name: 'Password set' }).waitFor();
    await memberPage.getByRole('link', { name: 'Go to sign in' }).click();
    await memberPage.waitForURL(/\/login$/);
    await signIn(memberPage, MEMBER_EMAIL, MEMBER_PASSWORD);
    await memberPage.waitForURL(/\/projects\/1\/connections$/);
    await memberPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await memberPage.getByRole('heading', { level: 1, name: 'Members and roles' }).waitFor();
    await memberPage.getByRole('row').filter({ hasText: MEMBER_EMAIL }).getByText('Operator').waitFor();
    assert.equal(
      await memberPage.getByRole('button', { name: 'Add member' }).count(),
      0,
      'an operator cannot add',
    );
    await done();

    // The admin invites the now existing account to the second project: the same kind of link.
    const inviter = await fresh();
    await signIn(inviter, server.firstAdmin.email, ADMIN_PASSWORD);
    await inviter.getByRole('button', { name: 'Switch project' }).click();
    await inviter.getByRole('menuitemradio', { name: 'Mobile Game CN' }).click();
    await inviter.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await inviter.getByRole('button', { name: 'Add member' }).click();
    const add = inviter.getByRole('dialog', { name: 'Add a member' });
    await add.getByLabel('E-mail').fill(MEMBER_EMAIL);
    await add.getByLabel('Role').selectOption('viewer');
    await add.getByRole('button', { name: 'Add member' }).click();
    const invited = inviter.getByRole('dialog', { name: 'Invitation created' });
    const invite = (await invited.getByTestId('set-password-url').textContent()) ?? '';
    await invited.getByRole('button', { name: 'Done' }).click();

    // The invitation waits in the pending list until it is accepted.
    const pending = inviter.getByRole('region', { name: 'Pending invitations' });
    await pending.getByRole('row').filter({ hasText: MEMBER_EMAIL }).getByText('Viewer').waitFor();
    await screenshot(inviter, 'members-invitations');
    await done();

    // The invitee opens the link: a password cannot be set for an existing account, so the page
    // shows the invitation and asks to sign in; accepting opens the project.
    const invitee = await fresh();
    await invitee.goto(invite);
    await invitee.getByLabel('New password', { exact: true }).fill('another password 2026');
    await invitee.getByLabel('Repeat the new password').fill('another password 2026');
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await invitee.getByRole('heading', { name: 'Join Mobile Game CN' }).waitFor();
    const summary = invitee.getByTestId('invitation');
    await summary.getByText(MEMBER_EMAIL).waitFor();
    await summary.getByText('Viewer').waitFor();
    assert.equal(await invitee.getByLabel('E-mail').inputValue(), MEMBER_EMAIL);
    await screenshot(invitee, 'invitation-accept');
    await invitee.getByLabel('Password').fill('not the password 1');
    await invitee.getByRole('button', { name: 'Sign in and accept' }).click();
    await invitee.getByRole('alert').filter({ hasText: 'E-mail or password is wrong.' }).waitFor();
    await invitee.getByLabel('Password').fill(MEMBER_PASSWORD);
    await invitee.getByRole('button', { name: 'Sign in and accept' }).click();
    await invitee.waitForURL(/\/projects\/\d+\/connections$/);
    await invitee.getByTestId('project-switcher').getByText('Mobile Game CN').waitFor();
    await done();

    const admin = await fresh();
    await signIn(admin, server.firstAdmin.email, ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Switch project' }).click();
    await admin.getByRole('menuitemradio', { name: 'Mobile Game CN' }).click();
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await admin.getByRole('row').filter({ hasText: MEMBER_EMAIL }).getByText('Viewer').waitFor();

    // Change the role, then remove the member; the confirmation says what stops.
    await admin.getByRole('button', { name: `Edit ${MEMBER_EMAIL}` }).click();
    const edit = admin.getByRole('dialog', { name: 'Change role and workspaces' });
    await edit.getByLabel('Role').selectOption('workspace_admin');
    await edit.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('row').filter({ hasText: MEMBER_EMAIL }).getByText('Workspace admin').waitFor();
    await admin.getByRole('button', { name: `Remove ${MEMBER_EMAIL}` }).click();
    const confirm = admin.getByRole('dialog', { name: `Remove ${MEMBER_EMAIL}?` });
    await confirm.getByText('They lose access to Mobile Game CN at once').waitFor();
    await screenshot(admin, 'member-remove-confirm');
    await confirm.getByRole('button', { name: 'Remove member' }).click();
    await toast(admin, `${MEMBER_EMAIL} was removed.`);
    await admin.getByRole('row').filter({ hasText: MEMBER_EMAIL }).waitFor({ state: 'detached' });
    await admin.getByRole('link', { name: 'Roles and permissions' }).click();
    await admin.getByRole('cell', { name: /Approve campaigns/ }).waitFor();
    await screenshot(admin, 'members-roles');

    // A pending invitation is revoked: it leaves the list and its link stops working.
    await admin.getByRole('link', { name: 'Members', exact: true }).first().click();
    await admin.getByRole('button', { name: 'Add member' }).click();
    const another = admin.getByRole('dialog', { name: 'Add a member' });
    await another.getByLabel('E-mail').fill('revoke.me@example.com');
    await another.getByLabel('Role').selectOption('project_admin');
    await another.getByRole('button', { name: 'Add member' }).click();
    const revokedLink = await admin
      .getByRole('dialog', { name: 'Invitation created' })
      .getByTestId('set-password-url')
      .textContent();
    await admin.getByRole('button', { name: 'Done' }).click();
    await admin.getByRole('button', { name: 'Revoke the invitation of revoke.me@example.com' }).click();
    const revoke = admin.getByRole('dialog', { name: 'Revoke the invitation of revoke.me@example.com?' });
    await revoke.getByText('Its link stops working at once.').waitFor();
    await revoke.getByRole('button', { name: 'Revoke invitation' }).click();
    await toast(admin, 'The invitation of revoke.me@example.com was revoked.');
    await admin.getByRole('region', { name: 'Pending invitations' }).waitFor({ state: 'detached' });
    const revokedToken = new URL(revokedLink ?? '').searchParams.get('token') ?? '';
    assert.equal((await fetch(`${server.url}/api/v1/invitations/${revokedToken}`)).status, 404);
    await done();

    // A member who forgot the password gets a new set-password link from the member row.
    const resetter = await fresh();
    await signIn(resetter, server.firstAdmin.email, ADMIN_PASSWORD);
    await resetter.goto('/projects/1/members');
    await resetter.getByRole('button', { name: `New set-password link for ${MEMBER_EMAIL}` }).click();
    const reset = resetter.getByRole('dialog', { name: 'New set-password link' });
    await reset.getByText('This link is shown only now').waitFor();
    const resetLink = (await reset.getByTestId('set-password-url').textContent()) ?? '';
    assert.match(new URL(resetLink).pathname + new URL(resetLink).search, /^\/set-password\?token=.+/);
    await reset.getByRole('button', { name: 'Copy link' }).click();
    assert.equal(await resetter.evaluate(() => navigator.clipboard.readText()), resetLink);
    await screenshot(resetter, 'member-password-link');
    await reset.getByRole('button', { name: 'Done' }).click();
    await done();

    const forgetful = await fresh();
    await forgetful.goto(resetLink);
    await forgetful.getByLabel('New password', { exact: true }).fill(MEMBER_NEW_PASSWORD);
    await forgetful.getByLabel('Repeat the new password').fill(MEMBER_NEW_PASSWORD);
    await forgetful.getByRole('button', { name: 'Set password' }).click();
    await forgetful.getByRole('heading', { name: 'Password set' }).waitFor();
    await signIn(forgetful, MEMBER_EMAIL, MEMBER_NEW_PASSWORD);
    await done();
  });

  it('creates an API token shown once, then revokes it', async () => {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.goto('/projects/1/settings/tokens');
    await page.getByText('No API tokens yet').waitFor();
    await page.getByRole('button', { name: 'Create token' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create an API token' });
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await dialog.getByText('Choose at least one permission.').waitFor();
    await dialog.getByLabel('Name').fill('nightly export');
    await dialog.getByLabel('Read the audit log').check();
    await dialog.getByLabel('Manage members').check();
    await dialog.getByLabel('Expires').selectOption('30');
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const created = page.getByRole('dialog', { name: 'Token “nightly export” created' });
    await created.waitFor();
    const masked = (await created.getByTestId('secret-value').textContent()) ?? '';
    assert.match(masked, /^tp_•+/);
    await created.getByRole('button', { name: 'Reveal' }).click();
    const secret = (await created.getByTestId('secret-value').textContent()) ?? '';
    assert.match(secret, /^tp_[A-Za-z0-9_-]{16,}$/);
    await screenshot(page, 'token-created');
    const withToken = (path: string) =>
      fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal((await withToken('/api/v1/projects/1/audit')).status, 200);
    await created.getByRole('button', { name: 'I have copied it' }).click();

    const row = page.getByRole('row').filter({ hasText: 'nightly export' });
    await row.getByText('Active').waitFor();
    await screenshot(page, 'tokens');
    await row.getByRole('button', { name: 'Revoke nightly export' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “nightly export”?' });
    await confirm.getByText('Every request with this token is refused (401) from now on.').waitFor();
    await screenshot(page, 'token-revoke-confirm');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await toast(page, 'Token “nightly export” revoked.');
    await row.getByText('Revoked').waitFor();
    assert.equal((await withToken('/api/v1/projects/1/audit')).status, 401);

    await page.getByLabel('Filter by status').selectOption('active');
    await page.getByText('Nothing matches these filters').waitFor();
    await page.getByLabel('Filter by status').selectOption('revoked');
    await row.waitFor();
    await done();
  });

  it('renames the project and sets its time zone, with server validation inline', async () => {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.goto('/projects/1/settings');
    const name = page.getByLabel('Project name');
    await name.fill('x'.repeat(101));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Too long.').waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await name.fill('Demo Store');
    await page.getByLabel('Time zone').selectOption('Asia/Shanghai');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await toast(page, 'Project settings saved.');
    await page.getByTestId('project-switcher').getByText('Demo Store').waitFor();
    await screenshot(page, 'settings-general');
    await page.getByRole('link', { name: 'Workspaces' }).click();
    await page.getByRole('table').getByRole('cell').first().waitFor();
    await screenshot(page, 'settings-workspaces');
    await done();
  });

  it('reads the audit entry of each action, filtered by action, with its details', async () => {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.goto('/projects/1/settings/audit');
    const table = page.getByRole('table');
    for (const label of ['Signed in', 'Member added', 'Token created', 'Token revoked', 'Project changed'])
      await table.getByText(label, { exact: true }).first().waitFor();
    await screenshot(page, 'audit');

    await page.getByLabel('Filter by action').selectOption('token.revoked');
    await table.getByText('Token created', { exact: true }).waitFor({ state: 'detached' });
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), 1);
    await rows.first().getByRole('button', { name: 'Details of token.revoked' }).click();
    const details = page.getByRole('dialog', { name: 'Token revoked' });
    await details.getByText('nightly export').first().waitFor();
    await screenshot(page, 'audit-details');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'hidden' });

    for (const action of ['member.added', 'token.created', 'auth.login']) {
      await page.getByLabel('Filter by action').selectOption(action);
      await rows.first().getByText(action, { exact: true }).waitFor();
    }

    // The second project's log holds the member changes made there.
    await page.getByRole('button', { name: 'Switch project' }).click();
    await page.getByRole('menuitemradio', { name: 'Mobile Game CN' }).click();
    await page.waitForURL(/\/settings\/audit$/);
    await page.getByLabel('Filter by action').selectOption('');
    for (const label of ['Member added', 'Member changed', 'Member removed'])
      await table.getByText(label, { exact: true }).first().waitFor();
    await done();
  });

  it('switches the language to Simplified Chinese in the user menu and remembers it', async () => {
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitemradio', { name: '简体中文' }).click();
    await page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('link', { name: '数据通道连接' })
      .waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: '数据通道连接' }).waitFor();
    await screenshot(page, 'zh-connections');
    await page.getByRole('link', { name: '成员' }).click();
    await page.getByRole('heading', { level: 1, name: '成员与角色' }).waitFor();
    await screenshot(page, 'zh-members');
    await page.goto('/projects/1/settings/audit');
    await page.getByRole('table').getByText('吊销令牌').first().waitFor();
    await screenshot(page, 'zh-audit');
    await page.getByRole('button', { name: '账号菜单' }).click();
    await page.getByRole('menuitemradio', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await done();
  });

  it('works from the keyboard: sign-in, menus and dialogs, with visible focus', async () => {
    const page = await fresh();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const style = el ? getComputedStyle(el) : null;
        return {
          name: el?.getAttribute('aria-label') ?? el?.getAttribute('name') ?? el?.textContent?.trim() ?? '',
          tag: el?.tagName ?? '',
          inDialog: Boolean(el?.closest('dialog[open]')),
          // A visible focus indicator: an outline or the input focus ring.
          visible: Boolean(
            style &&
            ((style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none'),
          ),
        };
      });
    await page.goto('/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal((await focused()).name, 'email', 'the e-mail field has focus on arrival');
    assert.ok((await focused()).visible, 'the focused field shows a focus ring');
    await page.keyboard.type(server.firstAdmin.email);
    await page.keyboard.press('Tab');
    assert.equal((await focused()).name, 'password');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    // The user menu: opens on Enter with focus on the current language, arrows move, Escape closes.
    await page.getByRole('button', { name: 'Account menu' }).focus();
    await page.keyboard.press('Enter');
    assert.equal((await focused()).name, 'English');
    assert.ok((await focused()).visible, 'the focused menu item is marked');
    await page.keyboard.press('ArrowDown');
    assert.equal((await focused()).name, '简体中文');
    await page.keyboard.press('Escape');
    assert.equal((await focused()).name, 'Account menu');
    assert.equal(await page.getByRole('menu').count(), 0);

    // A dialog: focus moves in, Tab stays inside, Escape closes and focus returns to the opener.
    await page.goto('/projects/1/members');
    const opener = page.getByRole('button', { name: 'Add member' });
    await opener.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    assert.ok((await focused()).visible, 'the button shows keyboard focus');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Add a member' }).waitFor();
    assert.equal((await focused()).name, 'email');
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      assert.ok((await focused()).inDialog, `focus left the dialog after ${i + 1} Tab presses`);
    }
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Add a member' }).waitFor({ state: 'hidden' });
    assert.equal((await focused()).name, 'Add member');

    // A confirmation starts on Cancel, so Enter alone never confirms a destructive action.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('button', { name: 'Create token' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create an API token' });
    await dialog.getByLabel('Name').fill('keyboard token');
    await dialog.getByLabel('Read the audit log').check();
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('button', { name: 'Revoke keyboard token' }).click();
    await page.getByRole('dialog', { name: 'Revoke “keyboard token”?' }).waitFor();
    assert.equal((await focused()).name, 'Cancel');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Revoke “keyboard token”?' }).waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: 'keyboard token' }).getByText('Active').waitFor();
    await done();
  });

  it('pages through the audit log with its cursor, forward and back', async () => {
    // Sign-ins are audited: 30 of them guarantee more than one page of 25.
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: server.firstAdmin.email, password: ADMIN_PASSWORD }),
      });
      assert.equal(res.status, 200);
    }
    const page = await fresh();
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.goto('/projects/1/settings/audit');
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await pager.getByText('Page 1 · 25 shown').waitFor();
    const keys = () =>
      page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    const firstPage = await keys();
    assert.equal(firstPage.length, 25);
    assert.ok(await pager.getByRole('button', { name: 'Previous' }).isDisabled());
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText(/^Page 2 · \d+ shown$/).waitFor();
    const secondPage = await keys();
    assert.ok(secondPage.length > 0);
    assert.ok(!secondPage.some((row) => firstPage.includes(row)), 'page 2 repeats no entry of page 1');
    await pager.getByRole('button', { name: 'Previous' }).click();
    await pager.getByText('Page 1 · 25 shown').waitFor();
    // The pager text can change a render before the rows do: wait for the rows to settle.
    const deadline = Date.now() + 5000;
    let back = await keys();
    while (JSON.stringify(back) !== JSON.stringify(firstPage) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      back = await keys();
    }
    assert.deepEqual(back, firstPage);
    await done();
  });
});
