import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { apiSession } from './support/api-session.ts';
import { launchBrowser, openConsole, screenshot, type ConsolePage } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';
import { signIn, toast } from './support/console-actions.ts';

// The instance admin's pages (issue 13, item 3): accounts and all projects, through the UI of a
// real Touchpoint. The admin creates an account and hands over its one-time link, names it the
// first admin of a new project, and the new account signs in and works in that project; the
// Instance navigation is hidden from everyone else.

const ADMIN_PASSWORD = 'instance admin pages 13';
const NEW_EMAIL = 'cao.cao@example.com';
const NEW_NAME = 'Cao Cao';
const NEW_PASSWORD = 'wei kingdom founder 208';
const PROJECT = 'Wei Kingdom — live operations';

describe('console: the instance admin manages accounts and sees every project', () => {
  let server: ConsoleServer;
  let browser: Browser;
  const tabs: ConsolePage[] = [];
  before(async () => {
    server = await startConsoleServer({ adminPassword: ADMIN_PASSWORD });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  async function fresh(options: { locale?: string } = {}): Promise<ConsolePage> {
    const tab = await openConsole(browser, server.url, options);
    tabs.push(tab);
    return tab;
  }

  it('creates an account, hands over its link, names it first admin of a new project, and it opens the project', async () => {
    const tab = await fresh();
    const { page } = tab;
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Accounts' }).click();
    await page.waitForURL(/\/instance\/accounts$/);
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    const me = page.getByRole('row').filter({ hasText: server.firstAdmin.email });
    await me.getByText('Instance admin', { exact: true }).waitFor();
    assert.equal(await me.getByRole('button', { name: /Withdraw instance admin/ }).isDisabled(), true);

    // Create the account: the form checks the e-mail first, then the server answers.
    await page.getByRole('button', { name: 'New account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an account' });
    await dialog.getByLabel('E-mail').fill('not an e-mail');
    await dialog.getByRole('button', { name: 'New account' }).click();
    await dialog.getByText('This does not look right; check the format.').waitFor();
    await dialog.getByLabel('E-mail').fill(server.firstAdmin.email);
    await dialog.getByRole('button', { name: 'New account' }).click();
    await dialog.getByText('An account with that e-mail already exists.').waitFor();
    await dialog.getByLabel('E-mail').fill(NEW_EMAIL);
    await dialog.getByLabel('Display name').fill(NEW_NAME);
    await screenshot(page, 'instance-account-create');
    await dialog.getByRole('button', { name: 'New account' }).click();

    const linkDialog = page.getByRole('dialog', { name: 'Account created' });
    await linkDialog.waitFor();
    const link = (await linkDialog.getByTestId('set-password-url').textContent()) ?? '';
    assert.equal(new URL(link).origin, server.url);
    assert.match(new URL(link).pathname + new URL(link).search, /^\/set-password\?token=.+/);
    await linkDialog.getByRole('button', { name: 'Copy link' }).click();
    await toast(page, 'Copied to the clipboard');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await screenshot(page, 'instance-account-link');
    await linkDialog.getByRole('button', { name: 'Done' }).click();
    // Shown once: closed, the link is nowhere on the page.
    assert.equal(await page.getByText(link).count(), 0);

    // Listed, found by the search, without a password or a project yet.
    await page.getByRole('searchbox', { name: 'Search e-mail or name' }).fill('cao');
    const row = page.getByRole('row').filter({ hasText: NEW_EMAIL });
    await row.getByText('Password not set').waitFor();
    await row.getByText('No project').waitFor();
    await row.getByText('Never').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length === 1);
    await screenshot(page, 'instance-accounts-search');

    // All projects: create one naming the new account its first admin.
    await nav.getByRole('link', { name: 'All projects' }).click();
    await page.waitForURL(/\/instance\/projects$/);
    await page.getByRole('heading', { level: 1, name: 'All projects' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Demo project' }).getByText('Project admin').waitFor();
    await page.getByRole('button', { name: 'New project' }).click();
    const create = page.getByRole('dialog', { name: 'Create a project' });
    await create.getByLabel('Project name').fill(PROJECT);
    await create.getByLabel('Time zone').selectOption('Asia/Shanghai');
    await create.getByLabel(/First project admin/).fill(NEW_EMAIL);
    await create.getByRole('button', { name: 'New project' }).click();
    await toast(page, `created with ${NEW_EMAIL} as its first admin`);
    const projectRow = page.getByRole('row').filter({ hasText: PROJECT });
    await projectRow.getByText('Asia/Shanghai').waitFor();
    await projectRow.getByText('Not a member').waitFor();
    assert.deepEqual(
      await projectRow.locator('td.cell-number').allTextContents(),
      ['1', '1'],
      'one member, one project admin',
    );
    // The instance admin is not a member, so it cannot open the project (decision 10).
    assert.equal(await projectRow.getByRole('button', { name: `Open ${PROJECT}` }).isDisabled(), true);
    await screenshot(page, 'instance-projects');

    // The account now lists its membership.
    await nav.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('row').filter({ hasText: NEW_EMAIL }).getByText(PROJECT).waitFor();

    // Open a project from the list: the demo project, where the admin is a member.
    await nav.getByRole('link', { name: 'All projects' }).click();
    await page.getByRole('button', { name: 'Open Demo project' }).click();
    await page.waitForURL(/\/projects\/1\/connections$/);
    await page.getByTestId('project-switcher').getByText('Demo project').waitFor();
    tab.assertClean();

    // The new account sets its password from the link, signs in and opens its project.
    const owner = await fresh();
    await owner.page.goto(link);
    await owner.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await owner.page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await owner.page.getByRole('button', { name: 'Set password' }).click();
    await owner.page.getByRole('heading', { name: 'Password set' }).waitFor();
    await signIn(owner.page, NEW_EMAIL, NEW_PASSWORD);
    await owner.page.waitForURL(/\/projects\/\d+\/connections$/);
    await owner.page.getByTestId('project-switcher').getByText(PROJECT).waitFor();
    // Not an instance admin: no Instance navigation, and its pages are not found.
    const ownerNav = owner.page.getByRole('navigation', { name: 'Main' });
    assert.equal(await ownerNav.getByRole('link', { name: 'Accounts' }).count(), 0);
    assert.equal(await ownerNav.getByText('Instance').count(), 0);
    await owner.page.goto('/instance/accounts');
    await owner.page.getByRole('heading', { name: 'Page not found' }).waitFor();
    owner.assertClean();

    // Back in the accounts list: the sign-in is recorded and the password is set.
    await page.goto('/instance/accounts');
    const signedIn = page.getByRole('row').filter({ hasText: NEW_EMAIL });
    await signedIn.getByText('Active').waitFor();
    assert.notEqual(
      (await signedIn.locator('td').nth(3).locator('div').first().textContent())?.trim(),
      'Never',
      'last sign-in shown',
    );
    tab.assertClean();
  });

  it('grants and withdraws instance admin and unlocks a locked account, each after a confirmation', async () => {
    const admin = await apiSession(server.url, server.firstAdmin.email, ADMIN_PASSWORD);
    await admin('POST', '/api/v1/accounts', { email: 'sun.quan@example.com', name: 'Sun Quan' });
    // Five wrong passwords lock the account.
    for (let i = 0; i < 5; i++)
      await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'sun.quan@example.com', password: 'not the password' }),
      });

    const tab = await fresh({ locale: 'zh-CN' });
    const { page } = tab;
    await signIn(page, server.firstAdmin.email, ADMIN_PASSWORD);
    await page.goto('/instance/accounts');
    await page.getByRole('heading', { level: 1, name: '账号' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'sun.quan@example.com' });
    await row.getByText('已锁定', { exact: true }).waitFor();
    await screenshot(page, 'instance-accounts-zh-cn');

    await row.getByRole('button', { name: '解锁 sun.quan@example.com' }).click();
    const unlock = page.getByRole('dialog', { name: '解锁 sun.quan@example.com？' });
    await unlock.getByText('登录失败次数将重新从零开始计算。').waitFor();
    await screenshot(page, 'instance-account-unlock-zh-cn');
    await unlock.getByRole('button', { name: '解锁' }).click();
    await toast(page, 'sun.quan@example.com 现在可以重新登录。');
    // The toast can come before the table reloads: wait for the badge to go.
    await row.getByText('已锁定', { exact: true }).waitFor({ state: 'detached' });

    await row.getByRole('button', { name: '将 sun.quan@example.com 设为实例管理员' }).click();
    await page
      .getByRole('dialog', { name: '将 sun.quan@example.com 设为实例管理员？' })
      .getByRole('button', { name: '设为实例管理员' })
      .click();
    await toast(page, 'sun.quan@example.com 已成为实例管理员。');
    await row.getByText('实例管理员', { exact: true }).waitFor();

    await row.getByRole('button', { name: '撤销 sun.quan@example.com 的实例管理员权限' }).click();
    const withdraw = page.getByRole('dialog', { name: '撤销 sun.quan@example.com 的实例管理员权限？' });
    // Cancel first: nothing changes.
    await withdraw.getByRole('button', { name: '取消' }).click();
    await row.getByText('实例管理员', { exact: true }).waitFor();
    await row.getByRole('button', { name: '撤销 sun.quan@example.com 的实例管理员权限' }).click();
    await withdraw.getByRole('button', { name: '撤销实例管理员' }).click();
    await toast(page, 'sun.quan@example.com 已不再是实例管理员。');
    await row.getByRole('button', { name: '将 sun.quan@example.com 设为实例管理员' }).waitFor();

    await page.goto('/instance/projects');
    await page.getByRole('heading', { level: 1, name: '全部项目' }).waitFor();
    await screenshot(page, 'instance-projects-zh-cn');
    tab.assertClean();

    const accounts = await admin<{ items: { email: string; is_instance_admin: boolean; locked: boolean }[] }>(
      'GET',
      '/api/v1/accounts?q=sun.quan',
    );
    assert.deepEqual(
      accounts.items.map((a) => [a.email, a.is_instance_admin, a.locked]),
      [['sun.quan@example.com', false, false]],
    );
  });
});
