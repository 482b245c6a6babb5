// The core layer, proven against the real Janus: publish Chromium's fake camera+mic with simulcast
// from one browser context, subscribe from another, and switch simulcast layers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { adminHandles, createRoom, launchBrowser, openPage, stack, waitFor } from './support.js';

declare global {
  interface Window {
    widgets: typeof import('../../src/index.js');
    publisher: import('../../src/index.js').VideoRoomPublisher;
    subscriber: import('../../src/index.js').VideoRoomSubscriber;
    firstActive: (string | undefined)[];
  }
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean(window.widgets));
}

interface Received {
  framesDecoded: number;
  frameWidth: number;
  audioPackets: number;
}

function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const report = await window.subscriber.pc!.getStats();
    const result = { framesDecoded: 0, frameWidth: 0, audioPackets: 0 };
    report.forEach((entry) => {
      if (entry.type !== 'inbound-rtp') return;
      if (entry.kind === 'video') {
        result.framesDecoded += entry.framesDecoded ?? 0;
        result.frameWidth = Math.max(result.frameWidth, entry.frameWidth ?? 0);
      } else if (entry.kind === 'audio') {
        result.audioPackets += entry.packetsReceived ?? 0;
      }
    });
    return result;
  });
}

/** The publisher's simulcast encodings that are actually sending, by rid. */
function sentLayers(page: Page): Promise<Record<string, { bytes: number; width: number; limit?: string }>> {
  return page.evaluate(async () => {
    const report = await window.publisher.pc!.getStats();
    const layers: Record<string, { bytes: number; width: number; limit?: string }> = {};
    report.forEach((entry) => {
      if (entry.type === 'outbound-rtp' && entry.kind === 'video' && entry.rid) {
        layers[entry.rid] = {
          bytes: entry.bytesSent ?? 0,
          width: entry.frameWidth ?? 0,
          limit: entry.qualityLimitationReason,
        };
      }
    });
    return layers;
  });
}

