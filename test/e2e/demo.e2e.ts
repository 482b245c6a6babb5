// The demo site `npm start` serves, on the built bundle, against the real stack: every page opens,
// passes an axe-core audit, and shows rendered video (screenshots checked for a non-blank video
// area); the studio is walked with the keyboard only (go live, mute, camera off, device pick, stats).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startDemoSite } from '../../demo/server/demo-site.mjs';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { createRoom, stack, waitFor } from './support.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** Screenshots stay out of the repository. */
const shots = mkdtempSync(join(tmpdir(), 'janus-widgets-demo-'));

type Widget = HTMLElement & { state: string; muted?: boolean; cameraOff?: boolean; open?: boolean };

/** Violations of an axe-core audit of the whole page (shadow roots included). */
async function audit(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(context: Document): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }>;
        };
      }
    ).axe;
    const { violations } = await axe.run(document);
    return violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

/**
 * Whether a screenshot of `video` shows a picture: its pixels vary (a blank, black or single-colour
 * box does not). Only the middle of the box is taken, clear of the status badge, the names and the
 * controls drawn over the video. The PNG is decoded by the page's own canvas.
 */
async function showsPicture(page: Page, video: Locator, name: string): Promise<boolean> {
  // The clip is in viewport coordinates: bring the video into view first.
  await video.scrollIntoViewIfNeeded();
  const box = await video.boundingBox();
  if (!box || box.width < 10 || box.height < 10) return false;
  const clip = {
    x: box.x + box.width * 0.2,
    y: box.y + box.height * 0.2,
    width: box.width * 0.6,
    height: box.height * 0.35,
  };
  const png = await page.screenshot({ clip });
  writeFileSync(join(shots, `${name}.png`), png);
  const deviation = await page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, image.width, image.height);
    let sum = 0;
    let squares = 0;
    const count = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const luma = 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
      sum += luma;
      squares += luma * luma;
    }
    const mean = sum / count;
    return Math.sqrt(squares / count - mean * mean);
  }, png.toString('base64'));
  return deviation > 8;
}

function state(page: Page, selector: string): Promise<string | undefined> {
  return page.evaluate((selector) => document.querySelector<Widget>(selector)?.state, selector);
}

/** The `part` of the element that has the keyboard focus, through shadow roots. */
function focusedPart(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.getAttribute('part') ?? active?.tagName.toLowerCase() ?? '';
  });
}

