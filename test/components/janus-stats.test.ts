import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { LitElement } from 'lit';
import { JanusStats } from '../../src/components/janus-stats/janus-stats.js';
import { JanusPublisher } from '../../src/components/janus-publisher/janus-publisher.js';
import { StatsController } from '../../src/controllers/stats-controller.js';
import { VideoRoomSubscriber } from '../../src/core/subscriber.js';
import type { LiveStatsSample } from '../../src/core/stats-sampler.js';
import { loopback, until, type Loopback } from '../unit/loopback.js';
import { createRoom, stackInfo } from './stack.js';

if (!customElements.get('janus-stats')) customElements.define('janus-stats', JanusStats);
if (!customElements.get('janus-publisher')) customElements.define('janus-publisher', JanusPublisher);

/** A minimal stats host, as a site's own element (or <janus-viewer>) would be. */
class TestStatsHost extends LitElement {
  readonly statsController = new StatsController(this, 'recv');
}
customElements.define('test-stats-host', TestStatsHost);

function part(el: JanusStats, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}

/** The text of one metric row's value, e.g. value(el, 'rtt') -> "3 ms". */
function value(el: JanusStats, metric: string): string {
  return part(el, `metric-${metric}`)?.querySelector('[part~="value"]')?.textContent?.trim() ?? '';
}

const kbpsOf = (text: string) => Number(/^(\d+) kbit\/s$/.exec(text)?.[1] ?? NaN);

