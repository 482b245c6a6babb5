// <janus-viewer> against the real Janus started by test/run.mjs: properties, events, errors, cleanup,
// accessibility. Publishing happens through the core publisher in the same page (Chromium's fake camera).
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import { CONTROLS_WAIT_MS, type JanusViewer } from '../../src/components/janus-viewer/janus-viewer.js';
import { captureMedia, stopStream } from '../../src/core/media.js';
import { VideoRoomPublisher } from '../../src/core/publisher.js';
import { pooledSessionCount } from '../../src/core/session.js';
import { createRoom, reloadsOnRender, sessionHandles, stackInfo, until } from './stack.js';

type Attributes = Record<string, string | boolean>;

const container = document.createElement('div');
container.style.width = '480px';
document.body.append(container);
const cleanups: Array<() => Promise<void> | void> = [];

function mount(attributes: Attributes): { el: JanusViewer; events: CustomEvent[]; of(type: string): CustomEvent[] } {
  const el = document.createElement('janus-viewer');
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) el.setAttribute(name, '');
    else if (value !== false) el.setAttribute(name, value);
  }
  const events: CustomEvent[] = [];
  for (const type of [
    'janus-state',
    'janus-error',
    'janus-feed-added',
    'janus-feed-removed',
    'janus-playing',
    'janus-quality',
  ]) {
    el.addEventListener(type, (event) => events.push(event as CustomEvent));
  }
  container.append(el);
  cleanups.push(() => el.remove());
  return { el, events, of: (type) => events.filter((event) => event.type === type) };
}

async function publish(
  room: number,
  display: string,
  video: 'camera' | 'none' = 'camera',
): Promise<VideoRoomPublisher> {
  const { janus } = await stackInfo();
  const { stream } = await captureMedia({ video, audio: 'microphone', width: 640, height: 360 });
  const publisher = new VideoRoomPublisher({ servers: [janus.ws], iceServers: [], room, display, simulcast: false });
  cleanups.push(async () => {
    await publisher.dispose();
    stopStream(stream);
  });
  await publisher.publish(stream);
  return publisher;
}

async function roomAttributes(extra: Attributes = {}): Promise<Attributes & { room: string }> {
  const { janus } = await stackInfo();
  return { server: janus.ws, room: String(await createRoom()), ...extra };
}

function part(el: JanusViewer, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}

