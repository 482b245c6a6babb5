// A dropped connection reconnects on its own: <janus-publisher> and <janus-viewer> go
// live -> reconnecting -> live with media flowing again (no reload), <janus-stats> follows its host,
// and nothing is left on Janus afterwards. Two ways to drop: the page's WebSocket is closed while
// Janus stays up, and Janus itself is restarted (a dedicated stack on ports of its own).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../../demo/server/stack.mjs';
import { RECONNECT_DELAYS_MS } from '../../src/core/reconnect.js';
import {
  adminHandles,
  adminSessions,
  createRoom,
  framesRising,
  launchBrowser,
  openLivePublisher,
  openLiveViewer,
  openPage,
  stack,
  tagPage,
  waitFor,
} from './support.js';

interface Widget extends HTMLElement {
  state: string;
  feedId?: number | string;
  peerConnection?: RTCPeerConnection;
  feeds?: Array<{ feedId: number | string }>;
  controller: {
    publisher?: { ids: { session?: number } };
    viewer?: { ids: { session?: number } };
  };
}

/** What test/e2e/pages/tag.html and the init script put on `window` (cast locally: other files type it too). */
interface TestWindow {
  element: Widget;
  stats?: HTMLElement & { sample?: { connection: number; video: { bitrateKbps: number; width?: number } } };
  events: Array<{ type: string; detail: Record<string, unknown>; time: number }>;
  sockets: WebSocket[];
  /** The next socket that sends a message containing this text is closed right after sending it. */
  dropAfter?: string;
  oldPeerConnection?: RTCPeerConnection;
}

/** The page's window as the test sees it; a global function so page.evaluate bodies can call it. */
declare function win(): TestWindow;

/** Keeps every WebSocket the page opens, so the test can drop them (also right after a given request). */
function keepSockets(): void {
  (window as unknown as { win: () => unknown }).win = () => window;
  win().sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      win().sockets.push(this);
    }

    override send(data: Parameters<WebSocket['send']>[0]): void {
      super.send(data);
      const text = win().dropAfter;
      if (text && typeof data === 'string' && data.includes(text)) {
        win().dropAfter = undefined;
        this.close();
      }
    }
  };
}

function openSockets(page: Page): Promise<number> {
  return page.evaluate(() => win().sockets.filter((s) => s.readyState === WebSocket.OPEN).length);
}

/** Closes the page's open sockets (as a network drop would) and returns when, in page time. */
function dropSockets(page: Page): Promise<number> {
  return page.evaluate(() => {
    const open = win().sockets.filter((s) => s.readyState === WebSocket.OPEN);
    if (open.length === 0) throw new Error('no open WebSocket to drop');
    for (const socket of open) socket.close();
    return performance.now();
  });
}

function states(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    win()
      .events.filter((e) => e.type === 'janus-state')
      .map((e) => String(e.detail['state'])),
  );
}

/** Page time at which the element went live again after `since` (after having been reconnecting). */
async function liveAgainAt(page: Page, since: number): Promise<number | undefined> {
  return page.evaluate((since) => {
    const after = win()
      .events.filter((e) => e.type === 'janus-state' && e.time >= since)
      .map((e) => ({ state: e.detail['state'], time: e.time }));
    const reconnecting = after.findIndex((e) => e.state === 'reconnecting');
    if (reconnecting < 0) return undefined;
    const live = after.slice(reconnecting).find((e) => e.state === 'live');
    return live && win().element.state === 'live' ? live.time : undefined;
  }, since);
}

function statsConnection(page: Page): Promise<number | undefined> {
  return page.evaluate(() => win().stats?.sample?.connection);
}

/** A sample of the viewer's <janus-stats> from connection > `connection`, with video flowing. */
function liveStatsAfter(page: Page, connection: number): Promise<boolean> {
  return page.evaluate((connection) => {
    const sample = win().stats?.sample;
    return Boolean(sample && sample.connection > connection && sample.video.bitrateKbps > 0 && sample.video.width);
  }, connection);
}

function sessionOf(page: Page): Promise<number | undefined> {
  return page.evaluate(() => {
    const { controller } = win().element;
    return (controller.publisher ?? controller.viewer)?.ids.session;
  });
}

function openPublisher(browser: Browser, server: string, room: number): Promise<Page> {
  return openLivePublisher(browser, room, { server, initScript: keepSockets });
}

