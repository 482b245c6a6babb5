// <janus-viewer> and <janus-publisher> while their connection is being re-established: the page's
// WebSocket is dropped, and new sockets are pointed at a closed port until the test lets them through,
// so the element stays `reconnecting` long enough to be looked at.
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { JanusPublisher } from '../../src/components/janus-publisher/janus-publisher.js';
import type { JanusViewer } from '../../src/components/janus-viewer/janus-viewer.js';
import { createRoom, stackInfo, until } from './stack.js';

const sockets: WebSocket[] = [];
let blocked = false;
const Native = window.WebSocket;
// janus.js takes the WebSocket class when it initialises (at the first connection), so this runs first.
window.WebSocket = class extends Native {
  constructor(url: string | URL, protocols?: string | string[]) {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    super(blocked ? 'ws://127.0.0.1:9/' : url, protocols);
    sockets.push(this);
  }
};

function dropSockets(): void {
  for (const socket of sockets.splice(0)) socket.close();
}

async function mount<T extends HTMLElement>(
  tag: string,
  attributes: Record<string, string>,
): Promise<{ el: T; states: string[] }> {
  const { janus } = await stackInfo();
  const el = document.createElement(tag) as T;
  const states: string[] = [];
  el.addEventListener('janus-state', (event) => states.push((event as CustomEvent<{ state: string }>).detail.state));
  for (const [name, value] of Object.entries({ server: janus.ws, room: String(await createRoom()), ...attributes })) {
    el.setAttribute(name, value);
  }
  document.body.append(el);
  return { el, states };
}

function status(el: HTMLElement): string {
  return el.shadowRoot!.querySelector('[part~="status"]')?.textContent?.trim() ?? '';
}

describe('reconnecting', () => {
  afterEach(() => {
    blocked = false;
    for (const el of document.body.querySelectorAll('janus-viewer, janus-publisher')) el.remove();
  });

  describe('<janus-viewer>', () => {
    it('shows and announces reconnecting, is accessible meanwhile, and comes back', async () => {
      const { el, states } = await mount<JanusViewer>('janus-viewer', {});
      await until(() => el.state === 'waiting', 'waiting');
      blocked = true;
      dropSockets();
      await until(() => el.state === 'reconnecting', 'reconnecting');
      expect(el.matches(':state(reconnecting)')).to.equal(true);
      expect(el.getAttribute('state')).to.equal('reconnecting');
      expect(status(el)).to.equal('Reconnecting…');
      await expect(el).to.be.accessible();
      // Refused attempts keep it reconnecting, without an error.
      await until(() => sockets.length >= 2, 'two refused attempts');
      expect(el.state).to.equal('reconnecting');
      expect(el.error).to.equal(undefined);
      blocked = false;
      await until(() => el.state === 'waiting', 'waiting again', 10000);
      expect(states.slice(states.indexOf('reconnecting') - 1)).to.deep.equal(['waiting', 'reconnecting', 'waiting']);
    });
  });

  describe('<janus-publisher>', () => {
    it('shows and announces reconnecting, is accessible meanwhile, and comes back', async () => {
      const { el, states } = await mount<JanusPublisher>('janus-publisher', { autostart: '', resolution: '640x360' });
      await until(() => el.state === 'live', 'live', 20000);
      blocked = true;
      dropSockets();
      await until(() => el.state === 'reconnecting', 'reconnecting');
      expect(el.matches(':state(reconnecting)')).to.equal(true);
      expect(status(el)).to.equal('Reconnecting…');
      await expect(el).to.be.accessible();
      await until(() => sockets.length >= 2, 'two refused attempts');
      expect(el.state).to.equal('reconnecting');
      blocked = false;
      await until(() => el.state === 'live', 'live again', 15000);
      expect(states.slice(states.indexOf('reconnecting') - 1)).to.deep.equal(['live', 'reconnecting', 'live']);
    });
  });
});