async function expectError(el: JanusViewer, events: CustomEvent[], code: string): Promise<void> {
  await until(() => el.state === 'error', `state error (${code})`);
  const errors = events.filter((e) => e.type === 'janus-error');
  expect(errors).to.have.length(1);
  expect(errors[0]!.detail.code).to.equal(code);
  expect(el.error?.code).to.equal(code);
  expect(el.matches(':state(error)')).to.equal(true);
  await el.updateComplete;
  expect(part(el, 'error')?.textContent?.trim()).to.equal(el.error?.message);
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('<janus-viewer>', () => {
  describe('properties and states', () => {
    it('reflects state as an attribute and a custom state, and waits when nobody publishes', async () => {
      const { el, of } = mount(await roomAttributes());
      await until(() => el.state === 'waiting', 'state waiting');
      expect(el.getAttribute('state')).to.equal('waiting');
      expect(el.matches(':state(waiting)')).to.equal(true);
      expect(of('janus-state').map((e) => e.detail.state)).to.deep.equal(['connecting', 'waiting']);
      await el.updateComplete;
      expect(part(el, 'placeholder')).to.not.equal(null);
      await expect(el).to.be.accessible();
    });

    it('takes properties set from script right after it was added to the page', async () => {
      const { janus } = await stackInfo();
      const room = await createRoom();
      const { el, of } = mount({});
      el.server = janus.ws;
      el.room = String(room);
      await until(() => el.state === 'waiting', 'state waiting');
      expect(of('janus-error')).to.have.length(0);
    });

    it('goes live when a publisher starts and shows its name as text', async () => {
      const attributes = await roomAttributes();
      const { el, of } = mount(attributes);
      await until(() => el.state === 'waiting', 'state waiting');
      const name = '<img src=x onerror=alert(1)> Bob';
      await publish(Number(attributes.room), name);
      await until(() => el.state === 'live', 'state live');
      await until(() => of('janus-playing').length === 1, 'janus-playing');
      await el.updateComplete;
      expect(part(el, 'name')?.textContent).to.equal(name);
      expect(el.shadowRoot!.querySelector('img')).to.equal(null);
      expect(of('janus-feed-added')[0]!.detail.display).to.equal(name);
      await expect(el).to.be.accessible();
    });

    it('shows its control bar with the first frame, not before: the first render stays light', async () => {
      const attributes = await roomAttributes();
      await publish(Number(attributes.room), 'Ann');
      const { el, of } = mount(attributes);
      let controlsWhenLive: boolean | undefined;
      el.addEventListener('janus-state', (event) => {
        if ((event as CustomEvent).detail.state === 'live') controlsWhenLive = Boolean(part(el, 'controls'));
      });
      await until(() => of('janus-playing').length === 1, 'janus-playing');
      expect(controlsWhenLive, 'no control bar while the first frame was on its way').to.equal(false);
      expect(Boolean(part(el, 'tile')), 'the tile was there before its first frame').to.equal(true);
      await el.updateComplete;
      expect(part(el, 'controls')?.getAttribute('role')).to.equal('toolbar');
      await expect(el).to.be.accessible();
    });

    it('renders leave a playing tile alone: its video is not reloaded, and keeps playing', async () => {
      const attributes = await roomAttributes();
      await publish(Number(attributes.room), 'Ann');
      const { el, of } = mount(attributes);
      await until(() => of('janus-playing').length === 1, 'janus-playing');
      const video = part(el, 'video') as HTMLVideoElement;
      const reloads = await reloadsOnRender(el, video);
      expect(reloads, 'loadstart events on the tile while it re-rendered').to.equal(0);
      expect(video.paused).to.equal(false);
      expect(video.readyState).to.be.at.least(HTMLMediaElement.HAVE_CURRENT_DATA);
    });

    it(`shows its control bar at once when no video is coming, and ${CONTROLS_WAIT_MS} ms after going live without a frame`, async () => {
      const attributes = await roomAttributes();
      const { el } = mount(attributes);
      await until(() => el.state === 'waiting', 'state waiting');
      await el.updateComplete;
      expect(Boolean(part(el, 'controls')), 'waiting: controls at once').to.equal(true);

      // Published before the viewer comes: it goes from connecting straight to live.
      const radio = await roomAttributes();
      await publish(Number(radio.room), 'Radio', 'none');
      const audioOnly = mount(radio);
      await until(() => audioOnly.el.state === 'live', 'audio-only viewer live');
      const live = performance.now();
      await audioOnly.el.updateComplete;
      expect(Boolean(part(audioOnly.el, 'controls')), 'live, no frame yet').to.equal(false);
      await until(() => part(audioOnly.el, 'controls') ?? undefined, 'controls of the audio-only viewer', 3000);
      expect(performance.now() - live).to.be.at.least(CONTROLS_WAIT_MS - 100);
      expect(audioOnly.of('janus-playing')).to.have.length(0);
    });

    it('is accessible while connecting, uses overridable strings, and is closed once removed', async () => {
      const { el } = mount({ ...(await roomAttributes()) });
      el.strings = { connecting: 'Verbinden…', waiting: 'Warten…' };
      await el.updateComplete;
      expect(el.state).to.equal('connecting');
      // Its first connection renders nothing at first (startup.test.ts shows "Connecting…" after it).
      await expect(el).to.be.accessible();
      await until(() => el.state === 'waiting', 'state waiting');
      await el.updateComplete;
      expect(part(el, 'status')!.textContent).to.equal('Warten…');
      el.remove();
      expect(el.state).to.equal('closed');
      expect(el.matches(':state(closed)')).to.equal(true);
    });

    // Chromium 156 here lets a MediaStream with sound autoplay even under --autoplay-policy=
    // user-gesture-required, so the refusal is produced the way the browser reports it: play()
    // rejecting with NotAllowedError unless muted.
    it('plays muted with an unmute button when the browser refuses sound, and never fails', async () => {
      const attributes = await roomAttributes();
      await publish(Number(attributes.room), 'Alice');
      const realPlay = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        return this.muted
          ? realPlay.call(this)
          : Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));
      };
      cleanups.push(() => {
        HTMLMediaElement.prototype.play = realPlay;
      });
      const { el, of } = mount(attributes);
      await until(() => el.muted, 'muted after the refusal');
      await el.updateComplete;
      const video = el.shadowRoot!.querySelector('video')!;
      // paused turns false as soon as play() is called, which can be before the connection is up.
      await until(() => video.muted && !video.paused, 'playing muted');
      await until(() => el.state === 'live' && video.videoWidth > 0, 'live, with frames while muted');
      expect(el.hasAttribute('muted')).to.equal(true);
      expect(of('janus-error')).to.have.length(0);
      await expect(el).to.be.accessible();
      HTMLMediaElement.prototype.play = realPlay;
      part(el, 'unmute-button')!.click();
      await el.updateComplete;
      expect(video.muted).to.equal(false);
      expect(part(el, 'unmute-button')).to.equal(null);
    });

    it('watches only the publisher named by display', async () => {
      const attributes = await roomAttributes();
      await publish(Number(attributes.room), 'Alice');
      const bob = await publish(Number(attributes.room), 'Bob');
      const { el } = mount({ ...attributes, display: 'Bob' });
      await until(() => el.state === 'live', 'state live');
      expect(el.feeds.map((f) => f.feedId)).to.deep.equal([bob.feedId]);
    });

    it('watches only the publisher given by feed, with its display name', async () => {
      const attributes = await roomAttributes();
      await publish(Number(attributes.room), 'Alice');
      const bob = await publish(Number(attributes.room), 'Bob');
      const { el, of } = mount({ ...attributes, feed: String(bob.feedId) });
      await until(() => el.state === 'live', 'state live');
      expect(el.feeds.map((f) => f.feedId)).to.deep.equal([bob.feedId]);
      expect(of('janus-feed-added').map((e) => e.detail.display)).to.deep.equal(['Bob']);
      await until(() => of('janus-playing').length === 1, 'janus-playing');
    });

    it('waits for a feed that does not exist yet instead of failing', async () => {
      const attributes = await roomAttributes({ feed: '123456789' });
      const { el, of } = mount(attributes);
      await until(() => el.state === 'waiting', 'state waiting');
      expect(of('janus-error')).to.have.length(0);
    });

    it('caps the grid with max-feeds', async () => {
      const attributes = await roomAttributes({ 'max-feeds': '1' });
      await publish(Number(attributes.room), 'Alice');
      await publish(Number(attributes.room), 'Bob');
      const { el } = mount(attributes);
      await until(() => el.state === 'live', 'state live');
      await el.updateComplete;
      expect(el.shadowRoot!.querySelectorAll('[part~="tile"]')).to.have.length(1);
    });
  });

  describe('errors', () => {
    it('invalid-config: missing server', async () => {
      const { el, events } = mount({ room: '1234' });
      await expectError(el, events, 'invalid-config');
      expect(el.error!.message).to.contain('server');
    });

    it('invalid-config: bad room', async () => {
      const { el, events } = mount({ server: 'ws://127.0.0.1:1', room: 'not a room!' });
      await expectError(el, events, 'invalid-config');
      expect(el.error!.message).to.contain('room');
    });

    it('invalid-config: malformed ice-servers JSON', async () => {
      const { el, events } = mount({ server: 'ws://127.0.0.1:1', room: '1', 'ice-servers': '[{urls:' });
      await expectError(el, events, 'invalid-config');
      expect(el.error!.message).to.contain('ice-servers');
    });

    it('invalid-config: bad quality', async () => {
      const { el, events } = mount({ server: 'ws://127.0.0.1:1', room: '1', quality: 'ultra' });
      await expectError(el, events, 'invalid-config');
      expect(el.error!.message).to.contain('quality');
    });

    it('server-unreachable: nothing listens on the port', async () => {
      const { el, events } = mount({ server: 'ws://127.0.0.1:1', room: '1234' });
      await expectError(el, events, 'server-unreachable');
    });

    it('room-not-found: unknown room (Janus 426)', async () => {
      const { janus } = await stackInfo();
      const { el, events } = mount({ server: janus.ws, room: '987654321' });
      await expectError(el, events, 'room-not-found');
      expect(el.error!.janusCode).to.equal(426);
    });

    it('unauthorized: wrong PIN (Janus 433)', async () => {
      const { janus } = await stackInfo();
      const room = await createRoom({ pin: '2468' });
      const { el, events } = mount({ server: janus.ws, room: String(room), pin: '0000' });
      await expectError(el, events, 'unauthorized');
      expect(el.error!.janusCode).to.equal(433);
      await expect(el).to.be.accessible();
    });

    it('ice-failed: relay-only through a TURN server that does not exist', async () => {
      const attributes = await roomAttributes({
        'ice-transport-policy': 'relay',
        'ice-servers': JSON.stringify([{ urls: 'turn:127.0.0.1:9?transport=udp', username: 'x', credential: 'y' }]),
      });
      await publish(Number(attributes.room), 'Alice');
      const { el, events } = mount(attributes);
      await until(() => el.state === 'error', 'state error', 25000);
      expect(events.filter((e) => e.type === 'janus-error').map((e) => e.detail.code)).to.deep.equal(['ice-failed']);
    }).timeout(30000);
  });

  describe('cleanup', () => {
    it('removal closes the PeerConnection, detaches the handles and releases the session', async () => {
      const attributes = await roomAttributes();
      await publish(Number(attributes.room), 'Alice');
      const before = pooledSessionCount();
      const { el } = mount(attributes);
      await until(() => el.state === 'live', 'state live');
      const pc = el.peerConnection!;
      const ids = (el as unknown as { controller: { viewer: { ids: { session: number; handles: string[] } } } })
        .controller.viewer.ids;
      expect(ids.handles).to.have.length(2);
      expect(await sessionHandles(ids.session)).to.have.length.greaterThan(1);
      el.remove();
      await until(() => pc.connectionState === 'closed', 'PeerConnection closed');
      expect(el.state).to.equal('closed');
      await until(async () => {
        const handles = await sessionHandles(ids.session);
        // The publisher of this test shares the session; only its own handle may remain.
        return handles.every((h) => !ids.handles.includes(String(h)));
      }, 'viewer handles detached');
      expect(pooledSessionCount()).to.equal(before);
    });
  });
});
