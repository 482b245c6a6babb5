// invalid-config as the elements report it: when set before connecting, when set later on a
// property that otherwise applies live, and the recovery once fixed.
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { JanusPublisher } from '../../src/components/janus-publisher/janus-publisher.js';
import type { JanusStats } from '../../src/components/janus-stats/janus-stats.js';
import type { JanusViewer } from '../../src/components/janus-viewer/janus-viewer.js';
import { createRoom, stackInfo, until } from './stack.js';

const container = document.createElement('div');
document.body.append(container);
const mounted: HTMLElement[] = [];
const uncaught: string[] = [];
const onError = (event: ErrorEvent) => uncaught.push(event.message);
const onRejection = (event: PromiseRejectionEvent) => uncaught.push(String(event.reason));

function mount<T extends HTMLElement>(
  tag: string,
  attributes: Record<string, string>,
): { el: T; errors: CustomEvent[] } {
  const el = document.createElement(tag) as T;
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  const errors: CustomEvent[] = [];
  el.addEventListener('janus-error', (event) => errors.push(event as CustomEvent));
  container.append(el);
  mounted.push(el);
  return { el, errors };
}

async function expectInvalid(
  el: HTMLElement & { state: string },
  errors: CustomEvent[],
  attribute: string,
): Promise<void> {
  await until(() => el.state === 'error', `state error (${attribute})`);
  expect(errors).to.have.length(1);
  expect(errors[0]!.detail.code).to.equal('invalid-config');
  expect(errors[0]!.detail.message).to.contain(attribute);
}

beforeEach(() => {
  uncaught.length = 0;
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
});
afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
  window.removeEventListener('error', onError);
  window.removeEventListener('unhandledrejection', onRejection);
  expect(uncaught).to.deep.equal([]);
});

describe('invalid-config', () => {
  describe('<janus-viewer>', () => {
    it('volume="abc": one invalid-config naming volume, and rendering never throws', async () => {
      const { el, errors } = mount<JanusViewer>('janus-viewer', {
        server: 'ws://127.0.0.1:9/',
        room: '1',
        volume: 'abc',
      });
      await expectInvalid(el, errors, 'volume');
      el.requestUpdate();
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[part~="error"]')!.textContent).to.contain('volume');
    });

    it('a bad volume or quality set while connected fails; fixing it connects again', async () => {
      const { janus } = await stackInfo();
      const { el, errors } = mount<JanusViewer>('janus-viewer', { server: janus.ws, room: String(await createRoom()) });
      await until(() => el.state === 'waiting', 'waiting');
      el.volume = Number('abc');
      await expectInvalid(el, errors, 'volume');
      el.volume = 0.5;
      await until(() => el.state === 'waiting', 'waiting again');
      expect(el.error).to.equal(undefined);
      el.volume = 0.25;
      await el.updateComplete;
      expect(el.state).to.equal('waiting');
      el.setAttribute('quality', 'ultra');
      await until(() => el.state === 'error', 'error after quality="ultra"');
      expect(errors.map((e) => e.detail.code)).to.deep.equal(['invalid-config', 'invalid-config']);
      expect(errors[1]!.detail.message).to.contain('quality');
    });

    it('a server URL with a #fragment is invalid-config, not a janus.js crash later', async () => {
      const { el, errors } = mount<JanusViewer>('janus-viewer', { server: 'ws://127.0.0.1:9/#x', room: '1' });
      await expectInvalid(el, errors, 'server');
    });
  });

  describe('<janus-publisher>', () => {
    it('an invalid video source set while previewing fails; fixing it previews again', async () => {
      const { el, errors } = mount<JanusPublisher>('janus-publisher', { server: 'ws://127.0.0.1:9/', room: '1' });
      await until(() => el.stream, 'preview');
      el.setAttribute('video', 'webcam');
      await expectInvalid(el, errors, 'video');
      el.setAttribute('video', 'camera');
      await until(() => el.state === 'idle' && el.stream, 'preview again');
      expect(el.error).to.equal(undefined);
    });

    it('resolution="99999x99999" and frame-rate="NaN" are refused', async () => {
      for (const [name, value] of [
        ['resolution', '99999x99999'],
        ['frame-rate', 'NaN'],
        ['max-bitrate', '-1'],
      ] as const) {
        const { el, errors } = mount<JanusPublisher>('janus-publisher', {
          server: 'ws://127.0.0.1:9/',
          room: '1',
          [name]: value,
        });
        await expectInvalid(el, errors, name);
      }
    });
  });

  describe('<janus-stats>', () => {
    it('interval out of bounds: state=error, one janus-error, an error part; fixed, it is detached again', async () => {
      const { el, errors } = mount<JanusStats>('janus-stats', { interval: '5' });
      await el.updateComplete;
      expect(el.state).to.equal('error');
      expect(el.getAttribute('state')).to.equal('error');
      expect(el.matches(':state(error)')).to.equal(true);
      expect(errors).to.have.length(1);
      expect(errors[0]!.detail).to.deep.include({ code: 'invalid-config' });
      expect(errors[0]!.detail.message).to.contain('interval');
      expect(el.shadowRoot!.querySelector('[part~="error"]')!.textContent).to.contain('interval');
      el.remove();
      container.append(el);
      await el.updateComplete;
      expect(errors).to.have.length(1);
      el.interval = 1000;
      await el.updateComplete;
      expect(el.state).to.equal('detached');
      expect(el.error).to.equal(undefined);
      expect(el.matches(':state(error)')).to.equal(false);
      expect(el.shadowRoot!.querySelector('[part~="error"]')).to.equal(null);
    });
  });
});
