import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './console-build.ts';

export const chromiumPath = process.env.TOUCHPOINT_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'test-artifacts', 'screenshots');

/**
 * Launches Debian's Chromium headless. A missing browser fails the suite (never skips it): the
 * console's acceptance tests are part of `npm test`, and `.ci/run` installs the package.
 * Playwright gives each launch a fresh temporary profile; the network stays on loopback.
 * `args`: further Chromium switches (e.g. host resolver rules that keep every name off the net).
 */
export async function launchBrowser(options: { args?: readonly string[] } = {}): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(
      `Chromium is required by the browser tests and is missing at ${chromiumPath}. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does), or point TOUCHPOINT_CHROMIUM at a binary.',
    );
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      ...(options.args ?? []),
    ],
  });
}

export interface ConsolePage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors, uncaught exceptions, failed requests and 5xx answers seen so far. */
  readonly problems: string[];
  /** Fails the test when anything went wrong in the page. */
  assertClean(): void;
  close(): Promise<void>;
}

/**
 * A new, isolated browser context (own cookies and localStorage) on the console, recording every
 * problem the page reports. One exception: Chromium logs each 4xx answer of a fetch as a
 * "Failed to load resource" console error; for `/api/*` those are answers the console handles
 * (401 before sign-in, a validation error shown inline), so they are not problems. Every other
 * console error, every uncaught exception, any 5xx and any failed asset load is one.
 */
export async function openConsole(
  browser: Browser,
  baseURL: string,
  options: { locale?: string } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1440, height: 900 },
    locale: options.locale ?? 'en-US',
    timezoneId: 'UTC',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const where = message.location().url;
    const handled4xx =
      /Failed to load resource: the server responded with a status of 4\d\d/.test(text) &&
      new URL(where, baseURL).pathname.startsWith('/api/');
    if (!handled4xx) problems.push(`console error: ${text} (${where})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'failed';
    // Navigating away aborts in-flight fetches; that is not a fault of the page.
    if (reason !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${request.method()} ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (response.status() >= 500)
      problems.push(`HTTP ${response.status()} ${response.request().method()} ${path}`);
    else if (response.status() >= 400 && !path.startsWith('/api/'))
      problems.push(`HTTP ${response.status()} for an asset: ${path}`);
  });
  return {
    page,
    context,
    problems,
    assertClean() {
      if (problems.length > 0) throw new Error(`the page reported problems:\n  ${problems.join('\n  ')}`);
    },
    async close() {
      await context.close();
    },
  };
}

/** Saves a full-page screenshot as a test artifact: `test-artifacts/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  // Let toasts' and dialogs' entry animations finish so the picture shows the settled page.
  await page.waitForTimeout(250);
  await page.screenshot({ path, fullPage: true });
  return path;
}
