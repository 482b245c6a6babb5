// Start-up order: both elements open their WebSocket before their first render, so the socket
// connects while the shadow DOM is built (the first frame comes sooner; see `npm run bench`).
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import { until } from './stack.js';

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
});
