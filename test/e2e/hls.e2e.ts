// The HLS hand-off through the real stack: a <janus-publisher>, the HLS bridge (rtp_forward ->
// ffmpeg), and <janus-viewer> tags playing HLS, forced or after WebRTC could not connect.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startHlsBridge, type HlsBridge } from '../../demo/server/hls-bridge.mjs';
import { createRoom, launchBrowser, openPage, stack, tagPage, waitFor } from './support.js';

// Declared in viewer.e2e.ts for every e2e file (one global Window type per program).
type HlsElement = HTMLElement & { state: string; hlsStats?: { latency?: number } };
type ModeEvent = { detail: { mode?: string; reason?: string }; time: number };

/** `mode="auto"` hands off after this bound (WEBRTC_FALLBACK_MS in src/controllers/hls-controller.ts). */
const FALLBACK_BOUND_MS = 8000;
const root = fileURLToPath(new URL('../..', import.meta.url));

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

/** Playback figures of the viewer's HLS <video>. */
function playback(page: Page) {
  return page.evaluate(() => {
    const video = window.element.shadowRoot?.querySelector('video') as
      (HTMLVideoElement & { webkitAudioDecodedByteCount?: number }) | null;
    return {
      width: video?.videoWidth ?? 0,
      time: video?.currentTime ?? 0,
      audioBytes: video?.webkitAudioDecodedByteCount ?? 0,
      latency: (window.element as unknown as HlsElement).hlsStats?.latency,
      badge: window.element.shadowRoot?.querySelector('[part~="broadcast-badge"]')?.textContent?.trim() ?? '',
      state: window.element.state,
    };
  });
}

/** Pids of ffmpeg processes whose command line mentions `text`. */
function ffmpegWith(text: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('ffmpeg') && cmdline.includes(text)) pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

describe('HLS hand-off (bridge + ffmpeg + <janus-viewer>)', () => {
  let browser: Browser;
  let bridge: HlsBridge;
  let publisher: Page;
  let room: number;
  let folder: string;
  let hlsUrl: string;

  before(async () => {
    browser = await launchBrowser();
    // A keyframe request each second lets ffmpeg start within a second of the forward.
    room = await createRoom({ fir_freq: 1 });
    folder = join(root, 'test/e2e/.hls', String(room));
    hlsUrl = `/test/e2e/.hls/${room}/index.m3u8`;
    bridge = await startHlsBridge({
      janus: stack().janus.http,
      room,
      folder,
      rtpPort: Number(process.env.HLS_RTP_PORT || 46000),
    });
    ({ page: publisher } = await openPage(
      browser,
      tagPage('janus-publisher', {
        server: stack().janus.ws,
        room,
        display: 'Auctioneer',
        autostart: true,
        'no-controls': true,
      }),
    ));
    await publisher.waitForFunction(() => window.element?.state === 'live', undefined, { timeout: 20000 });
  });

  after(async () => {
    await bridge?.stop();
    await browser?.close();
    rmSync(join(root, 'test/e2e/.hls', String(room)), { recursive: true, force: true });
  });

  it('mode="hls" plays the bridge’s playlist (video, audio, time advancing) and reports its latency behind live', async () => {
    const started = Date.now();
    const { page } = await openPage(
      browser,
      tagPage('janus-viewer', { hls: hlsUrl, mode: 'hls', 'no-controls': true }),
    );
    await page.waitForFunction(() => window.element?.state === 'live', undefined, { timeout: 30000 });
    const firstFrameMs = Date.now() - started;
    const first = await playback(page);
    assert.ok(first.width > 0, 'video has a width');
    const latencies: number[] = [];
    let last = first.time;
    let advanced = 0;
    await waitFor(
      async () => {
        const now = await playback(page);
        if (now.time > last) advanced++;
        last = now.time;
        if (now.latency !== undefined) latencies.push(now.latency);
        return advanced >= 4 && latencies.length >= 4 && now.audioBytes > 0;
      },
      'HLS playback advancing with audio and a latency',
      15000,
      500,
    );
    const latency = median(latencies);
    console.log(
      `[hls] time to first HLS frame ${firstFrameMs} ms (page load to first frame), latency behind live median ${latency} s`,
    );
    assert.ok(latency > 0 && latency < 15, `latency ${latency} s`);
    assert.match((await playback(page)).badge, /Broadcast · \d+ s behind/);
    await page.context().close();
  });

  it('mode="auto" falls back to HLS within the bound when WebRTC cannot connect, then a reload goes straight to HLS', async () => {
    const attributes = {
      server: stack().janus.ws,
      room,
      hls: hlsUrl,
      'ice-transport-policy': 'relay',
      // A TURN server nobody listens on: relay-only ICE can never connect.
      'ice-servers': JSON.stringify([{ urls: 'turn:127.0.0.1:9?transport=udp', username: 'u', credential: 'p' }]),
      'no-controls': true,
    };
    const { context, page } = await openPage(browser, tagPage('janus-viewer', attributes), {
      initScript: countPeerConnections,
    });
    await page.waitForFunction(() => window.events.some((e) => e.type === 'janus-mode'), undefined, { timeout: 20000 });
    const mode = await page.evaluate(() => {
      const event = window.events.find((e) => e.type === 'janus-mode') as unknown as ModeEvent;
      return { ...event.detail, time: event.time };
    });
    console.log(`[hls] fallback to HLS after ${Math.round(mode.time)} ms (reason ${mode.reason})`);
    assert.equal(mode.mode, 'hls');
    assert.equal(mode.reason, 'timeout');
    assert.ok(mode.time < FALLBACK_BOUND_MS + 3000, `fallback at ${mode.time} ms`);
    await page.waitForFunction(() => window.element.state === 'live', undefined, { timeout: 30000 });
    await waitFor(
      async () => /Broadcast · \d+ s behind/.test((await playback(page)).badge),
      'the broadcast badge',
      10000,
    );
    assert.equal(await page.evaluate(() => window.element.getAttribute('current-mode')), 'hls');

    // The same tab again: sessionStorage remembers that WebRTC failed.
    await page.reload();
    await page.waitForFunction(() => window.events?.some((e) => e.type === 'janus-mode'), undefined, {
      timeout: 10000,
    });
    const again = await page.evaluate(() => ({
      ...(window.events.find((e) => e.type === 'janus-mode') as unknown as ModeEvent).detail,
      time: (window.events.find((e) => e.type === 'janus-mode') as unknown as ModeEvent).time,
      peerConnections: window.peerConnections,
    }));
    assert.equal(again.reason, 'remembered');
    assert.equal(again.peerConnections, 0, 'no WebRTC attempt on the second load');
    assert.ok(again.time < 2000, `straight to HLS (${again.time} ms)`);
    await page.waitForFunction(() => window.element.state === 'live', undefined, { timeout: 30000 });
    await context.close();
  });

  it('the publisher leaves: HLS viewers wait, and the bridge leaves no ffmpeg behind', async () => {
    const { page } = await openPage(
      browser,
      tagPage('janus-viewer', { hls: hlsUrl, mode: 'hls', 'no-controls': true }),
    );
    await page.waitForFunction(() => window.element?.state === 'live', undefined, { timeout: 30000 });
    assert.ok(ffmpegWith(String(room)).length > 0, 'ffmpeg runs while the publisher is live');
    await publisher.context().close();
    await page.waitForFunction(() => window.element.state === 'waiting', undefined, { timeout: 30000 });
    await waitFor(
      () => ffmpegWith(String(room)).length === 0 && bridge.ffmpegPid === undefined,
      'no ffmpeg left',
      5000,
    );
    await page.context().close();
  });
});
