// The elements against a scripted fake Janus (test/fake-janus.mjs, started through the wtr plugin):
// requests that are never answered, malformed messages and floods a real Janus will not produce.
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { JanusPublisher } from '../../src/components/janus-publisher/janus-publisher.js';
import type { JanusViewer } from '../../src/components/janus-viewer/janus-viewer.js';
import { setJanusTimeouts } from '../../src/core/janus.js';
import { fakeJanus, stopFakeJanuses, until } from './stack.js';

interface FakeLog {
  sockets: { opened: number; open: number };
  created: number[];
  destroyed: number[];
  reclaimed: number[];
  requests: Array<{ body: Record<string, unknown>; at: number }>;
  keepalives: number;
  malformedSent: number;
  floodSent: number;
}

/** The short request timeout these tests run with, instead of 10 s. */
const REQUEST_MS = 500;
const DESTROY_MS = 300;

async function fakeLog(id: number): Promise<FakeLog> {
  return (await (await fetch(`/__fake-janus/log?id=${id}`)).json()) as FakeLog;
}

type Widget = (JanusViewer | JanusPublisher) & { state: string; error?: { code: string } | undefined };

function mount<T extends Widget>(tag: string, url: string, attributes: Record<string, string> = {}) {
  const el = document.createElement(tag) as T;
  const states: Array<{ state: string; at: number }> = [];
  el.addEventListener('janus-state', (event) =>
    states.push({ state: (event as CustomEvent<{ state: string }>).detail.state, at: performance.now() }),
  );
  for (const [name, value] of Object.entries({ server: url, room: '1234', ...attributes }))
    el.setAttribute(name, value);
  document.body.append(el);
  return { el, states };
}

/** How long the element was `connecting` (from entering it to leaving it). */
function connectingFor(states: Array<{ state: string; at: number }>): number {
  const start = states.find((s) => s.state === 'connecting');
  const end = states.find((s) => start && s.at >= start.at && s.state !== 'connecting' && s !== start);
  if (!start || !end) return Number.POSITIVE_INFINITY;
  return end.at - start.at;
}

/**
 * After removal, every socket is closed and every session the fake server created was destroyed
 * (or, with `lostSockets`, went with a socket the client dropped as dead, as Janus reclaims those).
 */
async function expectNothingLeft(id: number, lostSockets = false): Promise<void> {
  const log = await until(
    async () => {
      const current = await fakeLog(id);
      const gone = current.destroyed.length + (lostSockets ? current.reclaimed.length : 0);
      return current.sockets.open === 0 && gone >= current.created.length ? current : undefined;
    },
    'every session destroyed and every socket closed',
    5000,
  );
  expect(log.created.length).to.be.greaterThan(0);
  const gone = lostSockets ? [...log.destroyed, ...log.reclaimed] : log.destroyed;
  expect([...gone].sort()).to.deep.equal([...log.created].sort());
}

