// Faults injected for real into a live call through Janus's admin API and VideoRoom requests:
// Janus hangs up a PeerConnection (viewer or publisher), a moderator kicks the publisher, the room
// is destroyed under a viewer. Each ends either live again with frames flowing, or in a documented
// error code with nothing left behind on Janus or in the page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  adminHandles,
  adminHangup,
  adminSessions,
  createRoom,
  framesRising,
  launchBrowser,
  openLivePublisher,
  openLiveViewer,
  openPage,
  stack,
  tagPage,
  videoroomRequest,
  waitFor,
} from './support.js';

interface Ids {
  session?: number;
  handle?: string;
  handles?: string[];
}

/** What test/e2e/pages/tag.html puts on `window`. */
interface TagWindow {
  element: HTMLElement & {
    state: string;
    feedId?: number | string;
    error?: { code: string; message: string };
    peerConnection?: RTCPeerConnection;
    controller: { machine?: { ids: Ids; stream?: MediaStream } };
  };
  events: Array<{ type: string; detail: Record<string, unknown>; time: number }>;
  tracks: MediaStreamTrack[];
}

/** Keeps every track the page captures, to check that a failure stops them all. */
function keepTracks(): void {
  const page = window as unknown as TagWindow;
  page.tracks = [];
  const capture = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await capture(constraints);
    page.tracks.push(...stream.getTracks());
    return stream;
  };
}

function ids(page: Page): Promise<Ids> {
  return page.evaluate(() => (window as unknown as TagWindow).element.controller.machine?.ids ?? {});
}

/** Page time now, to read the events that come after it. */
function now(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** The page time the element went reconnecting -> live after `since`, if it did. */
function liveAgainAt(page: Page, since: number): Promise<number | undefined> {
  return page.evaluate((since) => {
    const { events, element } = window as unknown as TagWindow;
    const after = events.filter((e) => e.type === 'janus-state' && e.time >= since);
    const reconnecting = after.findIndex((e) => e.detail['state'] === 'reconnecting');
    const live = after.slice(reconnecting).find((e) => e.detail['state'] === 'live');
    return reconnecting >= 0 && live && element.state === 'live' ? live.time : undefined;
  }, since);
}

/** The `janus-error` codes the element fired. */
function errorCodes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as TagWindow).events
      .filter((e) => e.type === 'janus-error')
      .map((e) => String(e.detail['code'])),
  );
}

function openPublisher(browser: Browser, room: number): Promise<Page> {
  return openLivePublisher(browser, room, { initScript: keepTracks });
}

/** Resolves once Janus no longer knows the session (its handles detached, the session destroyed). */
async function goneFromJanus(session: number | undefined, what: string): Promise<void> {
  assert.ok(session, `${what} had a session`);
  await waitFor(async () => !(await adminSessions()).includes(session), `${what}'s session destroyed`, 10000);
}

