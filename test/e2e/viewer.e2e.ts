// <janus-viewer> pasted alone on a page, watching <janus-publisher> tags in other browser contexts,
// through the real Janus: frames and audio arrive, the grid follows publishers, layers follow `quality`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { adminHandles, createRoom, launchBrowser, openPage, stack, tagPage, waitFor } from './support.js';

declare global {
  interface Window {
    element: HTMLElement & {
      state: string;
      peerConnection?: RTCPeerConnection;
      feeds: Array<{ feedId: number; display?: string }>;
      quality: string;
      currentQuality: string;
    };
    events: Array<{ type: string; detail: Record<string, unknown> }>;
    peerConnections: number;
  }
}

/** Counts every RTCPeerConnection the page creates. */
function countPeerConnections(): void {
  window.peerConnections = 0;
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      window.peerConnections++;
    }
  };
}

interface Received {
  frames: number;
  widths: number[];
  audioPackets: number;
  videoWidths: number[];
  tiles: number;
}

function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const result: Received = { frames: 0, widths: [], audioPackets: 0, videoWidths: [], tiles: 0 };
    const report = await window.element.peerConnection?.getStats();
    report?.forEach((entry) => {
      if (entry.type !== 'inbound-rtp') return;
      if (entry.kind === 'video') {
        result.frames += entry.framesDecoded ?? 0;
        if (entry.frameWidth) result.widths.push(entry.frameWidth);
      } else result.audioPackets += entry.packetsReceived ?? 0;
    });
    const videos = [...(window.element.shadowRoot?.querySelectorAll('video') ?? [])];
    result.videoWidths = videos.map((v) => v.videoWidth);
    result.tiles = window.element.shadowRoot?.querySelectorAll('[part~="tile"]').length ?? 0;
    return result;
  });
}

async function publish(browser: Browser, room: number, display: string): Promise<Page> {
  const { page } = await openPage(
    browser,
    tagPage('janus-publisher', { server: stack().janus.ws, room, display, autostart: true, 'no-controls': true }),
  );
  await page.waitForFunction(() => window.element?.state === 'live', undefined, { timeout: 20000 });
  return page;
}

function viewer(browser: Browser, attributes: Record<string, string | number | boolean>) {
  return openPage(browser, tagPage('janus-viewer', { server: stack().janus.ws, ...attributes }), {
    initScript: countPeerConnections,
  });
}

/** Janus reports a switch once the new layer's keyframe arrives, which may follow the first frames. */
function qualityEvent(page: Page, quality: string, reason: string): Promise<boolean> {
  return page.evaluate(
    ({ quality, reason }) =>
      window.events.some(
        (e) => e.type === 'janus-quality' && e.detail['quality'] === quality && e.detail['reason'] === reason,
      ),
    { quality, reason },
  );
}

/** Rising between two reads one interval apart. */
async function rising(page: Page, pick: (r: Received) => number): Promise<boolean> {
  const first = pick(await received(page));
  await new Promise((resolve) => setTimeout(resolve, 700)); // an interval of media between the two reads
  return pick(await received(page)) > first;
}

