// 100 connect/disconnect cycles of real tags in one page (append, live, room switch while live,
// remove): afterwards no live track, no open PeerConnection, no Janus session or handle of the page,
// and the page's JS heap within a stated bound of where it was after warming up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  adminSessions,
  createRoom,
  launchBrowser,
  openLivePublisher,
  openPage,
  stack,
  tagPage,
  waitFor,
} from './support.js';

const CYCLES = 100;
const WARM_UP = 10;
/** 2.5-4x the growth measured (520-780 KB over 90 cycles); a viewer leaked per cycle (tens of KB) crosses it. */
const HEAP_GROWTH_BOUND_BYTES = 2 * 1024 * 1024;

interface CyclesWindow {
  element: HTMLElement & { state: string };
  /** Weak, so that the test's own bookkeeping keeps nothing alive (the heap is measured). */
  peerConnections: Array<WeakRef<RTCPeerConnection>>;
  tracks: Array<WeakRef<MediaStreamTrack>>;
}

/** Records every PeerConnection and captured track the page makes. */
function recordResources(): void {
  const page = window as unknown as CyclesWindow;
  page.peerConnections = [];
  page.tracks = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      page.peerConnections.push(new WeakRef(this));
    }
  };
  const capture = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await capture(constraints);
    page.tracks.push(...stream.getTracks().map((track) => new WeakRef(track)));
    return stream;
  };
}

// Plain JavaScript run in the page (as a string: the test's own transpiler would add helpers the
// page does not have). `reach` resolves once the element is in a state, failing after 15 s.
const CYCLE_RUNNER = `
window.runCycles = async ({ server, rooms, count, offset }) => {
  await customElements.whenDefined('janus-viewer');
  function reach(element, state) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('never ' + state + ' (stuck in ' + element.state + ')')), 15000);
      function check() {
        if (element.state !== state) return;
        clearTimeout(timer);
        element.removeEventListener('janus-state', check);
        resolve();
      }
      element.addEventListener('janus-state', check);
      check();
    });
  }
  const switches = [];
  for (let i = offset; i < offset + count; i++) {
    const viewer = document.createElement('janus-viewer');
    viewer.setAttribute('server', server);
    viewer.setAttribute('room', String(rooms[i % 2]));
    document.body.append(viewer);
    await reach(viewer, 'live');
    const seen = [];
    function record(event) {
      seen.push(event.detail.state);
    }
    viewer.addEventListener('janus-state', record);
    viewer.room = String(rooms[(i + 1) % 2]);
    // The switch happens in the element's next update; until then it is still live in the old room.
    await viewer.updateComplete;
    await reach(viewer, 'live');
    viewer.removeEventListener('janus-state', record);
    switches.push(seen);
    viewer.remove();
  }
  return switches;
};
`;

/** Runs `count` cycles in the page; returns the state sequences seen during each room switch. */
async function runCycles(page: Page, rooms: [number, number], count: number, offset: number): Promise<string[][]> {
  await page.evaluate(CYCLE_RUNNER);
  return page.evaluate(
    (args) => (window as unknown as { runCycles(a: typeof args): Promise<string[][]> }).runCycles(args),
    { server: stack().janus.ws, rooms, count, offset },
  );
}

async function heapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize;
}

describe('connect/disconnect cycles', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it(`${CYCLES} cycles (append, live, room switch while live, remove) leave nothing behind`, async () => {
    const rooms: [number, number] = [await createRoom(), await createRoom()];
    const publishers = [
      await openLivePublisher(browser, rooms[0], { display: 'A' }),
      await openLivePublisher(browser, rooms[1], { display: 'B' }),
    ];
    const before = new Set(await adminSessions());
    const { page } = await openPage(browser, tagPage('div', {}), { initScript: recordResources });

    const started = Date.now();
    const switches = await runCycles(page, rooms, WARM_UP, 0);
    const heapAfterWarmUp = await heapUsed(page);
    switches.push(...(await runCycles(page, rooms, CYCLES - WARM_UP, WARM_UP)));
    const seconds = (Date.now() - started) / 1000;

    const stale = switches.filter((states) => states.includes('closed') || states.includes('error'));
    assert.deepEqual(stale, [], 'a room switch never shows the old viewer closing (or failing)');
    await waitFor(
      async () => (await adminSessions()).every((session) => before.has(session)),
      'no Janus session left by the cycles page',
      10000,
    );
    const open = await page.evaluate(
      () =>
        (window as unknown as CyclesWindow).peerConnections.filter(
          (ref) => (ref.deref()?.signalingState ?? 'closed') !== 'closed',
        ).length,
    );
    assert.equal(open, 0, 'no open PeerConnection');
    const created = await page.evaluate(() => (window as unknown as CyclesWindow).peerConnections.length);
    assert.ok(created >= 2 * CYCLES, `a PeerConnection per connection (${created})`);
    const liveTracks = await page.evaluate(
      () => (window as unknown as CyclesWindow).tracks.filter((ref) => ref.deref()?.readyState === 'live').length,
    );
    assert.equal(liveTracks, 0, 'no live track');
    const growth = (await heapUsed(page)) - heapAfterWarmUp;
    console.log(
      `  ${CYCLES} cycles in ${seconds.toFixed(1)} s; JS heap ${(growth / 1024).toFixed(0)} KB after the warm-up (bound ${HEAP_GROWTH_BOUND_BYTES / 1024} KB)`,
    );
    assert.ok(growth < HEAP_GROWTH_BOUND_BYTES, `heap growth ${growth} bytes`);
    await Promise.all([page.close(), ...publishers.map((p) => p.close())]);
  });
});
