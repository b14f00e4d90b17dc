import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openConsole, screenshot } from './support/browser.ts';
import { startConsoleServer, type ConsoleServer } from './support/console-server.ts';

describe('console: signed-out pages', () => {
  let server: ConsoleServer;
  let browser: Browser;
  before(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('redirects / to the login page, which renders styled and without console errors', async () => {
    const tab = await openConsole(browser, server.url);
    try {
      await tab.page.goto('/');
      await tab.page.waitForURL(/\/login$/);
      await tab.page.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.equal(await tab.page.title(), 'Touchpoint');
      // The design system's stylesheet is applied: the primary button is filled, not a grey default.
      const background = await tab.page
        .getByRole('button', { name: 'Sign in' })
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(background, 'rgb(49, 87, 224)');
      await screenshot(tab.page, 'login');
      tab.assertClean();
    } finally {
      await tab.close();
    }
  });

  it('keeps a deep link through sign-in and shows required fields inline', async () => {
    const tab = await openConsole(browser, server.url);
    try {
      await tab.page.goto('/projects/1/members');
      await tab.page.waitForURL(/\/login\?next=%2Fprojects%2F1%2Fmembers$/);
      await tab.page.getByRole('button', { name: 'Sign in' }).click();
      const email = tab.page.getByLabel('E-mail');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      await tab.page.getByText('Required.').first().waitFor();
      assert.equal(await tab.page.getByRole('alert').filter({ hasText: 'Required.' }).count(), 2);
      tab.assertClean();
    } finally {
      await tab.close();
    }
  });

  it('shows the set-password page of a one-time link, and says when the link is incomplete', async () => {
    const tab = await openConsole(browser, server.url);
    try {
      await tab.page.goto('/set-password');
      await tab.page.getByText('This link is incomplete').waitFor();
      await tab.page.goto('/set-password?token=not-a-real-token');
      await tab.page.getByRole('heading', { name: 'Set your password' }).waitFor();
      await screenshot(tab.page, 'set-password');
      tab.assertClean();
    } finally {
      await tab.close();
    }
  });
});