describe('<janus-stats>', () => {
  let call: Loopback;

  beforeEach(async () => {
    call = await loopback();
  });

  afterEach(() => call.close());

  async function hostWithCall(): Promise<TestStatsHost> {
    const host = await fixture<TestStatsHost>(html`<test-stats-host id="h"></test-stats-host>`);
    host.statsController.setPeerConnection(call.receiver);
    return host;
  }

  describe('attaching', () => {
    it('attaches by `for`, also to a host added after it', async () => {
      const wrapper = await fixture<HTMLDivElement>(
        html`<div><janus-stats for="later" interval="200"></janus-stats></div>`,
      );
      const stats = wrapper.querySelector('janus-stats')!;
      expect(stats.attached).to.equal(undefined);
      const host = document.createElement('test-stats-host') as TestStatsHost;
      host.id = 'later';
      host.statsController.setPeerConnection(call.receiver);
      wrapper.append(host);
      await until(() => stats.attached === host, 'attach to the host that appeared');
      await until(() => stats.sample && kbpsOf(value(stats, 'video')) > 0, 'a video bitrate shown');
      expect(host.statsController.sampler.interval).to.equal(200);
    });

    it('attaches to the enclosing host', async () => {
      const host = await fixture<TestStatsHost>(
        html`<test-stats-host><janus-stats slot="overlay"></janus-stats></test-stats-host>`,
      );
      const stats = host.querySelector('janus-stats')!;
      expect(stats.attached).to.equal(host);
      expect(host.statsController.sampler.retained).to.equal(1);
    });

    it('attaches to the `source` property, which wins over `for`', async () => {
      const host = await hostWithCall();
      const other = await fixture<TestStatsHost>(html`<test-stats-host id="other"></test-stats-host>`);
      const stats = await fixture<JanusStats>(html`<janus-stats for="other" .source=${host}></janus-stats>`);
      expect(stats.attached).to.equal(host);
      expect(other.statsController.sampler.retained).to.equal(0);
      stats.source = undefined;
      await stats.updateComplete;
      expect(stats.attached).to.equal(other);
    });

    it('follows the host to a new PeerConnection (reconnect)', async () => {
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(html`<janus-stats .source=${host} interval="200"></janus-stats>`);
      const first = await until(() => stats.sample, 'a first sample');
      const second = await loopback();
      try {
        host.statsController.setPeerConnection(second.receiver);
        await until(
          () => stats.sample?.connection === first.connection + 1 && kbpsOf(value(stats, 'video')) > 0,
          'samples of the new PeerConnection',
        );
        expect(stats.attached).to.equal(host);
      } finally {
        second.close();
      }
    });

    it('detaches when it is removed, and when its host is removed (and re-attaches when it returns)', async () => {
      const wrapper = await fixture<HTMLDivElement>(
        html`<div><test-stats-host id="h2"></test-stats-host><janus-stats for="h2"></janus-stats></div>`,
      );
      const host = wrapper.querySelector('test-stats-host') as TestStatsHost;
      const stats = wrapper.querySelector('janus-stats')!;
      expect(host.statsController.sampler.retained).to.equal(1);

      host.remove();
      expect(stats.attached).to.equal(undefined);
      expect(host.statsController.sampler.retained).to.equal(0);
      wrapper.prepend(host);
      await until(() => stats.attached === host, 're-attach after the host returned');

      stats.remove();
      expect(host.statsController.sampler.retained).to.equal(0);

      const byProperty = document.createElement('janus-stats');
      byProperty.source = host;
      wrapper.append(byProperty);
      await byProperty.updateComplete;
      expect(host.statsController.sampler.retained).to.equal(1);
      host.remove();
      expect(byProperty.attached).to.equal(undefined);
      expect(host.statsController.sampler.retained).to.equal(0);
    });
  });

  describe('display', () => {
    it('full mode shows the numbers of a live call and no layout jumps', async () => {
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(html`<janus-stats .source=${host} interval="200"></janus-stats>`);
      await until(
        () => kbpsOf(value(stats, 'video')) > 0 && kbpsOf(value(stats, 'audio')) > 0,
        'audio and video bitrate',
      );
      expect(value(stats, 'resolution')).to.match(/^320×240/);
      expect(value(stats, 'rtt')).to.match(/^\d+ ms$/);
      expect(value(stats, 'route')).to.equal('host → host');
      expect(value(stats, 'codec')).to.match(/^(VP8|VP9|H264|AV1)$/i);
      expect(stats.quality).to.equal(stats.sample!.quality);
      expect(stats.matches(`:state(${stats.quality})`)).to.equal(true);

      const panel = part(stats, 'panel')!;
      const height = panel.getBoundingClientRect().height;
      const seen = stats.sample;
      await until(() => stats.sample !== seen && stats.sample?.connection === seen?.connection, 'another sample');
      await stats.updateComplete;
      expect(panel.getBoundingClientRect().height, 'panel height stays put as numbers change').to.equal(height);
    });

    it('compact mode shows a badge with text that opens the panel on click and on Enter', async () => {
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(html`<janus-stats compact .source=${host} interval="200"></janus-stats>`);
      await until(() => stats.sample, 'a sample');
      await stats.updateComplete;
      const badge = part(stats, 'badge') as HTMLButtonElement;
      const level = stats.quality;
      expect(badge.textContent!.replace(/\s+/g, ' ').trim()).to.equal(
        `Connection quality: ${level[0]!.toUpperCase()}${level.slice(1)}`,
      );
      expect(part(stats, 'panel')).to.equal(null);
      expect(badge.getAttribute('aria-expanded')).to.equal('false');

      badge.click();
      await stats.updateComplete;
      expect(stats.open).to.equal(true);
      expect(part(stats, 'panel')).to.not.equal(null);
      expect(badge.getAttribute('aria-expanded')).to.equal('true');

      badge.focus();
      await sendKeys({ press: 'Enter' });
      await stats.updateComplete;
      expect(stats.open).to.equal(false);
      expect(part(stats, 'panel')).to.equal(null);
    });

    it('announces the quality politely, only when it or the problem list changes', async () => {
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(html`<janus-stats .source=${host} interval="200"></janus-stats>`);
      const live = stats.shadowRoot!.querySelector('[role="status"]')!;
      expect(live.getAttribute('aria-live')).to.equal('polite');
      await until(() => live.textContent?.startsWith('Connection quality:'), 'a first announcement');
      const node = live.textContent;
      const key = (s: LiveStatsSample | undefined) => `${s?.quality}:${s?.diagnosis.map((d) => d.code).join()}`;
      const before = key(stats.sample);
      const count = host.statsController.sampler.history.length;
      await until(() => host.statsController.sampler.history.length >= count + 3, 'three more samples');
      await stats.updateComplete;
      if (key(stats.sample) === before) expect(live.textContent, 'no new announcement for new numbers').to.equal(node);
      expect(live.textContent).to.not.match(/kbit|\d+ ms/);
    });

    it('uses the overridden strings, diagnosis messages included', async () => {
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(
        html`<janus-stats .source=${host} .strings=${{ rtt: 'Aller-retour', copy: 'Copier', diagnosis: { ice: 'Route coupée' } }}></janus-stats>`,
      );
      await until(() => stats.sample, 'a sample');
      await stats.updateComplete;
      expect(part(stats, 'metric-rtt')!.querySelector('dt')!.textContent).to.equal('Aller-retour');
      expect(part(stats, 'copy-button')!.textContent).to.equal('Copier');
      call.sender.close(); // the receiver's ICE goes disconnected: the `ice` rule fires
      await until(
        () =>
          [...stats.shadowRoot!.querySelectorAll('[data-code="ice"]')].some((li) => li.textContent === 'Route coupée'),
        'the overridden ice message',
        20000,
      );
    });

    it('respects prefers-reduced-motion', async () => {
      const stats = await fixture<JanusStats>(html`<janus-stats></janus-stats>`);
      const indicator = part(stats, 'indicator')!;
      await emulateMedia({ reducedMotion: 'no-preference' });
      expect(getComputedStyle(indicator).transitionDuration).to.not.equal('0s');
      await emulateMedia({ reducedMotion: 'reduce' });
      expect(getComputedStyle(indicator).transitionDuration).to.equal('0s');
      await emulateMedia({ reducedMotion: 'no-preference' });
    });
  });

  describe('events', () => {
    it('a `janus-stats` listener on the host starts sampling; removing it stops', async () => {
      const host = await hostWithCall();
      expect(host.statsController.sampler.polling).to.equal(false);
      const listener = () => {};
      host.addEventListener('janus-stats', listener);
      const event = await oneEvent(host, 'janus-stats');
      expect(event.bubbles && event.composed).to.equal(true);
      expect(event.detail.direction).to.equal('recv');
      expect(event.detail.quality).to.be.oneOf(['good', 'fair', 'poor', 'bad']);
      expect(host.statsController.latest).to.equal(event.detail);
      host.removeEventListener('janus-stats', listener);
      expect(host.statsController.sampler.polling).to.equal(false);
    });

    it('counts `once` and AbortSignal listeners out when they end', async () => {
      const host = await hostWithCall();
      const controller = new AbortController();
      host.addEventListener('janus-stats', () => {}, { signal: controller.signal });
      expect(host.statsController.sampler.polling).to.equal(true);
      controller.abort();
      expect(host.statsController.sampler.polling).to.equal(false);
      const once = new Promise((resolve) => host.addEventListener('janus-stats', resolve, { once: true }));
      expect(host.statsController.sampler.polling).to.equal(true);
      await once;
      expect(host.statsController.sampler.polling).to.equal(false);
    });

    it('copy diagnostics puts a JSON report of recent samples, states and versions on the clipboard', async () => {
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(html`<janus-stats .source=${host} interval="200"></janus-stats>`);
      await until(() => host.statsController.sampler.history.length >= 3, 'three samples');
      let copied = '';
      // The clipboard needs a user gesture and permission headless Chromium does not give wtr.
      const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard')!;
      Object.defineProperty(navigator, 'clipboard', {
        configurable: true,
        value: { writeText: async (text: string) => void (copied = text) },
      });
      try {
        part(stats, 'copy-button')!.click();
        await until(() => copied, 'the clipboard write');
      } finally {
        delete (navigator as unknown as Record<string, unknown>)['clipboard'];
        expect(Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard')).to.deep.equal(original);
      }
      const report = JSON.parse(copied);
      expect(report.library).to.equal('janus-widgets');
      expect(report.version).to.match(/^\d+\.\d+\.\d+/);
      expect(report.userAgent).to.equal(navigator.userAgent);
      expect(report.source).to.include({
        tag: 'test-stats-host',
        iceConnectionState: call.receiver.iceConnectionState,
      });
      expect(report.samples.length).to.be.at.least(3);
      expect(report.samples.every((s: Record<string, unknown>) => !('counters' in s) && 'quality' in s)).to.equal(true);
      await until(
        () => stats.shadowRoot!.querySelector('[role="status"]')!.textContent === 'Diagnostics copied.',
        'feedback',
      );
    });
  });

  describe('accessibility', () => {
    it('is accessible in full mode, detached and live', async () => {
      const detached = await fixture<JanusStats>(html`<janus-stats></janus-stats>`);
      await expect(detached).to.be.accessible();
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(html`<janus-stats .source=${host}></janus-stats>`);
      await until(() => stats.sample, 'a sample');
      await stats.updateComplete;
      await expect(stats).to.be.accessible();
    });

    it('is accessible in compact mode, closed and open', async () => {
      const host = await hostWithCall();
      const stats = await fixture<JanusStats>(html`<janus-stats compact .source=${host}></janus-stats>`);
      await until(() => stats.sample, 'a sample');
      await stats.updateComplete;
      await expect(stats).to.be.accessible();
      stats.open = true;
      await stats.updateComplete;
      await expect(stats).to.be.accessible();
    });
  });
});

describe('<janus-stats> with the real stack', function () {
  this.timeout(60000);
  let room: number;
  let publisher: JanusPublisher;
  let viewer: TestStatsHost;
  let subscriber: VideoRoomSubscriber | undefined;
  let publisherStats: JanusStats;
  let viewerStats: JanusStats;

  async function publish(attrs: { relay?: boolean } = {}): Promise<number> {
    const stack = await stackInfo();
    const wrapper = await fixture<HTMLDivElement>(html`<div style="width: 640px">
      <janus-publisher
        server=${stack.janus.ws}
        room=${String(room)}
        autostart
        resolution="640x360"
        ice-transport-policy=${attrs.relay ? 'relay' : 'all'}
        .iceServers=${attrs.relay ? [stack.turn.static] : []}
        ><janus-stats slot="overlay" interval="500"></janus-stats
      ></janus-publisher>
    </div>`);
    publisher = wrapper.querySelector('janus-publisher')!;
    publisherStats = publisher.querySelector('janus-stats')!;
    await until(() => publisher.feedId, 'the publisher to be live', 20000);
    return publisher.feedId as number;
  }

  async function view(feed: number, relay = false): Promise<void> {
    const stack = await stackInfo();
    viewer = await fixture<TestStatsHost>(html`<test-stats-host id="viewer"></test-stats-host>`);
    viewerStats = await fixture<JanusStats>(html`<janus-stats .source=${viewer} interval="500"></janus-stats>`);
    subscriber = new VideoRoomSubscriber({
      servers: [stack.janus.ws],
      iceServers: relay ? [stack.turn.static] : [],
      iceTransportPolicy: relay ? 'relay' : 'all',
      room,
    });
    subscriber.on('slowlink', (report) => viewer.statsController.sampler.addSlowLink(report));
    await subscriber.subscribe([{ feed }]);
    viewer.statsController.setPeerConnection(subscriber.pc);
  }

  beforeEach(async () => {
    room = await createRoom({ bitrate: 3000000, videocodec: 'vp8' });
  });

  afterEach(async () => {
    await subscriber?.dispose();
    subscriber = undefined;
  });

  it('shows bitrate, resolution, RTT and a host route on both sides; video goes to 0 when the camera is off', async () => {
    await view(await publish());
    for (const stats of [publisherStats, viewerStats]) {
      await until(
        () =>
          kbpsOf(value(stats, 'video')) > 0 &&
          /^\d+×\d+/.test(value(stats, 'resolution')) &&
          /^\d+ ms$/.test(value(stats, 'rtt')),
        `${stats === viewerStats ? 'viewer' : 'publisher'} numbers`,
        20000,
      );
      expect(value(stats, 'route')).to.match(/^host → host$/);
    }
    publisher.cameraOff = true;
    await until(() => kbpsOf(value(viewerStats, 'video')) <= 5, 'viewer video bitrate to drop to ~0', 20000);
    await until(
      () => viewerStats.shadowRoot!.querySelector('[data-code="no-video"]'),
      'the overlay to say video stopped',
      20000,
    );
    expect(viewerStats.shadowRoot!.querySelector('[data-code="no-video"]')!.textContent).to.equal(
      'Video has stopped flowing.',
    );
  });

  it('shows a relay route when ICE is relay-only through coturn', async () => {
    await view(await publish({ relay: true }), true);
    for (const stats of [publisherStats, viewerStats]) {
      await until(() => /^relay \((udp|tcp)\) → /.test(value(stats, 'route')), 'a relay route', 20000);
    }
  });

  it('follows the publisher when it stops and goes live again', async () => {
    await publish();
    const first = await until(
      () => (publisherStats.sample?.video.bitrateKbps ? publisherStats.sample : undefined),
      'first connection sending',
      20000,
    );
    await publisher.stop();
    await until(() => publisherStats.sample === undefined, 'the panel to clear when the PeerConnection went away');
    await publisher.start();
    await until(
      () => {
        const sample = publisherStats.sample;
        if (sample && sample.connection > first.connection && kbpsOf(value(publisherStats, 'video')) > 0) return true;
        const sampler = publisher.statsController.sampler;
        // Thrown, not returned: `until` reports the last error, so a timeout says what was seen.
        throw new Error(
          `state ${publisher.state}, pc ${publisher.peerConnection?.connectionState}, sampled ${sampler.peerConnection === publisher.peerConnection}, ` +
            `polling ${sampler.polling}, connection ${sample?.connection} (first ${first.connection}), video ${value(publisherStats, 'video')}`,
        );
      },
      'samples of the new PeerConnection',
      20000,
    );
    expect(publisherStats.attached).to.equal(publisher);
  });
});