async function openViewer(browser: Browser, server: string, room: number): Promise<Page> {
  const page = await openLiveViewer(browser, room, { server, attributes: { _stats: true }, initScript: keepSockets });
  await waitFor(() => liveStatsAfter(page, 0), 'a live <janus-stats> sample');
  return page;
}

/** Ports nobody listens on now (the dedicated stack checks again before starting). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve) => {
          const server = net.createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

async function janusAdmin(admin: string, secret: string, path: string, body: Record<string, unknown>) {
  const response = await fetch(`${admin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transaction: Math.random().toString(36).slice(2), admin_secret: secret, ...body }),
  });
  return (await response.json()) as { janus: string; sessions?: number[]; handles?: number[] };
}

/** Every session of a Janus and its handles, from its admin API. */
async function janusInventory(janus: { admin: string; adminSecret: string }): Promise<Map<number, number[]>> {
  const { sessions = [] } = await janusAdmin(janus.admin, janus.adminSecret, '', { janus: 'list_sessions' });
  const inventory = new Map<number, number[]>();
  for (const session of sessions) {
    const reply = await janusAdmin(janus.admin, janus.adminSecret, `/${session}`, { janus: 'list_handles' });
    inventory.set(session, reply.handles ?? []);
  }
  return inventory;
}