describe('core: publish -> Janus -> subscribe', () => {
  let browser: Browser;
  let publisherPage: Page;
  let subscriberPage: Page;
  let room: number;
  let feedId: number;
  let videoMid: string;

  before(async () => {
    browser = await launchBrowser();
    room = await createRoom();
    ({ page: publisherPage } = await openPage(browser, '/test/e2e/pages/core.html'));
    ({ page: subscriberPage } = await openPage(browser, '/test/e2e/pages/core.html'));
    await Promise.all([ready(publisherPage), ready(subscriberPage)]);
  });

  after(async () => {
    await browser?.close();
  });

  it('publishes the fake camera at 1280x720 on the low simulcast layer first, then on all three', async () => {
    const { ws } = stack().janus;
    feedId = await publisherPage.evaluate(
      async ({ ws, room }) => {
        const { captureMedia, VideoRoomPublisher } = window.widgets;
        // The rids the video transceiver is created with (what the offer starts sending).
        const addTransceiver = RTCPeerConnection.prototype.addTransceiver;
        RTCPeerConnection.prototype.addTransceiver = function (trackOrKind, init) {
          const encodings = init?.sendEncodings ?? [];
          if (encodings.length > 1) window.firstActive = encodings.filter((e) => e.active !== false).map((e) => e.rid);
          return addTransceiver.call(this, trackOrKind, init);
        };
        const { stream } = await captureMedia({
          video: 'camera',
          audio: 'microphone',
          width: 1280,
          height: 720,
          frameRate: 30,
        });
        window.publisher = new VideoRoomPublisher({
          servers: [ws],
          iceServers: [],
          room,
          simulcast: true,
          display: 'core test',
        });
        const { feedId } = await window.publisher.publish(stream);
        return feedId as number;
      },
      { ws, room },
    );
    assert.ok(feedId, 'Janus gave the publisher a feed id');
    assert.deepEqual(await publisherPage.evaluate(() => window.firstActive), ['l'], 'only the low layer at first');

    // The top layer waits for Chromium's bandwidth estimate to ramp up, slower on a busy machine.
    const layers = await waitFor(
      async () => {
        const first = await sentLayers(publisherPage);
        await new Promise((resolve) => setTimeout(resolve, 1000)); // one second of sending between the two reads
        const second = await sentLayers(publisherPage);
        const rising = ['h', 'm', 'l'].every((rid) => (second[rid]?.bytes ?? 0) > (first[rid]?.bytes ?? 0));
        if (rising && ['h', 'm', 'l'].every((rid) => (second[rid]?.width ?? 0) > 0)) return second;
        throw new Error(`layers ${JSON.stringify(second)}`);
      },
      'three simulcast layers sending',
      30000,
    );
    assert.equal(layers['h']!.width, 1280);
    assert.equal(layers['m']!.width, 640);
    assert.equal(layers['l']!.width, 320);
  });

  it('a second browser context receives video frames and audio packets that keep rising', async () => {
    const { ws } = stack().janus;
    videoMid = await subscriberPage.evaluate(
      async ({ ws, room, feedId }) => {
        const { VideoRoomSubscriber } = window.widgets;
        window.subscriber = new VideoRoomSubscriber({ servers: [ws], iceServers: [], room });
        window.subscriber.on('track', ({ track, on }) => {
          if (!on || track.kind !== 'video') return;
          const video = document.createElement('video');
          video.muted = true;
          video.autoplay = true;
          video.srcObject = new MediaStream([track]);
          document.body.append(video);
        });
        await window.subscriber.subscribe([{ feed: feedId }]);
        return [...window.subscriber.streams.values()].find((s) => s.type === 'video')!.mid;
      },
      { ws, room, feedId },
    );
    assert.ok(videoMid !== undefined, 'the subscription has a video stream');

    const first = await waitFor(async () => {
      const now = await received(subscriberPage);
      return now.framesDecoded > 0 && now.audioPackets > 0 ? now : undefined;
    }, 'first decoded frame and audio packets');
    const later = await waitFor(async () => {
      const now = await received(subscriberPage);
      return now.framesDecoded > first.framesDecoded + 10 && now.audioPackets > first.audioPackets + 20
        ? now
        : undefined;
    }, 'frames and audio packets to keep rising');
    assert.ok(later.framesDecoded > first.framesDecoded);
    assert.ok(later.audioPackets > first.audioPackets);
  });

  it('switching to substream 0 then 2 changes the received frame width (320 then 1280)', async () => {
    const configure = (substream: 0 | 2) =>
      subscriberPage.evaluate(({ mid, substream }) => window.subscriber.selectLayer(mid, substream), {
        mid: videoMid,
        substream,
      });
    const width = async (expected: number) => {
      const { frameWidth } = await received(subscriberPage);
      if (frameWidth !== expected) {
        throw new Error(
          `frameWidth ${frameWidth}; publisher layers ${JSON.stringify(await sentLayers(publisherPage))}`,
        );
      }
      return true;
    };
    assert.equal(await configure(0), true, 'Janus reports the switch to substream 0');
    await waitFor(() => width(320), 'frameWidth 320 after substream 0');
    assert.equal(await configure(2), true, 'Janus reports the switch to substream 2');
    await waitFor(() => width(1280), 'frameWidth 1280 after substream 2');
  });

  it('disposing both leaves no handle on the server and releases the shared sessions', async () => {
    const ids = await Promise.all(
      [publisherPage, subscriberPage].map((page) =>
        page.evaluate(() => (window.publisher ?? window.subscriber).sessionId!),
      ),
    );
    for (const id of ids) assert.ok((await adminHandles(id)).length > 0, 'handles exist while live');
    await publisherPage.evaluate(() => window.publisher.dispose());
    await subscriberPage.evaluate(() => window.subscriber.dispose());
    assert.equal(await subscriberPage.evaluate(() => window.widgets.pooledSessionCount()), 0);
    for (const id of ids) await waitFor(async () => (await adminHandles(id)).length === 0, `session ${id} to be gone`);
  });
});
