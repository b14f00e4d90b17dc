// What every browser test does on the console: sign in, wait for a toast, wait for a condition.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

/** Signs in through the login page (in any console language) and waits for the side navigation. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.locator('nav.sidenav').waitFor();
}

/** Waits for a toast with this text. */
export async function toast(page: Page, text: string | RegExp): Promise<void> {
  await page.getByTestId('toast').filter({ hasText: text }).first().waitFor();
}

/** Polls `probe` every 100 ms until it answers something other than `undefined`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