describe('reconnecting on its own', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('a dropped WebSocket: publisher and viewer go reconnecting -> live, media and stats follow, nothing leaks', async () => {
    const server = stack().janus.ws;
    const room = await createRoom();
    const publisher = await openPublisher(browser, server, room);
    const viewer = await openViewer(browser, server, room);
    const firstFeed = await publisher.evaluate(() => win().element.feedId);
    const oldSessions = [await sessionOf(publisher), await sessionOf(viewer)];

    // The camera is off when the publisher's socket drops: it re-publishes under the same feed id,
    // the viewer follows it, and turning the camera on afterwards brings video back.
    await publisher.evaluate(() => (win().oldPeerConnection = win().element.peerConnection));
    await publisher.evaluate(() => ((win().element as Widget & { cameraOff: boolean }).cameraOff = true));
    await waitFor(
      () =>
        publisher.evaluate(() =>
          win()
            .element.peerConnection?.getSenders()
            .every((s) => !s.track || s.track.kind !== 'video'),
        ),
      'camera released',
    );
    const droppedAt = await dropSockets(publisher);
    const liveAt = await waitFor(() => liveAgainAt(publisher, droppedAt), 'publisher reconnecting -> live', 15000);
    const newFeed = await publisher.evaluate(() => win().element.feedId);
    // Janus drops the old session with its socket, so the feed id is free to be taken again.
    assert.equal(newFeed, firstFeed, 'the same feed id after re-publishing');
    await waitFor(
      () => viewer.evaluate((feed) => win().element.feeds?.some((f) => f.feedId === feed), newFeed),
      'viewer watching the re-published feed',
    );
    await publisher.evaluate(() => ((win().element as Widget & { cameraOff: boolean }).cameraOff = false));
    await waitFor(() => framesRising(viewer), 'viewer decoding the re-published feed once the camera is back on');
    assert.equal(
      await publisher.evaluate(() => win().oldPeerConnection?.signalingState),
      'closed',
      "the publisher's old PeerConnection is closed",
    );
    console.log(`  publisher: socket dropped -> live again in ${Math.round(liveAt - droppedAt)} ms`);

    // The viewer's socket drops: a new subscription (new PeerConnection) decodes again.
    const connectionBefore = (await statsConnection(viewer))!;
    await viewer.evaluate(() => (win().oldPeerConnection = win().element.peerConnection));
    const viewerDroppedAt = await dropSockets(viewer);
    const viewerLiveAt = await waitFor(
      () => liveAgainAt(viewer, viewerDroppedAt),
      'viewer reconnecting -> live',
      15000,
    );
    assert.ok(
      await viewer.evaluate(
        () => Boolean(win().element.peerConnection) && win().element.peerConnection !== win().oldPeerConnection,
      ),
      'a new PeerConnection',
    );
    await waitFor(() => framesRising(viewer), 'frames decoded on the new PeerConnection');
    assert.equal(
      await viewer.evaluate(() => win().oldPeerConnection?.signalingState),
      'closed',
      "the viewer's old PeerConnection is closed",
    );
    await waitFor(() => liveStatsAfter(viewer, connectionBefore), '<janus-stats> showing the new connection');
    console.log(`  viewer: socket dropped -> live again in ${Math.round(viewerLiveAt - viewerDroppedAt)} ms`);
    assert.equal(
      await viewer.evaluate(() => win().events.filter((e) => e.type === 'janus-error').length),
      0,
      'no janus-error on the viewer',
    );
    assert.equal(
      await publisher.evaluate(() => win().events.filter((e) => e.type === 'janus-error').length),
      0,
      'no janus-error on the publisher',
    );

    // Nothing leaks: the dropped sessions are gone, and removing the elements leaves no handle.
    const sessions = [await sessionOf(publisher), await sessionOf(viewer)];
    assert.ok(
      sessions.every((s, i) => s !== undefined && s !== oldSessions[i]),
      'new sessions after the drops',
    );
    for (const session of sessions)
      assert.ok((await adminHandles(session!)).length > 0, `session ${session} has handles while live`);
    await Promise.all([publisher, viewer].map((page) => page.evaluate(() => win().element.remove())));
    await waitFor(async () => {
      const live = await adminSessions();
      return [...oldSessions, ...sessions].every((s) => !live.includes(s!));
    }, 'every session of both pages destroyed');
    for (const session of sessions) assert.deepEqual(await adminHandles(session!), []);
    await publisher.context().close();
    await viewer.context().close();
  });

  it('a tile paused out of view when the socket drops plays again once back in view, on the new subscription', async () => {
    const server = stack().janus.ws;
    const room = await createRoom();
    const publisher = await openPublisher(browser, server, room);
    const viewer = await openLiveViewer(browser, room, {
      server,
      attributes: { style: 'width: 480px', _spacer: 4000 },
      initScript: keepSockets,
    });
    await viewer.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const paused = () =>
      viewer.evaluate(() => win().events.some((e) => e.type === 'janus-quality' && e.detail['quality'] === 'audio'));
    await waitFor(paused, 'janus-quality {audio} out of view');
    const droppedAt = await dropSockets(viewer);
    await waitFor(() => liveAgainAt(viewer, droppedAt), 'viewer reconnecting -> live', 15000);
    // The fresh subscription starts paused (the last choice holds): no first frame can resume it.
    await viewer.evaluate(() => window.scrollTo(0, 0));
    await waitFor(() => framesRising(viewer), 'frames rising on the new subscription back in view', 15000);
    await publisher.context().close();
    await viewer.context().close();
  });

  it('every holder of a shared session reconnects, also when the socket drops again during a join', async () => {
    const server = stack().janus.ws;
    const room = await createRoom();
    const alice = await openPublisher(browser, server, room);
    // One page, one session: a viewer (from the tag page) and a publisher added beside it.
    const { page } = await openPage(browser, tagPage('janus-viewer', { server, room }), { initScript: keepSockets });
    await page.evaluate(
      ({ server, room }) => {
        const publisher = document.createElement('janus-publisher');
        Object.assign(publisher, { id: 'bob' });
        for (const [name, value] of Object.entries({
          server,
          room: String(room),
          display: 'Bob',
          autostart: '',
          'no-controls': '',
          resolution: '640x360',
        })) {
          publisher.setAttribute(name, value);
        }
        document.body.append(publisher);
      },
      { server, room },
    );
    const bobState = () => page.evaluate(() => (document.getElementById('bob') as Widget).state);
    await waitFor(async () => (await bobState()) === 'live', 'page publisher live', 20000);
    await waitFor(
      () => page.evaluate(() => win().element.state === 'live' && win().element.feeds?.length === 2),
      'viewer shows both feeds',
    );
    await waitFor(() => framesRising(page), 'viewer decoding');
    assert.equal(await openSockets(page), 1, 'both elements share one WebSocket');

    // The first join on the new session loses its socket while Janus is answering it.
    await page.evaluate(() => (win().dropAfter = '"request":"join"'));
    const droppedAt = await dropSockets(page);
    await waitFor(
      () => page.evaluate(() => win().dropAfter === undefined),
      'the socket of the next attempt dropped during its join',
    );
    const viewerLiveAt = await waitFor(() => liveAgainAt(page, droppedAt), 'viewer reconnecting -> live', 15000);
    await waitFor(async () => (await bobState()) === 'live', 'page publisher live again', 15000);
    await waitFor(() => page.evaluate(() => win().element.feeds?.length === 2), 'viewer shows both feeds again');
    await waitFor(() => framesRising(page), 'viewer decoding again');
    console.log(`  shared session, dropped twice: viewer live again in ${Math.round(viewerLiveAt - droppedAt)} ms`);
    assert.equal(await openSockets(page), 1, 'still one WebSocket');
    assert.deepEqual(
      await page.evaluate(() =>
        win()
          .events.filter((e) => e.type === 'janus-error')
          .map((e) => e.detail),
      ),
      [],
    );

    const session = (await sessionOf(page))!;
    await page.evaluate(() => {
      win().element.remove();
      document.getElementById('bob')!.remove();
    });
    await waitFor(async () => !(await adminSessions()).includes(session), 'the shared session destroyed');
    await alice.context().close();
    await page.context().close();
  });

  describe('Janus restarts', () => {
    let ports: {
      wsPort: number;
      httpPort: number;
      adminPort: number;
      turnPort: number;
      turnRestPort: number;
      turnRelayRange: string;
      turnRestRelayRange: string;
    };
    let dedicated: Stack | undefined;

    before(async () => {
      const [wsPort, httpPort, adminPort, turnPort, turnRestPort] = await freePorts(5);
      // TURN relay ports are not used by these tests (no ice servers); any range apart from the main stack's.
      const base = 52000 + Math.floor(Math.random() * 100) * 80;
      ports = {
        wsPort: wsPort!,
        httpPort: httpPort!,
        adminPort: adminPort!,
        turnPort: turnPort!,
        turnRestPort: turnRestPort!,
        turnRelayRange: `${base}-${base + 39}`,
        turnRestRelayRange: `${base + 40}-${base + 79}`,
      };
      dedicated = await startStack(ports);
    });

    after(async () => {
      await dedicated?.stop();
    });

    it('publisher and viewer come back live on the restarted Janus, within the backoff schedule', async () => {
      // Rooms created at run time die with Janus: use one from the Janus config.
      const room = 1234;
      const server = dedicated!.janus.ws;
      const publisher = await openPublisher(browser, server, room);
      const viewer = await openViewer(browser, server, room);
      const connectionBefore = (await statsConnection(viewer))!;
      const [publisherSince, viewerSince] = await Promise.all(
        [publisher, viewer].map((page) => page.evaluate(() => performance.now())),
      );

      const stoppedAt = Date.now();
      await dedicated!.stop();
      await waitFor(
        async () => (await states(publisher)).at(-1) === 'reconnecting',
        'publisher reconnecting while Janus is down',
      );
      await waitFor(
        async () => (await states(viewer)).at(-1) === 'reconnecting',
        'viewer reconnecting while Janus is down',
      );
      dedicated = await startStack(ports);
      const upAt = Date.now();

      // After Janus is back, the next attempt comes at most one (jittered) backoff step later.
      const withinSchedule = Math.max(...RECONNECT_DELAYS_MS) * 1.2 + 6000;
      await waitFor(() => liveAgainAt(publisher, publisherSince), 'publisher live again', withinSchedule);
      const publisherLive = Date.now();
      await waitFor(() => liveAgainAt(viewer, viewerSince), 'viewer live again', withinSchedule);
      const viewerLive = Date.now();
      await waitFor(() => framesRising(viewer), 'viewer decoding again');
      await waitFor(() => liveStatsAfter(viewer, connectionBefore), '<janus-stats> showing the new connection');
      console.log(
        `  Janus restart: down ${upAt - stoppedAt} ms; publisher live ${publisherLive - upAt} ms and viewer live ${viewerLive - upAt} ms after it was back`,
      );
      for (const page of [publisher, viewer]) {
        assert.deepEqual(
          await page.evaluate(() =>
            win()
              .events.filter((e) => e.type === 'janus-error')
              .map((e) => e.detail),
          ),
          [],
          'no janus-error',
        );
      }

      const janus = dedicated!.janus;
      const sessions = [await sessionOf(publisher), await sessionOf(viewer)];
      const inventory = await janusInventory(janus);
      for (const session of sessions)
        assert.ok((inventory.get(session!) ?? []).length > 0, `session ${session} has handles while live`);
      await Promise.all([publisher, viewer].map((page) => page.evaluate(() => win().element.remove())));
      await waitFor(
        async () => (await janusInventory(janus)).size === 0,
        'no session (so no handle) left on the restarted Janus',
      );
      await publisher.context().close();
      await viewer.context().close();
    });
  });
});