describe('against a fake Janus', () => {
  const failures: unknown[] = [];
  const onError = (event: ErrorEvent) => failures.push(event.error ?? event.message);
  const onRejection = (event: PromiseRejectionEvent) => failures.push(event.reason);
  let restore: () => void;

  beforeEach(() => {
    failures.length = 0;
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    restore = setJanusTimeouts({ request: REQUEST_MS, destroy: DESTROY_MS });
  });

  afterEach(async () => {
    for (const el of document.body.querySelectorAll('janus-viewer, janus-publisher')) el.remove();
    restore();
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
    await stopFakeJanuses();
  });

  describe('requests never answered', () => {
    it('<janus-viewer>: an unanswered join ends in request-timeout, not in endless connecting', async () => {
      const fake = await fakeJanus('never-answer-join');
      const { el, states } = mount<JanusViewer>('janus-viewer', fake.url);
      await until(() => el.state === 'error', 'error', REQUEST_MS + 5000);
      expect(el.error?.code).to.equal('request-timeout');
      // Connect + attach on a local socket take a few ms; the rest is the timeout.
      expect(connectingFor(states)).to.be.within(REQUEST_MS - 50, REQUEST_MS + 2000);
      el.remove();
      await expectNothingLeft(fake.id);
      expect(failures).to.deep.equal([]);
    });

    it('<janus-viewer>: an unanswered attach ends in request-timeout', async () => {
      const fake = await fakeJanus('never-answer-attach');
      const { el, states } = mount<JanusViewer>('janus-viewer', fake.url);
      await until(() => el.state === 'error', 'error', REQUEST_MS + 5000);
      expect(el.error?.code).to.equal('request-timeout');
      expect(connectingFor(states)).to.be.below(REQUEST_MS + 2000);
      el.remove();
      await expectNothingLeft(fake.id);
      expect(failures).to.deep.equal([]);
    });

    it('<janus-publisher>: an unanswered joinandconfigure ends in request-timeout', async () => {
      const fake = await fakeJanus('never-answer-joinandconfigure');
      const { el, states } = mount<JanusPublisher>('janus-publisher', fake.url, {
        autostart: '',
        resolution: '640x360',
      });
      await until(() => el.state === 'error', 'error', REQUEST_MS + 10000);
      expect(el.error?.code).to.equal('request-timeout');
      // Capture and createOffer come first (about a second with the fake camera), then the timeout.
      expect(connectingFor(states)).to.be.below(REQUEST_MS + 5000);
      el.remove();
      await expectNothingLeft(fake.id);
      expect(failures).to.deep.equal([]);
    });

    it('removal finishes even when Janus never answers destroy: the socket is closed anyway', async () => {
      const fake = await fakeJanus('never-answer-destroy');
      const { el } = mount<JanusViewer>('janus-viewer', fake.url);
      await until(() => el.state === 'waiting', 'waiting');
      el.remove();
      const log = await until(
        async () => ((await fakeLog(fake.id)).sockets.open === 0 ? fakeLog(fake.id) : undefined),
        'the socket closed after the destroy timeout',
        DESTROY_MS + 3000,
      );
      expect(log.sockets.opened).to.equal(1);
      expect(failures).to.deep.equal([]);
    });

    it('an unacknowledged keepalive counts as a lost session: the viewer reconnects instead of hanging', async () => {
      const restoreKeepalive = setJanusTimeouts({ keepalivePeriod: 200, keepaliveTimeout: 300 });
      try {
        const fake = await fakeJanus('never-answer-keepalive');
        const { el, states } = mount<JanusViewer>('janus-viewer', fake.url);
        await until(() => el.state === 'waiting', 'waiting');
        await until(() => states.some((s) => s.state === 'reconnecting'), 'reconnecting', 3000);
        expect(el.error).to.equal(undefined);
        await until(async () => (await fakeLog(fake.id)).sockets.opened >= 2, 'a new socket', 5000);
        el.remove();
        await expectNothingLeft(fake.id, true);
        expect(failures).to.deep.equal([]);
      } finally {
        restoreKeepalive();
      }
    });
  });

  describe('the first subscription', () => {
    it('goes out on listparticipants, before the room join is answered', async () => {
      const fake = await fakeJanus('listed,slow-lobby');
      const { el } = mount<JanusViewer>('janus-viewer', fake.url);
      await until(() => el.state === 'waiting', 'waiting (feed 77 is gone when subscribed to)', 5000);
      const { requests } = await fakeLog(fake.id);
      const lobbyJoin = requests.find((r) => r.body['request'] === 'join' && r.body['ptype'] === 'publisher')!;
      const subscribe = requests.find((r) => r.body['request'] === 'join' && r.body['ptype'] === 'subscriber')!;
      expect(subscribe.body['streams']).to.deep.equal([{ feed: 77, substream: 0 }]);
      // The fake answers the room join 300 ms after it came.
      expect(subscribe.at - lobbyJoin.at).to.be.below(250);
      el.remove();
      await expectNothingLeft(fake.id);
      expect(failures).to.deep.equal([]);
    });

    it('a join refused before the listparticipants next to it is answered fails at once, as refused', async () => {
      const fake = await fakeJanus('wrong-pin,slow-listing');
      const { el, states } = mount<JanusViewer>('janus-viewer', fake.url, { pin: 'wrong' });
      await until(() => el.state === 'error', 'error', 5000);
      expect(el.error?.code).to.equal('unauthorized');
      expect(connectingFor(states)).to.be.below(REQUEST_MS);
      await expectNothingLeft(fake.id);
      el.remove();
      expect(failures).to.deep.equal([]);
    });

    it('an unanswered listparticipants holds nothing up: the join answers, the viewer waits at once', async () => {
      const fake = await fakeJanus('never-answer-listparticipants');
      const { el, states } = mount<JanusViewer>('janus-viewer', fake.url);
      await until(() => el.state === 'waiting', 'waiting', 5000);
      expect(connectingFor(states)).to.be.below(REQUEST_MS);
      el.remove();
      await expectNothingLeft(fake.id);
      expect(failures).to.deep.equal([]);
    });
  });

  describe('hostile servers', () => {
    it('<janus-viewer> survives malformed messages and garbage frames, and stays usable', async () => {
      const fake = await fakeJanus('malformed');
      const { el } = mount<JanusViewer>('janus-viewer', fake.url);
      await until(() => el.state === 'waiting', 'waiting');
      // The last malformed frame announces a real publisher (with a non-string display): the viewer
      // subscribing to it shows that every frame before it was read and survived.
      await until(
        async () =>
          (await fakeLog(fake.id)).requests.some(
            (r) => r.body['ptype'] === 'subscriber' && JSON.stringify(r.body['streams']).includes('4242'),
          ),
        'the viewer subscribing to the publisher announced last',
        5000,
      );
      expect(failures).to.deep.equal([]);
      expect(el.state).to.equal('waiting');
      expect(el.error).to.equal(undefined);
      await el.reconnect();
      await until(() => el.state === 'waiting', 'waiting after reconnect()');
      el.remove();
      await expectNothingLeft(fake.id);
      expect(failures).to.deep.equal([]);
    });

    it('<janus-viewer> survives a flood of 10,000 publisher events in a second, and stays usable', async () => {
      const fake = await fakeJanus('flood');
      const { el } = mount<JanusViewer>('janus-viewer', fake.url);
      await until(() => el.state === 'waiting', 'waiting');
      await until(async () => (await fakeLog(fake.id)).floodSent === 10_000, 'the whole flood sent', 10000);
      // The page still answers while the events are worked through.
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(performance.now() - started).to.be.below(2000);
      expect(failures).to.deep.equal([]);
      expect(['waiting', 'live']).to.include(el.state);
      expect(el.error).to.equal(undefined);
      await el.reconnect();
      await until(() => el.state === 'waiting', 'waiting after reconnect()', 10000);
      el.remove();
      await expectNothingLeft(fake.id);
      expect(failures).to.deep.equal([]);
    });
  });
});
