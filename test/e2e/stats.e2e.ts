// <janus-stats> from the built bundle against the real stack: a publisher page with a nested
// compact badge, a viewer page (core subscriber in a small host) with an overlay attached by `for`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createRoom, launchBrowser, stack, waitFor } from './support.js';

declare global {
  interface Window {
    widgets: typeof import('../../src/index.js');
    subscriber: import('../../src/index.js').VideoRoomSubscriber;
  }
}

const PAGE = '/test/e2e/pages/stats.html';

async function open(browser: Browser, permissions: string[] = []): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone', ...permissions] });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(new URL(PAGE, stack().baseUrl).href);
  await page.waitForFunction(() => Boolean(window.widgets && customElements.get('janus-stats')));
  return { context, page };
}

/** The text of one metric of the (first) <janus-stats> on the page. */
function metric(page: Page, name: string): Promise<string> {
  return page.locator(`janus-stats [part~="metric-${name}"] [part~="value"]`).first().innerText();
}

const kbps = (text: string) => Number(/^(\d+) kbit\/s$/.exec(text)?.[1] ?? NaN);

/** Puts a publisher with a nested compact <janus-stats> on the page; resolves with its feed id. */
async function publish(page: Page, room: number, extra = ''): Promise<number> {
  await page.evaluate(
    ({ ws, room, extra }) => {
      document.querySelector('main')!.innerHTML =
        `<janus-publisher server="${ws}" room="${room}" autostart resolution="640x360" ${extra}>
          <janus-stats slot="overlay" compact interval="500"></janus-stats>
        </janus-publisher>`;
    },
    { ws: stack().janus.ws, room, extra },
  );
  return waitFor(
    () => page.evaluate(() => document.querySelector('janus-publisher')!.feedId as number),
    'feed id',
    20000,
  );
}

/** Subscribes to `feed` in a stats host with a <janus-stats for=...> beside it. */
async function view(page: Page, room: number, feed: number, relay = false): Promise<void> {
  const turn = stack().turn.static;
  await page.evaluate(
    async ({ ws, room, feed, turn, relay }) => {
      document.querySelector('main')!.innerHTML = `<janus-stats for="viewer" interval="500"></janus-stats>
        <stats-test-host id="viewer"></stats-test-host>`;
      const host = document.querySelector('stats-test-host') as HTMLElement & {
        statsController: import('../../src/index.js').StatsController;
      };
      window.subscriber = new window.widgets.VideoRoomSubscriber({
        servers: [ws],
        iceServers: relay ? [turn] : [],
        iceTransportPolicy: relay ? 'relay' : 'all',
        room,
      });
      await window.subscriber.subscribe([{ feed }]);
      host.statsController.setPeerConnection(window.subscriber.pc);
    },
    { ws: stack().janus.ws, room, feed, turn, relay },
  );
}

describe('<janus-stats> end to end', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  describe('a live publisher and viewer', () => {
    let publisherPage: Page;
    let viewerPage: Page;

    before(async () => {
      const room = await createRoom();
      ({ page: publisherPage } = await open(browser));
      ({ page: viewerPage } = await open(browser, ['clipboard-read', 'clipboard-write']));
      await view(viewerPage, room, await publish(publisherPage, room));
    });

    it('the compact badge says the quality in words and opens the panel with live numbers', async () => {
      const badge = publisherPage.locator('janus-stats [part~="badge"]');
      await waitFor(
        async () =>
          /^Connection quality: (Good|Fair|Poor|Bad)$/.test((await badge.innerText()).replace(/\s+/g, ' ').trim()),
        'a quality badge',
      );
      assert.equal(await publisherPage.locator('janus-stats [part~="panel"]').count(), 0);
      await badge.click();
      assert.equal(await badge.getAttribute('aria-expanded'), 'true');
      await waitFor(async () => kbps(await metric(publisherPage, 'video')) > 0, 'publisher video bitrate', 20000);
      assert.match(await metric(publisherPage, 'resolution'), /^\d+×\d+/);
      assert.match(await metric(publisherPage, 'rtt'), /^\d+ ms$/);
      assert.equal(await metric(publisherPage, 'route'), 'host → host');
      assert.match(await metric(publisherPage, 'layers'), /kbit\/s/);
    });

    it('the viewer overlay (attached by `for`) shows bitrate, resolution, RTT and a host route', async () => {
      await waitFor(async () => kbps(await metric(viewerPage, 'video')) > 0, 'viewer video bitrate', 20000);
      await waitFor(async () => kbps(await metric(viewerPage, 'audio')) > 0, 'viewer audio bitrate', 20000);
      assert.match(await metric(viewerPage, 'resolution'), /^\d+×\d+/);
      assert.match(await metric(viewerPage, 'rtt'), /^\d+ ms$/);
      assert.equal(await metric(viewerPage, 'route'), 'host → host');
    });

    it('copy diagnostics puts a JSON report on the clipboard', async () => {
      await viewerPage.locator('janus-stats [part~="copy-button"]').click();
      await waitFor(
        async () => (await viewerPage.locator('janus-stats [role="status"]').innerText()) === 'Diagnostics copied.',
        'copy feedback',
      );
      const report = JSON.parse(await viewerPage.evaluate(() => navigator.clipboard.readText()));
      assert.equal(report.library, 'janus-widgets');
      assert.equal(report.source.tag, 'stats-test-host');
      assert.equal(report.source.connectionState, 'connected');
      assert.ok(report.samples.length >= 2, `samples: ${report.samples.length}`);
      assert.ok(report.samples.at(-1).video.bitrateKbps > 0);
    });

    it("when the publisher turns its camera off, the viewer's video bitrate drops to ~0 and the overlay says so", async () => {
      await publisherPage.locator('janus-publisher [part~="camera-button"]').click();
      await waitFor(async () => kbps(await metric(viewerPage, 'video')) <= 5, 'viewer video ~0 kbit/s', 20000);
      const noVideo = viewerPage.locator('janus-stats [data-code="no-video"]');
      await waitFor(async () => (await noVideo.count()) === 1, 'the no-video diagnosis', 20000);
      assert.equal(await noVideo.innerText(), 'Video has stopped flowing.');
      assert.ok(kbps(await metric(viewerPage, 'audio')) > 0, 'audio keeps flowing');
    });
  });

  it('with relay-only ICE through coturn both overlays show a relay route', async () => {
    const room = await createRoom();
    const { page: publisherPage, context: a } = await open(browser);
    const { page: viewerPage, context: b } = await open(browser);
    try {
      const servers = JSON.stringify([stack().turn.static]).replace(/"/g, '&quot;');
      const feed = await publish(publisherPage, room, `ice-transport-policy="relay" ice-servers="${servers}"`);
      await view(viewerPage, room, feed, true);
      await publisherPage.locator('janus-stats [part~="badge"]').click();
      for (const page of [publisherPage, viewerPage]) {
        await waitFor(async () => /^relay \((udp|tcp)\) → /.test(await metric(page, 'route')), 'a relay route', 20000);
        await waitFor(async () => kbps(await metric(page, 'video')) > 0, 'video over the relay', 20000);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});
