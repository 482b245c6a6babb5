// Helpers for end-to-end tests: the real stack started by test/run.mjs, real Chromium, real Janus.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';

import { stack } from '../janus-api.mjs';

export { adminHandles, adminSessions, createRoom, listParticipants, stack, videoroomRequest } from '../janus-api.mjs';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** A browser context with camera and microphone permission (so host candidates are not mDNS-hidden). */
export async function openPage(
  browser: Browser,
  path: string,
  options: { initScript?: () => void } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  if (options.initScript) await page.addInitScript(options.initScript);
  page.on('pageerror', (error) => console.error(`[page error] ${path}: ${error.message}`));
  await page.goto(new URL(path, stack().baseUrl).href);
  return { context, page };
}

export { until as waitFor } from '../poll.js';

/** The query string of test/e2e/pages/tag.html for one element and its attributes. */
export function tagPage(tag: string, attributes: Record<string, string | number | boolean>): string {
  const query = new URLSearchParams({ tag });
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    query.set(name, value === true ? '' : String(value));
  }
  return `/test/e2e/pages/tag.html?${query}`;
}
