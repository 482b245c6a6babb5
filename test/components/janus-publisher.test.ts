// <janus-publisher> against the real Janus started by test/run.mjs, in Chromium with fake devices.
// Only the browser's media failures are simulated (getUserMedia/getDisplayMedia replaced for one
// test by a function rejecting with the real DOMException name); everything Janus does is real.
import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { JanusPublisher } from '../../src/components/janus-publisher/janus-publisher.js';
import type { JanusErrorDetail } from '../../src/components/shared/events.js';
import { pooledSessionCount } from '../../src/core/session.js';
import { createRoom, participants, reloadsOnRender, sessionHandles, stackInfo, until } from './stack.js';

type Attributes = Record<string, string | boolean>;

interface Mounted {
  el: JanusPublisher;
  events: CustomEvent[];
  of(type: string): CustomEvent[];
  states(): string[];
}

const mounted: JanusPublisher[] = [];
const container = document.createElement('div');
container.style.width = '480px';
document.body.append(container);

/** Creates the tag with its attributes, records every janus-* event from the start, then connects it. */
function mount(attributes: Attributes, properties: Partial<JanusPublisher> = {}): Mounted {
  const el = document.createElement('janus-publisher');
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) el.setAttribute(name, '');
    else if (value !== false) el.setAttribute(name, value);
  }
  Object.assign(el, properties);
  const events: CustomEvent[] = [];
  for (const type of ['janus-state', 'janus-error', 'janus-published', 'janus-unpublished', 'janus-device-change']) {
    el.addEventListener(type, (event) => events.push(event as CustomEvent));
  }
  container.append(el);
  mounted.push(el);
  return {
    el,
    events,
    of: (type) => events.filter((event) => event.type === type),
    states: () => events.filter((event) => event.type === 'janus-state').map((event) => event.detail.state as string),
  };
}

async function serverAttributes(extra: Attributes = {}): Promise<Attributes> {
  const { janus } = await stackInfo();
  return { server: janus.ws, room: String(await createRoom()), ...extra };
}

function part(el: JanusPublisher, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}

/** The Janus session of the element's publisher (through its controller, for the admin API). */
function janusIds(el: JanusPublisher): { session?: number | undefined; handle?: string | undefined } {
  return (
    (el as unknown as { controller: { publisher?: { ids: { session?: number; handle?: string } } } }).controller
      .publisher?.ids ?? {}
  );
}

// Every track any capture produced, so tests can prove nothing is left running.
const captured: MediaStreamTrack[] = [];
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
const realGetDisplayMedia = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
function record(capture: (c?: MediaStreamConstraints) => Promise<MediaStream>) {
  return async (constraints?: MediaStreamConstraints) => {
    const stream = await capture(constraints);
    captured.push(...stream.getTracks());
    return stream;
  };
}
function restoreMedia(): void {
  navigator.mediaDevices.getUserMedia = record(realGetUserMedia);
  navigator.mediaDevices.getDisplayMedia = record(realGetDisplayMedia);
}
/** Makes getUserMedia reject like the browser does (optionally only when video is requested). */
function failUserMedia(name: string, onlyVideo = false): void {
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (onlyVideo && !constraints?.video) return record(realGetUserMedia)(constraints);
    throw new DOMException(`simulated ${name}`, name);
  };
}

const unhandled: unknown[] = [];
window.addEventListener('unhandledrejection', (event) => unhandled.push(event.reason));

function liveTracks(): MediaStreamTrack[] {
  return captured.filter((track) => track.readyState === 'live');
}

/** The common proof for every failure: state, code, one event, UI message, nothing running. */
async function expectFailure(m: Mounted, code: string, janusCode?: number): Promise<JanusErrorDetail> {
  await until(() => m.el.state === 'error', `state error (${code})`);
  await m.el.updateComplete;
  expect(m.el.error?.code).to.equal(code);
  if (janusCode !== undefined) expect(m.el.error?.janusCode).to.equal(janusCode);
  expect(m.of('janus-error')).to.have.length(1, 'exactly one janus-error');
  expect(m.of('janus-error')[0]!.detail).to.deep.equal(m.el.error);
  expect(m.el.getAttribute('state')).to.equal('error');
  expect(m.el.matches(':state(error)')).to.equal(true);
  expect(part(m.el, 'error')?.textContent?.trim()).to.equal(m.el.error!.message);
  expect(m.el.error!.message.length).to.be.greaterThan(10);
  expect(m.el.stream).to.equal(undefined);
  await until(() => liveTracks().length === 0, 'every captured track stopped');
  await until(() => pooledSessionCount() === 0, 'the Janus session released');
  expect(unhandled).to.deep.equal([]);
  return m.el.error!;
}

