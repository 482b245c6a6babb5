// Publishers and viewers in a framework's keyed list (test/e2e/pages/render-loop.html): replaced,
// reordered, removed and re-added within a few milliseconds, as a render loop does when its state
// changes quickly. Afterwards: no error anywhere, every element in the state its attributes ask for,
// the room holds exactly the publishers on screen, and once the list is empty no Janus session,
// handle or open PeerConnection of the page is left.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { adminSessions, createRoom, launchBrowser, listParticipants, openPage, stack, waitFor } from './support.js';

interface Item {
  key: string;
  tag: 'janus-publisher' | 'janus-viewer';
  attributes: Record<string, string>;
}

interface LoopWindow {
  render(items: Item[]): void;
  problems: string[];
  peerConnections: Array<WeakRef<RTCPeerConnection>>;
  ready?: boolean;
}

type Widget = HTMLElement & { state: string; feeds?: Array<{ display?: string }> };

describe('a keyed render loop adding, moving and removing widgets', () => {
  let browser: Browser;
  let page: Page;
  let room: number;
  let sessionsBefore: Set<number>;

  before(async () => {
    browser = await launchBrowser();
    room = await createRoom();
    sessionsBefore = new Set(await adminSessions());
    ({ page } = await openPage(browser, '/test/e2e/pages/render-loop.html'));
    await waitFor(() => page.evaluate(() => (window as unknown as LoopWindow).ready === true), 'page ready');
  });

  after(async () => {
    await browser?.close();
  });

  const render = (items: Item[]) => page.evaluate((items) => (window as unknown as LoopWindow).render(items), items);
  const states = () =>
    page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll<Widget>('#root > *')].map((el) => [el.id, el.state])),
    );

  it('ends with the elements on screen live, the room matching them, and nothing left once emptied', async () => {
    const server = stack().janus.ws;
    const base = { server, room: String(room) };
    const publisher = (key: string, display: string): Item => ({
      key,
      tag: 'janus-publisher',
      attributes: { ...base, display, autostart: '', resolution: '320x180', 'no-simulcast': '' },
    });
    const viewer = (key: string, extra: Record<string, string> = {}): Item => ({
      key,
      tag: 'janus-viewer',
      attributes: { ...base, muted: '', ...extra },
    });

    // Each step is one synchronous render; the pauses between them are a few ms, shorter than
    // any Janus round trip, so every change lands while the previous one is still connecting.
    const steps: Item[][] = [
      [publisher('p1', 'Ann'), viewer('grid'), viewer('ann', { display: 'Ann' })],
      [viewer('ann', { display: 'Ann' }), publisher('p1', 'Ann'), viewer('grid')],
      [viewer('ann', { display: 'Ann' }), publisher('p1', 'Ann'), viewer('grid-2')],
      [viewer('ann', { display: 'Ann' }), viewer('grid-2')],
      [publisher('p1-again', 'Ann'), viewer('ann', { display: 'Ann' }), viewer('grid-2'), publisher('p2', 'Bob')],
      [viewer('grid-2'), publisher('p2', 'Bob'), publisher('p1-again', 'Ann'), viewer('ann', { display: 'Ann' })],
    ];
    for (const step of steps) {
      await render(step);
      await new Promise((resolve) => setTimeout(resolve, 5)); // a render loop's next frame, not a wait for Janus
    }

    const expected = { 'grid-2': 'live', p2: 'live', 'p1-again': 'live', ann: 'live' };
    await waitFor(
      async () => JSON.stringify(await states()) === JSON.stringify(expected),
      `final states ${JSON.stringify(expected)}`,
      30000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; now ${JSON.stringify(await states())}`);
    });
    await waitFor(
      () =>
        page.evaluate(() => {
          const grid = document.getElementById('grid-2') as Widget;
          const ann = document.getElementById('ann') as Widget;
          const names = (grid.feeds ?? []).map((f) => f.display).sort();
          return names.join() === 'Ann,Bob' && ann.feeds?.length === 1 && ann.feeds[0]?.display === 'Ann';
        }),
      'the grid shows Ann and Bob, the named viewer only Ann',
      20000,
    );
    await waitFor(
      async () => {
        const publishers = (await listParticipants(room)).filter((p) => p.publisher).map((p) => p.display);
        return publishers.sort().join() === 'Ann,Bob';
      },
      'exactly the two publishers on screen are in the room',
      10000,
    );
    assert.deepEqual(await page.evaluate(() => (window as unknown as LoopWindow).problems), []);
    // The clean-up checks below mean something only if the page really held sessions and connections.
    assert.ok(
      (await adminSessions()).some((session) => !sessionsBefore.has(session)),
      'the page has a session',
    );
    const opened = await page.evaluate(() => (window as unknown as LoopWindow).peerConnections.length);
    assert.ok(opened >= 4, `at least one PeerConnection per element on screen (${opened})`);

    await render([]);
    await waitFor(
      async () => (await adminSessions()).every((session) => sessionsBefore.has(session)),
      'every session of the page destroyed',
      10000,
    );
    await waitFor(
      () =>
        page.evaluate(() =>
          (window as unknown as LoopWindow).peerConnections.every((ref) => {
            const pc = ref.deref();
            return !pc || pc.connectionState === 'closed' || pc.signalingState === 'closed';
          }),
        ),
      'every PeerConnection closed',
      10000,
    );
    assert.deepEqual(
      (await listParticipants(room)).map((p) => p.display),
      [],
      'nobody left in the room',
    );
    assert.deepEqual(await page.evaluate(() => (window as unknown as LoopWindow).problems), []);
  });
});
