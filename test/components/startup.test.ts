// Start-up order: both elements open their WebSocket before their first render, so the socket
// connects while the shadow DOM is built (a publisher asks for the camera first, the slowest step),
// and keep that first render out of style and layout while they first connect (the first frame
// comes sooner; see `npm run bench`).
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import { QUIET_START_MS } from '../../src/components/shared/room-element.js';
import { fakeJanus, stopFakeJanuses, until } from './stack.js';

describe('start-up order', () => {
  const NativeSocket = window.WebSocket;
  let opened: Array<{ url: string; renderedBefore: boolean }> = [];
  let subject: HTMLElement & { hasUpdated?: boolean; state?: string };

  beforeEach(() => {
    opened = [];
    window.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        opened.push({ url: String(url), renderedBefore: Boolean(subject?.hasUpdated) });
      }
    };
  });

  afterEach(() => {
    window.WebSocket = NativeSocket;
    subject?.remove();
  });

  for (const tag of ['janus-viewer', 'janus-publisher']) {
    it(`<${tag}> opens its socket before its first render`, async () => {
      // Nothing listens on port 9: the element fails to connect, which is not what this test is about.
      const server = `ws://127.0.0.1:9/${tag}`;
      subject = document.createElement(tag);
      subject.setAttribute('server', server);
      subject.setAttribute('room', '1234');
      if (tag === 'janus-publisher') subject.setAttribute('autostart', '');
      document.body.append(subject);
      await until(() => (opened.some((s) => s.url === server) ? true : undefined), 'a socket to the server');
      expect(opened.find((s) => s.url === server)!.renderedBefore).to.equal(false);
      expect(subject.hasUpdated).to.equal(true);
    });
  }

  it('<janus-publisher autostart> asks for the camera before it opens its socket', async () => {
    const media = navigator.mediaDevices;
    const getUserMedia = media.getUserMedia;
    const asked: string[] = [];
    media.getUserMedia = (constraints?: MediaStreamConstraints) => {
      asked.push(`camera, ${opened.length} sockets open`);
      return getUserMedia.call(media, constraints);
    };
    try {
      const server = 'ws://127.0.0.1:9/camera-first';
      subject = document.createElement('janus-publisher');
      for (const [name, value] of Object.entries({ server, room: '1234', autostart: '' })) {
        subject.setAttribute(name, value);
      }
      document.body.append(subject);
      await until(() => (opened.some((s) => s.url === server) ? true : undefined), 'a socket to the server');
      expect(asked).to.deep.equal(['camera, 0 sockets open']);
    } finally {
      media.getUserMedia = getUserMedia;
    }
  });
});

describe('a quiet first connection', () => {
  type Widget = HTMLElement & { state: string; updateComplete: Promise<boolean> };
  const mounted: HTMLElement[] = [];
  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    await stopFakeJanuses();
  });

  function mount(tag: string, attributes: Record<string, string>): Widget {
    const el = document.createElement(tag) as Widget;
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    if (tag === 'janus-publisher') el.setAttribute('autostart', '');
    document.body.append(el);
    mounted.push(el);
    return el;
  }

  const status = (el: Widget) => el.shadowRoot!.querySelector<HTMLElement>('[part~="status"]');
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

  for (const tag of ['janus-viewer', 'janus-publisher']) {
    it(`<${tag}> renders nothing while it first connects, then "Connecting…" (its own words) after ${QUIET_START_MS} ms`, async () => {
      // The fake never answers `create`: the element stays connecting.
      const { url } = await fakeJanus('never-answer-create');
      const el = mount(tag, { server: url, room: '1234' });
      (el as Widget & { strings: Record<string, string> }).strings = { connecting: 'Verbinden…' };
      await el.updateComplete;
      await frame();
      const start = performance.now();
      expect(el.state).to.equal('connecting');
      expect(el.shadowRoot!.querySelector('[part~="base"]'), 'nothing rendered at first').to.equal(null);
      // The host keeps its box (and its background) meanwhile: nothing moves when the content comes.
      expect(el.getBoundingClientRect().height).to.be.greaterThan(0);
      await until(() => status(el)?.checkVisibility() || undefined, 'the status shown', 2000);
      expect(performance.now() - start).to.be.at.least(QUIET_START_MS - 50);
      expect(el.state).to.equal('connecting');
      expect(status(el)!.textContent).to.equal('Verbinden…');
      await expect(el).to.be.accessible();
    });

    it(`<${tag}> renders as soon as it leaves connecting, and at once on a later connection`, async () => {
      const { url } = await fakeJanus('wrong-pin');
      const el = mount(tag, { server: url, room: '1234', pin: 'wrong' });
      await until(() => el.state === 'error' || undefined, 'error', 2000);
      await el.updateComplete;
      expect(status(el)?.checkVisibility()).to.equal(true);
      // Moving the element connects it again.
      document.body.append(el);
      await el.updateComplete;
      expect(el.state).to.equal('connecting');
      expect(status(el)?.textContent).to.contain('Connecting');
    });
  }
});
