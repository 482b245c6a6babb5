// The audio-first promise under a real bad network: Janus in one network namespace, the viewer's
// Chromium in another, joined by a veth pair whose Janus end is capped (tc tbf) and lossy
// (iptables statistic). Every assertion reads getStats() over a polling window, never after a sleep.
// Without root (no namespaces) the scenarios are skipped, loudly, never passed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs } from '../chromium.mjs';
import { NetnsUnavailable, createTopology } from '../netns.mjs';
import { until } from '../poll.js';
import { tagPage } from './support.js';

type Topology = Awaited<ReturnType<typeof createTopology>>;
type NamespacedStack = Awaited<ReturnType<Topology['startStack']>>;

/** One getStats() reading of the viewer page, taken in the page every SAMPLE_MS. */
interface Reading {
  t: number;
  frames: number;
  width: number;
  audioPackets: number;
  freezes: number;
  quality: string;
  badge: boolean;
}

declare global {
  interface Window {
    element: HTMLElement & { state: string; peerConnection?: RTCPeerConnection; currentQuality: string };
    events: Array<{ type: string; detail: Record<string, unknown>; time: number }>;
    readings: Reading[];
  }
}

const SAMPLE_MS = 250;
const WIDTH = { high: 1280, medium: 640, low: 320 } as const;

let net: Topology | undefined;
let skip: string | false = false;
try {
  net = await createTopology();
} catch (error) {
  if (!(error instanceof NetnsUnavailable)) throw error;
  skip = `impairment scenarios skipped: ${error.message}`;
  console.log(
    `\n!!!!! IMPAIRMENT SUITE SKIPPED (${error.message}): its scenarios count as skipped, NOT passed !!!!!\n`,
  );
}

/** Starts reading the viewer's stats in the page, so a slow test process never misses an interval. */
function startReadings(): void {
  window.readings = [];
  setInterval(async () => {
    const reading: Reading = {
      t: performance.now(),
      frames: 0,
      width: 0,
      audioPackets: 0,
      freezes: 0,
      quality: window.element.currentQuality,
      badge: Boolean(window.element.shadowRoot?.querySelector('[part~="audio-only"]')),
    };
    const report = await window.element.peerConnection?.getStats();
    report?.forEach((entry) => {
      if (entry.type !== 'inbound-rtp') return;
      if (entry.kind === 'video') {
        reading.frames += entry.framesDecoded ?? 0;
        reading.width = Math.max(reading.width, entry.frameWidth ?? 0);
        reading.freezes += entry.freezeCount ?? 0;
      } else reading.audioPackets += entry.packetsReceived ?? 0;
    });
    window.readings.push(reading);
  }, 250);
}

function readings(page: Page, sinceMs = 0): Promise<Reading[]> {
  return page.evaluate((since) => window.readings.filter((r) => r.t >= since), sinceMs);
}

function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** Rate per second of a counter across readings. */
function rate(list: Reading[], pick: (r: Reading) => number): number {
  const first = list[0];
  const last = list.at(-1);
  if (!first || !last || last.t <= first.t) return 0;
  return ((pick(last) - pick(first)) * 1000) / (last.t - first.t);
}

/** Layer changes (decoded width) across readings. */
function switches(list: Reading[]): number {
  let count = 0;
  for (let i = 1; i < list.length; i++)
    if (list[i]!.width && list[i - 1]!.width && list[i]!.width !== list[i - 1]!.width) count++;
  return count;
}

/**
 * Waits for `seconds` of readings in a row that all satisfy `good` and during which frames keep
 * rising; resolves with the page time at which that window started.
 */
async function steady(
  page: Page,
  since: number,
  seconds: number,
  good: (r: Reading) => boolean,
  what: string,
  timeoutMs: number,
): Promise<number> {
  return until(
    async () => {
      const list = await readings(page, since);
      let start = -1;
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!;
        // At 10-20 fps one 250 ms reading may see no new frame; two in a row may not.
        const ok = good(r) && r.frames > list[Math.max(0, i - 2)]!.frames;
        if (!ok) start = -1;
        else if (start < 0) start = i;
        if (start >= 0 && r.t - list[start]!.t >= seconds * 1000) return list[start]!.t;
      }
      return undefined;
    },
    what,
    timeoutMs,
    SAMPLE_MS,
  );
}

describe('audio first under a real impaired network (network namespaces)', () => {
  let stack: NamespacedStack;
  let publisherBrowser: Browser;
  let viewerBrowser: Browser;

  before(async () => {
    if (!net) return;
    stack = await net.startStack();
    publisherBrowser = await chromium.launch({
      executablePath: net.chromiumWrapper(net.janusNs),
      headless: true,
      args: chromiumArgs,
    });
    viewerBrowser = await chromium.launch({
      executablePath: net.chromiumWrapper(net.clientNs),
      headless: true,
      args: [...chromiumArgs, `--unsafely-treat-insecure-origin-as-secure=${stack.pages}`],
    });
    const context = await publisherBrowser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    const path = tagPage('janus-publisher', {
      server: stack.janus.wsLocal,
      room: 1234,
      display: 'impaired',
      autostart: true,
      resolution: '1280x720',
      'no-controls': true,
    });
    await page.goto(new URL(path, stack.pagesLocal).href);
    await page.waitForFunction(() => window.element?.state === 'live', undefined, { timeout: 20000 });
  });

  after(async () => {
    await viewerBrowser?.close().catch(() => {});
    await publisherBrowser?.close().catch(() => {});
    await stack?.stop();
    await net?.destroy();
  });

  async function openViewer(attributes: Record<string, string | boolean> = {}): Promise<Page> {
    const context = await viewerBrowser.newContext({
      permissions: ['camera', 'microphone'],
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    const path = tagPage('janus-viewer', {
      server: stack.janus.ws,
      room: 1234,
      style: 'display:block;width:1280px',
      'no-controls': true,
      ...attributes,
    });
    await page.goto(new URL(path, stack.pages).href);
    await page.waitForFunction(() => window.element?.peerConnection !== undefined, undefined, { timeout: 20000 });
    await page.evaluate(startReadings);
    return page;
  }

  it('plays the top layer through the namespaces on a clean network', { skip }, async () => {
    net!.clear();
    const page = await openViewer();
    await steady(page, 0, 3, (r) => r.width === WIDTH.high, '3 s of the top layer, frames rising', 20000);
    await page.context().close();
  });
});