describe('<janus-viewer> on the real stack', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('waits with a placeholder, then plays video and audio when a publisher starts', async () => {
    const room = await createRoom();
    const { page } = await viewer(browser, { room });
    await page.waitForFunction(() => window.element?.state === 'waiting');
    const placeholder = await page.evaluate(() =>
      Boolean(window.element.shadowRoot?.querySelector('[part~="placeholder"]')),
    );
    assert.ok(placeholder, 'the waiting placeholder is shown');

    const publisher = await publish(browser, room, 'Alice');
    await waitFor(() => page.evaluate(() => window.element.state === 'live'), 'viewer state live');
    await waitFor(() => page.evaluate(() => window.events.some((e) => e.type === 'janus-playing')), 'janus-playing');
    const now = await waitFor(async () => {
      const r = await received(page);
      return r.videoWidths[0]! > 0 && r.frames > 0 && r.audioPackets > 0 ? r : undefined;
    }, 'decoded video (videoWidth > 0) and audio packets');
    assert.ok(now.videoWidths[0]! > 0);
    // Answered as the DTLS server (Janus starts the handshake; see asDtlsServer) and media flows.
    const setup = await page.evaluate(() => window.element.peerConnection?.localDescription?.sdp.match(/a=setup:\w+/g));
    assert.deepEqual([...new Set(setup)], ['a=setup:passive']);
    assert.ok(await waitFor(() => rising(page, (r) => r.frames), 'frames rising'));
    assert.ok(await waitFor(() => rising(page, (r) => r.audioPackets), 'audio packets rising'));
    const name = await page.evaluate(() => window.element.shadowRoot?.querySelector('[part~="name"]')?.textContent);
    assert.equal(name, 'Alice');
    await publisher.context().close();
    await page.context().close();
  });

  it('shows two publishers in a grid, then one, over one PeerConnection', async () => {
    const room = await createRoom();
    const alice = await publish(browser, room, 'Alice');
    const bob = await publish(browser, room, 'Bob');
    const { page } = await viewer(browser, { room });
    await waitFor(
      async () => (await received(page)).videoWidths.filter((w) => w > 0).length === 2,
      'two tiles playing',
    );
    await bob.context().close();
    await waitFor(async () => (await received(page)).tiles === 1, 'one tile after Bob left');
    const events = await page.evaluate(() =>
      window.events.filter((e) => e.type.startsWith('janus-feed')).map((e) => e.type),
    );
    assert.deepEqual(events.sort(), ['janus-feed-added', 'janus-feed-added', 'janus-feed-removed']);
    assert.ok(await waitFor(() => rising(page, (r) => r.frames), 'remaining tile still decoding'));
    assert.equal(await page.evaluate(() => window.peerConnections), 1, 'one PeerConnection throughout');
    await alice.context().close();
    await page.context().close();
  });

  describe('quality', () => {
    let room: number;
    let publisher: Page;

    before(async () => {
      room = await createRoom();
      publisher = await publish(browser, room, 'Simulcaster');
    });

    after(async () => {
      await publisher.context().close();
    });

    const width = async (page: Page, expected: number) => {
      const r = await received(page);
      if (r.widths[0] !== expected) throw new Error(`frameWidth ${r.widths[0]}`);
      return true;
    };

    it('quality="low" receives 320 px and "high" 1280 px', async () => {
      const { page } = await viewer(browser, { room, quality: 'low', style: 'width: 960px' });
      await waitFor(() => width(page, 320), 'low layer (320)');
      await page.evaluate(() => (window.element.quality = 'high'));
      await waitFor(() => width(page, 1280), 'high layer (1280)');
      await waitFor(() => qualityEvent(page, 'high', 'manual'), 'janus-quality {quality: high, reason: manual}');
      assert.equal(await page.evaluate(() => window.element.getAttribute('current-quality')), 'high');
      await page.context().close();
    });

    it('quality="audio" stops video frames while audio continues', async () => {
      const { page } = await viewer(browser, { room, quality: 'audio' });
      await waitFor(() => rising(page, (r) => r.audioPackets), 'audio packets rising');
      const before = (await received(page)).frames;
      assert.ok(await rising(page, (r) => r.audioPackets), 'audio still rising');
      const after = (await received(page)).frames;
      assert.ok(after - before <= 1, `no video frames decoded (${before} -> ${after})`);
      await page.context().close();
    });

    it('back from "audio" to the layer it had before, video resumes and the feed is no longer marked audio only', async () => {
      const { page } = await viewer(browser, { room, quality: 'low', style: 'width: 960px' });
      await waitFor(() => width(page, 320), 'low layer (320)');
      await page.evaluate(() => (window.element.quality = 'audio'));
      await waitFor(async () => !(await rising(page, (r) => r.frames)), 'video frames stopped');
      await page.evaluate(() => (window.element.quality = 'low'));
      await waitFor(() => rising(page, (r) => r.frames), 'frames rising again');
      await waitFor(
        () => page.evaluate(() => window.element.getAttribute('current-quality') === 'low'),
        'current-quality back to low',
      );
      const badge = await page.evaluate(() =>
        Boolean(window.element.shadowRoot!.querySelector('[part~="audio-only"]')),
      );
      assert.equal(badge, false, 'no audio-only badge once video is back');
      await page.context().close();
    });

    it('a 320x180 element in auto receives the low layer', async () => {
      const { page } = await viewer(browser, { room, style: 'width: 320px; height: 180px' });
      await waitFor(() => width(page, 320), 'low layer for a small tile');
      await waitFor(() => qualityEvent(page, 'low', 'size'), 'janus-quality {quality: low, reason: size}');
      await page.context().close();
    });
  });

  it('pauses video of a tile scrolled out of view and resumes it when it comes back', async () => {
    const room = await createRoom();
    const publisher = await publish(browser, room, 'Alice');
    const { page } = await viewer(browser, { room, style: 'width: 480px', _spacer: 4000 });
    await waitFor(() => rising(page, (r) => r.frames), 'frames rising while visible');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await waitFor(() => qualityEvent(page, 'audio', 'visibility'), 'janus-quality {audio, visibility}');
    await waitFor(async () => !(await rising(page, (r) => r.frames)), 'video frames stopped out of view');
    assert.ok(await rising(page, (r) => r.audioPackets), 'audio keeps flowing out of view');
    await page.evaluate(() => window.scrollTo(0, 0));
    await waitFor(() => rising(page, (r) => r.frames), 'frames rising again in view');
    await publisher.context().close();
    await page.context().close();
  });

  it("a <janus-stats for> overlay shows the viewer's live numbers", async () => {
    const room = await createRoom();
    const publisher = await publish(browser, room, 'Alice');
    const { page } = await viewer(browser, { room, _stats: true });
    const sample = await waitFor(
      () =>
        page.evaluate(() => {
          const stats = (
            window as unknown as {
              stats: { sample?: { video: { bitrateKbps: number; width?: number }; candidatePair?: { local: string } } };
            }
          ).stats;
          const s = stats.sample;
          return s && s.video.bitrateKbps > 0 && s.video.width ? s : undefined;
        }),
      'a stats sample with video bitrate and width',
    );
    assert.equal(sample.candidatePair?.local, 'host');
    const text = await page.locator('janus-stats').evaluate((el) => el.shadowRoot!.textContent ?? '');
    assert.match(text, /kbit\/s/);
    await publisher.context().close();
    await page.context().close();
  });

  it('removing the element leaves no handle on the server', async () => {
    const room = await createRoom();
    const publisher = await publish(browser, room, 'Alice');
    const { page } = await viewer(browser, { room });
    await page.waitForFunction(() => window.element.state === 'live', undefined, { timeout: 15000 });
    const session = await page.evaluate(
      () =>
        (window.element as unknown as { controller: { viewer: { ids: { session: number } } } }).controller.viewer.ids
          .session,
    );
    assert.ok((await adminHandles(session)).length >= 2, 'lobby and subscriber handles while live');
    await page.evaluate(() => window.element.remove());
    await waitFor(async () => (await adminHandles(session)).length === 0, 'handles gone after removal');
    assert.equal(await page.evaluate(() => window.element.state), 'closed');
    await publisher.context().close();
    await page.context().close();
  });
});