describe('<janus-publisher>', function () {
  this.timeout(30000);

  beforeEach(() => {
    restoreMedia();
    captured.length = 0;
    unhandled.length = 0;
  });

  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    restoreMedia();
    await until(() => liveTracks().length === 0, 'tracks stopped after the test');
    await until(() => pooledSessionCount() === 0, 'sessions released after the test');
    expect(unhandled).to.deep.equal([], 'no unhandled rejection');
  });

  describe('properties', () => {
    it('has the documented defaults: camera + microphone, 1280x720, vp8, simulcast on', async () => {
      const { el } = mount(await serverAttributes());
      await el.updateComplete;
      expect(el.state).to.equal('idle');
      expect(el.getAttribute('state')).to.equal('idle');
      expect(el.matches(':state(idle)')).to.equal(true);
      const settings = el.publisherSettings();
      expect(settings.capture).to.include({
        video: 'camera',
        audio: 'microphone',
        width: 1280,
        height: 720,
        frameRate: 30,
      });
      expect(settings.videoCodec).to.equal('vp8');
      expect(settings.simulcast).to.equal(true);
      el.noSimulcast = true;
      expect(el.publisherSettings().simulcast).to.equal(false);
      el.noSimulcast = false;
      el.video = 'screen';
      expect(el.publisherSettings().simulcast).to.equal(false, 'no simulcast for screen content');
    });

    it('without autostart: a mirrored, muted 1280x720 preview and a "Go live" button, no Janus session', async () => {
      const { el } = mount(await serverAttributes());
      await until(() => el.stream?.getVideoTracks()[0], 'the preview stream');
      await el.updateComplete;
      const video = part(el, 'video') as HTMLVideoElement;
      expect(video.srcObject).to.equal(el.stream);
      expect(video.muted).to.equal(true);
      expect(video.classList.contains('mirrored')).to.equal(true);
      expect(el.stream!.getVideoTracks()[0]!.getSettings()).to.include({ width: 1280, height: 720 });
      expect(el.stream!.getAudioTracks()).to.have.length(1);
      expect(part(el, 'live-button')!.textContent!.trim()).to.equal('Go live');
      expect(part(el, 'status')!.textContent!.trim()).to.equal('Preview');
      expect(pooledSessionCount()).to.equal(0);
      expect(el.state).to.equal('idle');
    });

    it('renders leave the preview alone: its video is not reloaded, and keeps playing', async () => {
      const { el } = mount(await serverAttributes());
      await until(() => el.stream?.getVideoTracks()[0], 'the preview stream');
      await el.updateComplete;
      const video = part(el, 'video') as HTMLVideoElement;
      await until(() => !video.paused && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA, 'the preview plays');
      const reloads = await reloadsOnRender(el, video);
      expect(reloads, 'loadstart events on the preview while it re-rendered').to.equal(0);
      expect(video.paused).to.equal(false);
    });

    it('facing-mode="environment" is not mirrored; resolution and frame-rate reach the capture', async () => {
      const { el } = mount(
        await serverAttributes({ 'facing-mode': 'environment', resolution: '640x360', 'frame-rate': '15' }),
      );
      await until(() => el.stream?.getVideoTracks()[0], 'the preview stream');
      await el.updateComplete;
      expect(part(el, 'video')!.classList.contains('mirrored')).to.equal(false);
      expect(el.stream!.getVideoTracks()[0]!.getSettings()).to.include({ width: 640, height: 360, frameRate: 15 });
    });

    it('strings are overridable; no-controls hides the bar; a controls slot replaces it', async () => {
      const { el } = mount(await serverAttributes(), { strings: { goLive: 'Auf Sendung', idle: 'Vorschau' } });
      await el.updateComplete;
      expect(part(el, 'live-button')!.textContent!.trim()).to.equal('Auf Sendung');
      expect(part(el, 'status')!.textContent!.trim()).to.equal('Vorschau');
      el.noControls = true;
      await el.updateComplete;
      expect(part(el, 'controls')).to.equal(null);
      el.noControls = false;
      const mine = document.createElement('button');
      mine.slot = 'controls';
      mine.textContent = 'Mine';
      el.append(mine);
      await el.updateComplete;
      const slot = el.shadowRoot!.querySelector('slot[name="controls"]') as HTMLSlotElement;
      expect(slot.assignedElements()).to.deep.equal([mine]);
    });
  });

  describe('publishing (real Janus)', () => {
    it('autostart: idle -> connecting -> live, janus-published {feedId, room}, Janus lists the display name', async () => {
      const attributes = await serverAttributes({ autostart: true, display: 'Auctioneer' });
      const t0 = performance.now();
      const m = mount(attributes);
      const published = await until(() => m.of('janus-published')[0], 'janus-published');
      console.log(`[measure] connect -> janus-published (autostart): ${Math.round(performance.now() - t0)} ms`);
      expect(m.states()).to.deep.equal(['connecting', 'live']);
      expect(m.el.state).to.equal('live');
      expect(m.el.matches(':state(live)')).to.equal(true);
      expect(published.detail).to.deep.equal({ feedId: m.el.feedId, room: Number(attributes['room']) });
      expect(published.bubbles && published.composed).to.equal(true);
      const list = await participants(Number(attributes['room']));
      const me = list.find((p) => p.id === m.el.feedId);
      expect(me).to.include({ display: 'Auctioneer', publisher: true });
      await m.el.updateComplete;
      expect(part(m.el, 'status')!.textContent!.trim()).to.equal('Live');
      expect(part(m.el, 'live-button')!.textContent!.trim()).to.equal('Stop');
    });

    it('start() resolves when live; stop() unpublishes, keeps the preview and releases the session', async () => {
      const attributes = await serverAttributes({ display: 'promise' });
      const m = mount(attributes);
      await until(() => m.el.stream, 'preview');
      const t0 = performance.now();
      await m.el.start();
      console.log(`[measure] start() -> resolved (preview already captured): ${Math.round(performance.now() - t0)} ms`);
      expect(m.el.state).to.equal('live');
      expect(m.of('janus-published')).to.have.length(1);
      const feedId = m.el.feedId;
      const preview = m.el.stream;
      await m.el.stop();
      expect(m.el.state).to.equal('idle');
      expect(m.el.feedId).to.equal(undefined);
      expect(m.of('janus-unpublished').map((e) => e.detail)).to.deep.equal([
        { feedId, room: Number(attributes['room']) },
      ]);
      expect(m.el.stream).to.equal(preview);
      expect(preview!.getTracks().every((t) => t.readyState === 'live')).to.equal(true);
      await until(
        async () => (await participants(Number(attributes['room']))).length === 0,
        'Janus to drop the participant',
      );
      await until(() => pooledSessionCount() === 0, 'session released');
    });

    it('mute: `muted` reflects, the track is disabled, the button says so; unmute re-enables', async () => {
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live');
      const button = part(m.el, 'mic-button') as HTMLButtonElement;
      button.click();
      await m.el.updateComplete;
      expect(m.el.muted).to.equal(true);
      expect(m.el.hasAttribute('muted')).to.equal(true);
      expect(m.el.stream!.getAudioTracks()[0]!.enabled).to.equal(false);
      expect(button.textContent!.trim()).to.equal('Unmute microphone');
      expect(button.hasAttribute('data-off')).to.equal(true);
      m.el.muted = false;
      await m.el.updateComplete;
      expect(m.el.stream!.getAudioTracks()[0]!.enabled).to.equal(true);
      expect(m.el.state).to.equal('live');
    });

    it('camera off while live stops the camera (placeholder shown); on captures it again', async () => {
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live');
      const first = m.el.stream!.getVideoTracks()[0]!;
      m.el.cameraOff = true;
      await until(() => first.readyState === 'ended', 'the camera track stopped');
      // The placeholder follows once the sender let go of the track (one more round trip).
      await until(() => part(m.el, 'placeholder'), 'the placeholder');
      expect(m.el.hasAttribute('camera-off')).to.equal(true);
      const sender = m.el.peerConnection!.getSenders().find((s) => s.track === null || s.track.kind === 'video');
      expect(sender?.track ?? null).to.equal(null);
      m.el.cameraOff = false;
      const again = await until(
        () => m.el.stream!.getVideoTracks().find((t) => t.readyState === 'live'),
        'a new camera track',
      );
      expect(again).to.not.equal(first);
      await until(() => m.el.peerConnection!.getSenders().some((s) => s.track === again), 'the sender carries it');
      expect(m.el.state).to.equal('live');
    });

    it('switching the microphone while live replaces the track without renegotiating', async () => {
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live');
      const mics = (await navigator.mediaDevices.enumerateDevices()).filter(
        (d) => d.kind === 'audioinput' && d.deviceId !== 'default',
      );
      expect(mics.length).to.be.greaterThan(1, 'Chromium offers several fake microphones');
      const pc = m.el.peerConnection!;
      const transceivers = pc.getTransceivers().length;
      const offer = pc.localDescription!.sdp;
      const target = mics[mics.length - 1]!.deviceId;
      m.el.audioDevice = target;
      const change = await until(() => m.of('janus-device-change')[0], 'janus-device-change');
      expect(change.detail).to.include({ kind: 'audio', deviceId: target });
      const track = m.el.stream!.getAudioTracks()[0]!;
      expect(track.getSettings().deviceId).to.equal(target);
      expect(pc.getSenders().find((s) => s.track?.kind === 'audio')!.track).to.equal(track);
      expect(pc.getTransceivers().length).to.equal(transceivers);
      expect(pc.localDescription!.sdp).to.equal(offer, 'no new negotiation');
      expect(m.el.state).to.equal('live');
    });

    it('camera -> screen -> camera while live replaces the video track (no renegotiation)', async () => {
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live');
      const pc = m.el.peerConnection!;
      const offer = pc.localDescription!.sdp;
      const videoSender = () => pc.getSenders().find((s) => s.track?.kind === 'video');
      (part(m.el, 'screen-button') as HTMLButtonElement).click();
      await until(() => m.of('janus-device-change').length === 1, 'janus-device-change (screen)');
      expect(m.of('janus-device-change')[0]!.detail).to.include({ kind: 'video', source: 'screen' });
      expect(videoSender()!.track!.getSettings().displaySurface).to.not.equal(undefined);
      await m.el.updateComplete;
      expect(part(m.el, 'screen-button')!.textContent!.trim()).to.equal('Stop sharing');
      expect(part(m.el, 'video')!.classList.contains('mirrored')).to.equal(false, 'a screen is never mirrored');
      m.el.video = 'camera';
      await until(() => m.of('janus-device-change').length === 2, 'janus-device-change (camera)');
      expect(videoSender()!.track!.getSettings().displaySurface).to.equal(undefined);
      expect(pc.localDescription!.sdp).to.equal(offer);
      expect(liveTracks().filter((t) => t.kind === 'video')).to.have.length(1, 'the screen capture was stopped');
    });

    it('back to the camera before the screen capture finished: the camera is what is sent', async () => {
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live');
      const pc = m.el.peerConnection!;
      const videoSender = () => pc.getSenders().find((s) => s.track?.kind === 'video');
      // A picker the user takes a while with: the camera switch comes meanwhile.
      const getDisplayMedia = navigator.mediaDevices.getDisplayMedia;
      navigator.mediaDevices.getDisplayMedia = async (constraints) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return getDisplayMedia(constraints);
      };
      m.el.video = 'screen';
      await m.el.updateComplete;
      m.el.video = 'camera';
      await until(() => m.of('janus-device-change').length === 2, 'both switches announced');
      expect(m.of('janus-device-change').map((e) => e.detail.source)).to.deep.equal(['screen', 'camera']);
      expect(videoSender()!.track!.getSettings().displaySurface).to.equal(undefined, 'the camera is sent');
      expect(m.el.video).to.equal('camera');
      expect(liveTracks().filter((t) => t.kind === 'video')).to.have.length(1, 'the screen capture was stopped');
    });

    // Headless Chromium has no "Stop sharing" bar to press; the browser tells pages through the
    // track's `ended` event, which is dispatched here as the browser would.
    it('the browser ending a screen share goes back to the camera while staying live', async () => {
      let screenPrompts = 0;
      const getDisplayMedia = navigator.mediaDevices.getDisplayMedia;
      navigator.mediaDevices.getDisplayMedia = (constraints) => (screenPrompts++, getDisplayMedia(constraints));
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live');
      const pc = m.el.peerConnection!;
      const videoSender = () => pc.getSenders().find((s) => s.track?.kind === 'video');
      m.el.video = 'screen';
      await until(() => videoSender()?.track?.getSettings().displaySurface !== undefined, 'screen being sent');
      // An update of the element while the camera starts must not switch it back to the screen.
      const getUserMedia = navigator.mediaDevices.getUserMedia;
      navigator.mediaDevices.getUserMedia = (constraints) => (m.el.requestUpdate(), getUserMedia(constraints));
      videoSender()!.track!.dispatchEvent(new Event('ended'));
      await until(() => m.el.video === 'camera', 'element back on the camera');
      await until(() => videoSender()?.track?.getSettings().displaySurface === undefined, 'camera being sent');
      expect(m.el.state).to.equal('live');
      expect(m.of('janus-error')).to.have.length(0);
      expect(liveTracks().filter((t) => t.kind === 'video')).to.have.length(1, 'the screen capture was stopped');
      expect(screenPrompts).to.equal(1, 'the screen is not asked for again');
      expect(m.of('janus-device-change').map((e) => e.detail)).to.deep.equal([
        { kind: 'video', source: 'screen' },
        { kind: 'video', source: 'camera' },
      ]);
    });

    it('no camera: falls back to audio only, announced by janus-device-change {fallback}', async () => {
      failUserMedia('NotFoundError', true);
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live (audio only)');
      expect(m.of('janus-device-change').map((e) => e.detail)).to.deep.equal([
        { kind: 'video', source: 'none', fallback: 'audio-only' },
      ]);
      expect(m.of('janus-error')).to.have.length(0);
      expect(m.el.stream!.getVideoTracks()).to.have.length(0);
      expect(
        m.el
          .peerConnection!.getSenders()
          .filter((s) => s.track)
          .map((s) => s.track!.kind),
      ).to.deep.equal(['audio']);
      await m.el.updateComplete;
      expect((part(m.el, 'camera-button') as HTMLButtonElement).disabled).to.equal(true);
    });
  });

  describe('errors', () => {
    it('missing server: invalid-config naming the attribute, and start() rejects with it', async () => {
      const m = mount({ room: '1234' });
      const error = await expectFailure(m, 'invalid-config');
      expect(error.message).to.match(/server/);
      const rejected = await m.el.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((rejected as JanusErrorDetail).code).to.equal('invalid-config');
    });

    it('invalid server URL: invalid-config', async () => {
      const error = await expectFailure(mount({ server: 'ftp://janus.example.com', room: '1234' }), 'invalid-config');
      expect(error.message).to.match(/server/);
    });

    it('missing room and invalid room: invalid-config naming room', async () => {
      const { janus } = await stackInfo();
      expect((await expectFailure(mount({ server: janus.ws }), 'invalid-config')).message).to.match(/room/);
      for (const el of mounted.splice(0)) el.remove();
      expect(
        (await expectFailure(mount({ server: janus.ws, room: 'no spaces allowed' }), 'invalid-config')).message,
      ).to.match(/room/);
    });

    it('malformed ice-servers JSON: invalid-config naming ice-servers', async () => {
      const error = await expectFailure(
        mount(await serverAttributes({ 'ice-servers': '[{urls: stun:x}' })),
        'invalid-config',
      );
      expect(error.message).to.match(/ice-servers/);
    });

    it('a fixed attribute recovers from invalid-config', async () => {
      const m = mount({ room: String(await createRoom()), autostart: true });
      await expectFailure(m, 'invalid-config');
      m.el.server = (await stackInfo()).janus.ws;
      await until(() => m.el.state === 'live', 'live after setting server');
      expect(m.el.error).to.equal(undefined);
      await m.el.updateComplete;
      expect(part(m.el, 'error')).to.equal(null);
    });

    it('unreachable server: server-unreachable', async () => {
      await expectFailure(mount({ server: 'ws://127.0.0.1:1', room: '1234', autostart: true }), 'server-unreachable');
    });

    it('room that does not exist: room-not-found (426)', async () => {
      const { janus } = await stackInfo();
      await expectFailure(
        mount({ server: janus.ws, room: String(900_000_000 + Math.floor(Math.random() * 1e6)), autostart: true }),
        'room-not-found',
        426,
      );
    });

    it('wrong PIN: unauthorized (433); start() rejects with the same error', async () => {
      const { janus } = await stackInfo();
      const room = await createRoom({ pin: '1234' });
      const m = mount({ server: janus.ws, room: String(room), pin: '9999' });
      await until(() => m.el.stream, 'preview');
      const rejected = (await m.el.start().then(
        () => undefined,
        (e: unknown) => e,
      )) as JanusErrorDetail;
      expect(rejected.code).to.equal('unauthorized');
      await expectFailure(m, 'unauthorized', 433);
    });

    it('the right PIN publishes', async () => {
      const { janus } = await stackInfo();
      const room = await createRoom({ pin: '1234' });
      const m = mount({ server: janus.ws, room: String(room), pin: '1234', autostart: true });
      await until(() => m.el.state === 'live', 'live with the PIN');
    });

    for (const [name, code] of [
      ['NotAllowedError', 'media-denied'],
      ['NotFoundError', 'media-not-found'],
      ['NotReadableError', 'media-busy'],
    ] as const) {
      it(`getUserMedia ${name}: ${code}`, async () => {
        failUserMedia(name);
        await expectFailure(mount(await serverAttributes({ autostart: true })), code);
      });
    }

    it('overconstrained resolution (real OverconstrainedError): media-overconstrained', async () => {
      const m = mount(await serverAttributes({ autostart: true }), { videoConstraints: { width: { exact: 12345 } } });
      await expectFailure(m, 'media-overconstrained');
    });

    it('screen share cancelled at start: media-cancelled', async () => {
      navigator.mediaDevices.getDisplayMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      await expectFailure(mount(await serverAttributes({ autostart: true, video: 'screen' })), 'media-cancelled');
    });

    it('screen share cancelled while live: stays live on the camera and reports media-cancelled', async () => {
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'live', 'live');
      navigator.mediaDevices.getDisplayMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      m.el.video = 'screen';
      await until(() => m.of('janus-error').length === 1, 'janus-error');
      expect(m.of('janus-error')[0]!.detail.code).to.equal('media-cancelled');
      await until(() => m.el.video === 'camera', 'video back to camera');
      expect(m.el.state).to.equal('live');
      expect(m.el.stream!.getVideoTracks()[0]!.readyState).to.equal('live');
      expect(unhandled).to.deep.equal([]);
    });

    it('codec refused by the room (vp8 into an h264-only room): codec-refused with a clear message', async () => {
      const { janus } = await stackInfo();
      const room = await createRoom({ videocodec: 'h264' });
      const error = await expectFailure(
        mount({ server: janus.ws, room: String(room), 'video-codec': 'vp8', autostart: true }),
        'codec-refused',
      );
      expect(error.message).to.match(/VP8/);
    });

    it('codec refused the other way (h264 into a vp8-only room)', async () => {
      const { janus } = await stackInfo();
      const room = await createRoom({ videocodec: 'vp8' });
      const error = await expectFailure(
        mount({ server: janus.ws, room: String(room), 'video-codec': 'h264', autostart: true }),
        'codec-refused',
      );
      expect(error.message).to.match(/H264/);
    });

    it('video-codec matching the room publishes (h264 room, video-codec="h264")', async () => {
      const { janus } = await stackInfo();
      const room = await createRoom({ videocodec: 'h264' });
      const m = mount({ server: janus.ws, room: String(room), 'video-codec': 'h264', autostart: true });
      await until(() => m.el.state === 'live', 'live in H.264');
    });
  });

  describe('cleanup', () => {
    it('removing a live element stops every track, unpublishes, detaches and destroys the session', async () => {
      const attributes = await serverAttributes({ autostart: true });
      const m = mount(attributes);
      await until(() => m.el.state === 'live', 'live');
      const { session } = janusIds(m.el);
      expect(session).to.be.a('number');
      expect((await sessionHandles(session!)).length).to.equal(1);
      m.el.remove();
      expect(m.el.state).to.equal('closed');
      await until(() => liveTracks().length === 0, 'tracks stopped');
      await until(async () => (await sessionHandles(session!)).length === 0, 'no Janus handle left');
      await until(async () => (await participants(Number(attributes['room']))).length === 0, 'participant gone');
      expect(pooledSessionCount()).to.equal(0);
    });

    it('two publishers share one session; it survives until the last one is removed', async () => {
      const attributes = await serverAttributes({ autostart: true, 'no-simulcast': true, resolution: '320x180' });
      const a = mount(attributes);
      const b = mount(attributes);
      await until(() => a.el.state === 'live' && b.el.state === 'live', 'both live');
      expect(janusIds(a.el).session).to.equal(janusIds(b.el).session);
      expect(pooledSessionCount()).to.equal(1);
      const session = janusIds(a.el).session!;
      a.el.remove();
      await until(async () => (await sessionHandles(session)).length === 1, 'one handle left');
      expect(b.el.state).to.equal('live');
      b.el.remove();
      await until(async () => (await sessionHandles(session)).length === 0, 'session gone');
    });

    it('removing while still capturing (connecting) stops the late capture', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        await gate; // held until the element is gone, like a slow permission prompt
        return record(realGetUserMedia)(constraints);
      };
      const m = mount(await serverAttributes({ autostart: true }));
      await until(() => m.el.state === 'connecting', 'connecting');
      m.el.remove();
      release();
      await until(() => captured.length > 0, 'the late capture arrived');
      await until(() => liveTracks().length === 0, 'the late capture stopped');
      expect(m.of('janus-error')).to.have.length(0, 'an abort is silent');
    });
  });

  describe('accessibility and keyboard', () => {
    it('is accessible while idle, connecting, live, muted with camera off, and in error', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        await gate; // holds the element in `connecting` while axe runs
        return record(realGetUserMedia)(constraints);
      };
      const m = mount(await serverAttributes());
      await m.el.updateComplete;
      await expect(m.el).to.be.accessible();
      const started = m.el.start();
      await until(() => m.el.state === 'connecting', 'connecting');
      await m.el.updateComplete;
      await expect(m.el).to.be.accessible();
      release();
      await started;
      await m.el.updateComplete;
      await expect(m.el).to.be.accessible();
      m.el.muted = true;
      m.el.cameraOff = true;
      await until(() => m.el.stream!.getVideoTracks().length === 0, 'camera off');
      await m.el.updateComplete;
      await expect(m.el).to.be.accessible();
      const failing = mount({ room: '1' });
      await until(() => failing.el.state === 'error', 'error');
      await failing.el.updateComplete;
      await expect(failing.el).to.be.accessible();
    });

    it('controls are labelled and keyboard operable (Tab to the mic button, Space mutes, Enter unmutes)', async () => {
      const m = mount(await serverAttributes());
      await until(() => m.el.stream, 'preview');
      await m.el.updateComplete;
      expect(part(m.el, 'controls')!.getAttribute('role')).to.equal('toolbar');
      expect(part(m.el, 'controls')!.getAttribute('aria-label')).to.equal('Publisher controls');
      expect(part(m.el, 'status')!.getAttribute('role')).to.equal('status');
      const mic = part(m.el, 'mic-button') as HTMLButtonElement;
      mic.focus();
      expect(m.el.shadowRoot!.activeElement).to.equal(mic);
      await sendKeys({ press: 'Space' });
      await waitUntil(() => m.el.muted, 'Space muted');
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => !m.el.muted, 'Enter unmuted');
      await sendKeys({ press: 'Tab' });
      expect(m.el.shadowRoot!.activeElement).to.equal(part(m.el, 'camera-button'));
    });
  });
});