describe('faults injected into a live call', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it("Janus hangs up the viewer's PeerConnection: it re-subscribes and frames flow again", async () => {
    const room = await createRoom();
    const publisher = await openPublisher(browser, room);
    const viewer = await openLiveViewer(browser, room);
    const { session, handles = [] } = await ids(viewer);
    const subscriber = handles.at(-1)!;
    const since = await now(viewer);
    await adminHangup(session!, subscriber);
    const liveAt = await waitFor(() => liveAgainAt(viewer, since), 'viewer reconnecting -> live', 15000);
    await waitFor(() => framesRising(viewer), 'frames decoded again');
    console.log(`  viewer: hangup_webrtc -> live again in ${Math.round(liveAt - since)} ms`);
    assert.deepEqual(await errorCodes(viewer), []);
    await Promise.all([viewer.close(), publisher.close()]);
  });

  it("Janus hangs up the publisher's PeerConnection: it re-publishes under the same feed id, viewers see frames again", async () => {
    const room = await createRoom();
    const publisher = await openPublisher(browser, room);
    const viewer = await openLiveViewer(browser, room);
    const feedBefore = await publisher.evaluate(() => (window as unknown as TagWindow).element.feedId);
    const { session, handle } = await ids(publisher);
    const since = await now(publisher);
    await adminHangup(session!, handle!);
    const liveAt = await waitFor(() => liveAgainAt(publisher, since), 'publisher reconnecting -> live', 15000);
    const feedAfter = await publisher.evaluate(() => (window as unknown as TagWindow).element.feedId);
    assert.equal(feedAfter, feedBefore, 'the same feed id');
    await waitFor(() => framesRising(viewer), 'the viewer decoding the re-published feed', 15000);
    console.log(`  publisher: hangup_webrtc -> live again in ${Math.round(liveAt - since)} ms`);
    assert.deepEqual(await errorCodes(publisher), []);
    await Promise.all([viewer.close(), publisher.close()]);
  });

  it('a moderator kicks the publisher: error "kicked", camera and microphone stopped, nothing left on Janus', async () => {
    const room = await createRoom();
    const publisher = await openPublisher(browser, room);
    const feedId = await publisher.evaluate(() => (window as unknown as TagWindow).element.feedId);
    const { session } = await ids(publisher);
    const since = Date.now();
    const reply = await videoroomRequest({ request: 'kick', room, id: feedId });
    assert.equal(reply['videoroom'], 'success', JSON.stringify(reply));
    await waitFor(
      () => publisher.evaluate(() => (window as unknown as TagWindow).element.state === 'error'),
      'publisher in error',
      5000,
    );
    console.log(`  publisher: kick -> error in ${Date.now() - since} ms`);
    assert.deepEqual(await errorCodes(publisher), ['kicked']);
    assert.equal(
      await publisher.evaluate(
        () => (window as unknown as TagWindow).tracks.filter((t) => t.readyState === 'live').length,
      ),
      0,
      'no capture left running',
    );
    await goneFromJanus(session, 'the kicked publisher');
    await publisher.close();
  });

  it('the room is destroyed under a live viewer: error "room-destroyed", nothing left on Janus', async () => {
    const room = await createRoom();
    const publisher = await openPublisher(browser, room);
    const viewer = await openLiveViewer(browser, room);
    const { session } = await ids(viewer);
    const since = Date.now();
    const reply = await videoroomRequest({ request: 'destroy', room });
    assert.equal(reply['videoroom'], 'destroyed', JSON.stringify(reply));
    await waitFor(
      () => viewer.evaluate(() => (window as unknown as TagWindow).element.state === 'error'),
      'viewer in error',
      5000,
    );
    console.log(`  viewer: room destroyed -> error in ${Date.now() - since} ms`);
    assert.deepEqual(await errorCodes(viewer), ['room-destroyed']);
    assert.equal(
      await viewer.evaluate(() => (window as unknown as TagWindow).element.peerConnection),
      undefined,
      'no PeerConnection kept',
    );
    assert.deepEqual(await errorCodes(publisher), ['room-destroyed']);
    await goneFromJanus(session, 'the viewer');
    await Promise.all([viewer.close(), publisher.close()]);
  });

  it('elements removed 0-100 ms after being appended, 20 times, leave no Janus session behind', async () => {
    const room = await createRoom();
    const publisher = await openPublisher(browser, room);
    const before = new Set(await adminSessions());
    const { page } = await openPage(browser, tagPage('div', {}), { initScript: keepTracks });
    await page.evaluate(
      async ({ server, room }) => {
        await customElements.whenDefined('janus-viewer');
        // A fixed sequence of delays (0, 5, 10, ... 95 ms), so every run removes at the same points.
        for (let i = 0; i < 20; i++) {
          const element = document.createElement(i % 2 ? 'janus-publisher' : 'janus-viewer');
          element.setAttribute('server', server);
          element.setAttribute('room', String(room));
          element.setAttribute('autostart', '');
          document.body.append(element);
          await new Promise((resolve) => setTimeout(resolve, i * 5));
          element.remove();
        }
      },
      { server: stack().janus.ws, room },
    );
    await waitFor(
      async () => {
        const sessions = await adminSessions();
        return sessions.filter((s) => !before.has(s)).length === 0;
      },
      'only the sessions from before the appends',
      10000,
    );
    assert.equal(
      await page.evaluate(() => (window as unknown as TagWindow).tracks.filter((t) => t.readyState === 'live').length),
      0,
      'no capture left running',
    );
    const publisherSession = (await ids(publisher)).session!;
    assert.ok((await adminHandles(publisherSession)).length > 0, 'the unrelated publisher is still there');
    await Promise.all([page.close(), publisher.close()]);
  });
});