/** Presses Tab until the focused control has `part`, failing after a bounded number of steps. */
async function tabTo(page: Page, part: string): Promise<void> {
  for (let step = 0; step < 30; step++) {
    if ((await focusedPart(page)).split(' ').includes(part)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${part} (last: ${await focusedPart(page)})`);
}

describe('the demo site', () => {
  let browser: Browser;
  let site: { url: string; close(): Promise<void> };
  /** The studio page, live: the other pages watch it. */
  let studio: Page;
  let room: number;

  before(async () => {
    site = await startDemoSite({ root, stack: stack() });
    // A room of its own: nothing another suite left in the demo room can show up on these pages.
    room = await createRoom();
    // Two fake cameras, so the studio shows its device picker.
    const args = chromiumArgs.map((arg) =>
      arg === '--use-fake-device-for-media-stream' ? '--use-fake-device-for-media-stream=device-count=2' : arg,
    );
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function open(path: string): Promise<Page> {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${path}: ${error.message}`));
    await page.goto(`${site.url}/demo/${path}${path.includes('?') ? '&' : '?'}room=${room}`);
    // site.js loads the bundle once it knows where Janus is: until then the tags are not upgraded.
    await page.evaluate(() => customElements.whenDefined('janus-viewer'));
    return page;
  }

  it('studio, walked with the keyboard only: go live, mute, camera off and on, pick a camera, open the stats', async () => {
    studio = await open('studio.html');
    await waitFor(() => state(studio, 'janus-publisher').then((s) => s === 'idle'), 'the preview');
    await tabTo(studio, 'live-button');
    await studio.keyboard.press('Enter');
    await waitFor(() => state(studio, 'janus-publisher').then((s) => s === 'live'), 'live after Enter', 20000);

    await tabTo(studio, 'mic-button');
    await studio.keyboard.press('Space');
    await waitFor(() => studio.evaluate(() => document.querySelector<Widget>('janus-publisher')!.muted), 'muted');
    await studio.keyboard.press('Space');
    await waitFor(() => studio.evaluate(() => !document.querySelector<Widget>('janus-publisher')!.muted), 'unmuted');

    await tabTo(studio, 'camera-button');
    await studio.keyboard.press('Enter');
    await waitFor(
      () => studio.evaluate(() => document.querySelector<Widget>('janus-publisher')!.cameraOff),
      'camera off',
    );
    await studio.keyboard.press('Enter');
    await waitFor(
      () => studio.evaluate(() => !document.querySelector<Widget>('janus-publisher')!.cameraOff),
      'camera on',
    );

    await tabTo(studio, 'camera-select');
    // The second fake camera draws only a clock on black: pick it, then come back to the first.
    for (const key of ['ArrowDown', 'ArrowUp']) {
      const picked = studio.evaluate(
        () =>
          new Promise<string>((resolve) =>
            document
              .querySelector('janus-publisher')!
              .addEventListener('janus-device-change', (event) => resolve(JSON.stringify(event.detail)), {
                once: true,
              }),
          ),
      );
      await studio.keyboard.press(key);
      assert.match(await picked, /"kind":"video"/);
    }

    await tabTo(studio, 'badge');
    await studio.keyboard.press('Enter');
    await waitFor(() => studio.evaluate(() => document.querySelector<Widget>('janus-stats')!.open), 'stats panel open');
    assert.equal(await state(studio, 'janus-publisher'), 'live');
    assert.ok(
      await showsPicture(studio, studio.locator('janus-publisher video'), 'studio'),
      'the studio preview shows video',
    );
    assert.deepEqual(await audit(studio), [], 'studio: axe violations');
  });

  it('watch: the viewer plays the studio, and passes the audit', async () => {
    const page = await open('watch.html');
    await waitFor(() => state(page, 'janus-viewer').then((s) => s === 'live'), 'viewer live');
    await waitFor(() => showsPicture(page, page.locator('janus-viewer video').first(), 'watch'), 'video on screen');
    assert.deepEqual(await audit(page), [], 'watch: axe violations');
    await page.close();
  });

  it('classroom: two more publishers go live and the grid shows all three', async () => {
    const page = await open('classroom.html');
    await page.evaluate(() =>
      Promise.all(
        [...document.querySelectorAll<Widget & { start(): Promise<void> }>('janus-publisher')].map((p) => p.start()),
      ),
    );
    await waitFor(
      () =>
        page.evaluate(() => document.querySelector<Widget & { feeds: unknown[] }>('janus-viewer')!.feeds.length >= 3),
      'three tiles',
      20000,
    );
    const tiles = page.locator('#grid video');
    await waitFor(async () => (await tiles.count()) >= 3, 'three videos');
    for (let i = 0; i < 3; i++)
      await waitFor(() => showsPicture(page, tiles.nth(i), `classroom-${i}`), `tile ${i} on screen`);
    assert.deepEqual(await audit(page), [], 'classroom: axe violations');
    await page.close();
  });

  it('live auction: the auctioneer goes live from the desk, viewers see only the auctioneer, bids work', async () => {
    const page = await open('auction.html');
    await page.locator('summary').click();
    await page.evaluate(() => document.querySelector<Widget & { start(): Promise<void> }>('janus-publisher')!.start());
    await waitFor(() => state(page, '#auctioneer').then((s) => s === 'live'), 'auctioneer feed live', 20000);
    const displays = await page.evaluate(() =>
      document
        .querySelector<Widget & { feeds: Array<{ display?: string }> }>('#auctioneer')!
        .feeds.map((f) => f.display),
    );
    assert.deepEqual(displays, ['Auctioneer']);
    await waitFor(
      () => showsPicture(page, page.locator('#auctioneer video').first(), 'auction'),
      'auctioneer on screen',
    );
    await page.locator('#bid').click();
    assert.equal(await page.locator('#price').textContent(), '€ 1,300');
    assert.deepEqual(await audit(page), [], 'auction: axe violations');
    await page.close();
  });

  it('theming: three themes of the same viewer all show video, with CSS only', async () => {
    const page = await open('theming.html');
    const looks = await page.evaluate(() =>
      [...document.querySelectorAll('janus-viewer')].map((v) =>
        getComputedStyle(v).getPropertyValue('--janus-bg').trim(),
      ),
    );
    assert.equal(new Set(looks).size, 3, `three different backgrounds (${looks.join(', ')})`);
    for (const theme of ['light', 'dark', 'brand']) {
      await waitFor(() => state(page, `janus-viewer.${theme}`).then((s) => s === 'live'), `${theme} viewer live`);
      await waitFor(
        () => showsPicture(page, page.locator(`janus-viewer.${theme} video`).first(), `theme-${theme}`),
        `${theme} on screen`,
      );
    }
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script on the theming page');
    assert.deepEqual(await audit(page), [], 'theming: axe violations');
    await page.close();
  });

  it('the reference page lists what the manifest documents for each element and passes the audit', async () => {
    const page = await open('reference.html');
    await waitFor(
      () =>
        page
          .locator('#reference:not([aria-busy])')
          .count()
          .then((n) => n === 1),
      'reference rendered',
    );
    const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8')) as {
      modules: Array<{ declarations?: Array<{ tagName?: string; cssParts?: Array<{ name: string }> }> }>;
    };
    const viewer = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'janus-viewer')!;
    const headings = await page.locator('#reference h2').allTextContents();
    assert.deepEqual(headings, ['<janus-publisher>', '<janus-stats>', '<janus-viewer>']);
    const parts = await page.locator('#janus-viewer').locator('xpath=..').locator('td code').allTextContents();
    for (const part of viewer.cssParts ?? [])
      assert.ok(parts.includes(`::part(${part.name})`), `viewer part ${part.name}`);
    assert.equal(await page.locator('[role="alert"]').count(), 0, 'the manifest loaded');
    assert.deepEqual(await audit(page), [], 'reference: axe violations');
    await page.close();
  });

  it('the landing page links every demo page and passes the audit', async () => {
    const page = await open('');
    const links = await page
      .locator('main a')
      .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
    assert.deepEqual(links, [
      './studio.html',
      './watch.html',
      './classroom.html',
      './auction.html',
      './theming.html',
      './reference.html',
    ]);
    assert.deepEqual(await audit(page), [], 'landing: axe violations');
    await page.close();
    await studio.close();
  });
});
