// The HLS hand-off through the real stack: a <janus-publisher>, the HLS bridge (rtp_forward ->
// ffmpeg), and <janus-viewer> tags playing HLS, forced or after WebRTC could not connect.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startHlsBridge, type HlsBridge } from '../../demo/server/hls-bridge.mjs';
import { createRoom, framesRising, launchBrowser, openPage, stack, tagPage, waitFor } from './support.js';

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
      tagPage('janus-viewer', { hls: hlsUrl, mode: 'hls', 'no-controls': true, _stats: true }),
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
    // <janus-stats> for an HLS host: the HLS figures, not the (absent) PeerConnection's.
    const rows = await page.evaluate(() => {
      const panel = (window as unknown as { stats: HTMLElement }).stats.shadowRoot;
      // No named helpers in here: the page does not have the test runner's __name.
      return Object.fromEntries(
        ['mode', 'level', 'bitrate', 'buffer', 'latency', 'ice'].map((name) => [
          name,
          panel?.querySelector(`[part~="metric-${name}"] [part~="value"]`)?.textContent ?? '',
        ]),
      ) as Record<'mode' | 'level' | 'bitrate' | 'buffer' | 'latency' | 'ice', string>;
    });
    assert.equal(rows.mode, 'HLS (hls.js)');
    assert.match(rows.level, /^[1-9]\d*×[1-9]\d*, \d+ kbit\/s$/);
    assert.match(rows.bitrate, /^\d+ kbit\/s$/);
    assert.match(rows.buffer, /^\d+\.\d s$/);
    assert.match(rows.latency, /^\d+\.\d s$/);
    assert.equal(rows.ice, '', 'no WebRTC rows while on HLS');
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

  it('on HLS after WebRTC failed, WebRTC is tried again in the background and takes over once it decodes', async () => {
    const attributes = {
      server: stack().janus.ws,
      room,
      hls: hlsUrl,
      'ice-transport-policy': 'relay',
      // A TURN server nobody listens on: relay-only ICE can never connect.
      'ice-servers': JSON.stringify([{ urls: 'turn:127.0.0.1:9?transport=udp', username: 'u', credential: 'p' }]),
      'no-controls': true,
    };
    const { context, page } = await openPage(browser, tagPage('janus-viewer', attributes));
    await page.waitForFunction(() => window.events.some((e) => e.type === 'janus-mode'), undefined, { timeout: 20000 });
    await page.waitForFunction(() => window.element.state === 'live', undefined, { timeout: 30000 });
    // Still relay-only, now through a TURN server that works: no reload, no other change.
    const changedAt = await page.evaluate((turn) => {
      window.element.setAttribute('ice-servers', JSON.stringify([turn]));
      return performance.now();
    }, stack().turn.static);
    await page.waitForFunction(
      () => window.events.some((e) => e.type === 'janus-mode' && e.detail['reason'] === 'recovered'),
      undefined,
      { timeout: 30000 },
    );
    const modes = await page.evaluate(() =>
      window.events
        .filter((e) => e.type === 'janus-mode')
        .map((e) => ({ ...(e as unknown as ModeEvent).detail, time: (e as unknown as ModeEvent).time })),
    );
    const recovered = modes.at(-1);
    console.log(
      `[hls] step up to WebRTC ${Math.round((recovered?.time ?? 0) - changedAt)} ms after TURN became reachable`,
    );
    assert.deepEqual(
      modes.map((m) => `${m.mode}:${m.reason}`),
      ['hls:timeout', 'webrtc:recovered'],
      'one hand-off down, one step up, no flapping',
    );
    assert.equal(await page.evaluate(() => window.element.getAttribute('current-mode')), 'webrtc');
    assert.equal(await page.evaluate(() => window.element.state), 'live');
    await waitFor(() => framesRising(page), 'WebRTC frames decoding after the step up', 10000).catch(async (error) => {
      const seen = await page.evaluate(async () => {
        const element = window.element as HTMLElement & { peerConnection?: RTCPeerConnection; state: string };
        const inbound: unknown[] = [];
        (await element.peerConnection?.getStats())?.forEach(
          (e) =>
            e.type === 'inbound-rtp' &&
            inbound.push([
              e.kind,
              e.framesDecoded,
              e.packetsReceived,
              e.pliCount,
              e.framesReceived,
              e.keyFramesDecoded,
            ]),
        );
        const video = element.shadowRoot?.querySelector('video');
        const tracks = (video?.srcObject as MediaStream | null)
          ?.getTracks()
          .map((t) => [t.kind, t.readyState, t.muted]);
        const shown = video && { paused: video.paused, width: video.videoWidth, ready: video.readyState, tracks };
        const quality = element.getAttribute('current-quality');
        const log = window.events
          .slice(-12)
          .map((e) => [e.type, JSON.stringify(e.detail), Math.round((e as unknown as ModeEvent).time)]);
        return { state: element.state, pc: element.peerConnection?.connectionState, inbound, shown, quality, log };
      });
      throw new Error(`${(error as Error).message}: ${JSON.stringify(seen)}`);
    });
    const shown = await page.evaluate(() => ({
      badge: Boolean(window.element.shadowRoot?.querySelector('[part~="broadcast-badge"]')),
      videos: window.element.shadowRoot?.querySelectorAll('video').length ?? 0,
      remembered: Object.keys(sessionStorage).filter((key) => key.startsWith('janus-widgets:webrtc-failed:')).length,
      stateEvents: window.events.filter((e) => e.type === 'janus-state').map((e) => e.detail['state']),
    }));
    assert.equal(shown.badge, false, 'no broadcast badge on WebRTC');
    assert.equal(shown.videos, 1, 'the WebRTC tile only, the HLS video is gone');
    assert.equal(shown.remembered, 0, 'the failure is forgotten');
    // The hand-over is seamless: from HLS live straight to WebRTC live, no connecting in between.
    assert.equal(shown.stateEvents.at(-1), 'live');
    await new Promise((resolve) => setTimeout(resolve, 3000)); // time for a flap to show, if any
    assert.equal(
      await page.evaluate(() => window.events.filter((e) => e.type === 'janus-mode').length),
      2,
      'still on WebRTC',
    );
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
