// Helpers for end-to-end tests: the real stack started by test/run.mjs, real Chromium, real Janus.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';

import { stack } from '../janus-api.mjs';

export {
  adminHandles,
  adminHangup,
  adminSessions,
  createRoom,
  listParticipants,
  stack,
  videoroomRequest,
} from '../janus-api.mjs';

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

import { until as waitFor } from '../poll.js';

export { waitFor };

/** The query string of test/e2e/pages/tag.html for one element and its attributes. */
export function tagPage(tag: string, attributes: Record<string, string | number | boolean>): string {
  const query = new URLSearchParams({ tag });
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    query.set(name, value === true ? '' : String(value));
  }
  return `/test/e2e/pages/tag.html?${query}`;
}

/** Video frames decoded on the page's `window.element` (as test/e2e/pages/tag.html sets it), on its current PeerConnection. */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let frames = 0;
    const element = (window as unknown as { element: { peerConnection?: RTCPeerConnection } }).element;
    const report = await element.peerConnection?.getStats();
    report?.forEach((entry) => {
      if (entry.type === 'inbound-rtp' && entry.kind === 'video') frames += entry.framesDecoded ?? 0;
    });
    return frames;
  });
}

/** Frames rising between two reads one interval apart. */
export async function framesRising(page: Page): Promise<boolean> {
  const first = await framesDecoded(page);
  await new Promise((resolve) => setTimeout(resolve, 600)); // an interval of media between the two reads
  return (await framesDecoded(page)) > first;
}

/** Opens test/e2e/pages/tag.html with one element and waits until it is live. */
export async function openLiveTag(
  browser: Browser,
  tag: 'janus-publisher' | 'janus-viewer',
  attributes: Record<string, string | number | boolean>,
  options: { initScript?: () => void; timeoutMs?: number } = {},
): Promise<Page> {
  const { page } = await openPage(browser, tagPage(tag, attributes), options);
  await waitFor(
    () => page.evaluate(() => (window as unknown as { element?: { state: string } }).element?.state === 'live'),
    `${tag} live`,
    options.timeoutMs ?? 20000,
  );
  return page;
}

/** A publisher going live in `room` (640x360 camera, no controls). */
export function openLivePublisher(
  browser: Browser,
  room: number,
  options: { server?: string; display?: string; initScript?: () => void } = {},
): Promise<Page> {
  const { server = stack().janus.ws, display = 'Alice', initScript } = options;
  const attributes = { server, room, display, autostart: true, 'no-controls': true, resolution: '640x360' };
  return openLiveTag(browser, 'janus-publisher', attributes, { initScript });
}

/** A viewer of `room`, live and decoding frames. */
export async function openLiveViewer(
  browser: Browser,
  room: number,
  options: { server?: string; attributes?: Record<string, string | number | boolean>; initScript?: () => void } = {},
): Promise<Page> {
  const { server = stack().janus.ws, attributes = {}, initScript } = options;
  const page = await openLiveTag(browser, 'janus-viewer', { server, room, ...attributes }, { initScript });
  await waitFor(() => framesRising(page), 'viewer decoding frames');
  return page;
}
