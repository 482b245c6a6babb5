// custom-elements.json feeds editors, framework typings and the reference page: this test holds it
// to the real elements (attributes, parts, events, states, custom properties) so the docs cannot lie.
// Parts and events are collected while the elements run through their main states on the real stack.
import { expect } from '@open-wc/testing';
import type { CSSResult, LitElement } from 'lit';
import '../../src/define.js';
import type { JanusPublisher } from '../../src/components/janus-publisher/janus-publisher.js';
import type { JanusViewer } from '../../src/components/janus-viewer/janus-viewer.js';
import type { JanusStats } from '../../src/components/janus-stats/janus-stats.js';
import type { PublisherState } from '../../src/core/live-publisher.js';
import type { ViewerState } from '../../src/core/room-viewer.js';
import type { QualityLevel } from '../../src/core/quality.js';
import { captureMedia, stopStream } from '../../src/core/media.js';
import { VideoRoomPublisher } from '../../src/core/publisher.js';
import { statsStyles } from '../../src/components/janus-stats/styles.js';
import { createRoom, stackInfo, until } from './stack.js';

type Tag = 'janus-publisher' | 'janus-viewer' | 'janus-stats';

interface Documented {
  name: string;
  description?: string;
  type?: { text: string };
  default?: string;
}
interface Declaration {
  tagName?: string;
  attributes?: Documented[];
  cssParts?: Documented[];
  cssStates?: Documented[];
  cssProperties?: Documented[];
  events?: Documented[];
  members?: Array<Documented & { kind: string; privacy?: string }>;
}

// Exhaustive by construction: a state added to a machine's type fails to compile here until it
// is listed, and the manifest must then document it.
const PUBLISHER_STATES = ['idle', 'connecting', 'live', 'reconnecting', 'error', 'closed'] as const;
const VIEWER_STATES = ['idle', 'connecting', 'waiting', 'live', 'reconnecting', 'error', 'closed'] as const;
const STATS_STATES = ['good', 'fair', 'poor', 'bad', 'unknown', 'attached', 'detached', 'error'] as const;
type Exhaustive<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : never;
const exhaustive: [
  Exhaustive<PublisherState, (typeof PUBLISHER_STATES)[number]>,
  Exhaustive<ViewerState, (typeof VIEWER_STATES)[number]>,
  Exhaustive<QualityLevel | 'unknown' | JanusStats['state'], (typeof STATS_STATES)[number]>,
] = [true, true, true];

const REACHABLE_STATES: Record<Tag, readonly string[]> = {
  'janus-publisher': PUBLISHER_STATES,
  'janus-viewer': VIEWER_STATES,
  'janus-stats': STATS_STATES,
};

/** Parts that need a stack this test does not start (HLS bridge, an impaired network), and the test that renders them. */
const PARTS_TESTED_ELSEWHERE: Record<Tag, Record<string, string>> = {
  'janus-publisher': {},
  'janus-viewer': { 'broadcast-badge': '/test/e2e/hls.e2e.ts', 'audio-only': '/test/e2e/impairment.e2e.ts' },
  'janus-stats': {},
};

/** Custom properties the element sets on itself for its own layout: not a theming API. */
const INTERNAL_PROPERTIES = new Set(['--janus-tiles']);

/** The files whose `janus-*` events each element dispatches (its own and what it inherits). */
const EVENT_SOURCES: Record<Tag, string[]> = {
  'janus-publisher': [
    '/src/components/janus-publisher/janus-publisher.ts',
    '/src/components/shared/room-element.ts',
    '/src/controllers/stats-controller.ts',
  ],
  'janus-viewer': [
    '/src/components/janus-viewer/janus-viewer.ts',
    '/src/components/shared/room-element.ts',
    '/src/controllers/stats-controller.ts',
  ],
  'janus-stats': ['/src/components/janus-stats/janus-stats.ts', '/src/components/janus-stats/panel.ts'],
};

/** Styles an element adopts once its lazy chunk is here, rather than declaring them as `static styles`. */
const LAZY_STYLES: Partial<Record<Tag, CSSResult[]>> = { 'janus-stats': [statsStyles] };

/** Members that are callable from outside but are plumbing between an element and its controllers. */
const PLUMBING = ['viewerSettings', 'publisherSettings', 'hlsSettings', 'setState', 'reportError', 'viewer', 'sampler'];

let manifest: { modules: Array<{ declarations?: Declaration[] }> };

function declaration(tag: Tag): Declaration {
  const found = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag);
  if (!found) throw new Error(`${tag} is not in custom-elements.json`);
  return found;
}

const names = (list: Documented[] | undefined) => (list ?? []).map((item) => item.name).sort();

/** Records every part and every janus-* event of an element from before it is connected. */
class Recorder {
  readonly parts = new Set<string>();
  readonly events = new Set<string>();
  readonly stateMismatches: string[] = [];
  private observer: MutationObserver | undefined;

  constructor(readonly el: LitElement) {
    const dispatch = el.dispatchEvent.bind(el);
    el.dispatchEvent = (event: Event) => {
      if (event.type.startsWith('janus-')) this.events.add(event.type);
      return dispatch(event);
    };
    // The custom state must be set by the time the event announcing it is heard.
    el.addEventListener('janus-state', (event) => {
      const { state } = (event as CustomEvent<{ state: string }>).detail;
      if (!el.matches(`:state(${state})`)) this.stateMismatches.push(state);
    });
  }

  /** Starts watching the shadow root, which exists once the element is connected. */
  watch(): void {
    const root = this.el.shadowRoot!;
    this.collect();
    this.observer = new MutationObserver(() => this.collect());
    this.observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['part'] });
  }

  collect(): void {
    for (const node of this.el.shadowRoot?.querySelectorAll('[part]') ?? []) {
      for (const part of node.getAttribute('part')!.split(/\s+/).filter(Boolean)) this.parts.add(part);
    }
  }

  stop(): void {
    this.collect();
    this.observer?.disconnect();
  }
}

const recorders: Record<Tag, Recorder[]> = { 'janus-publisher': [], 'janus-viewer': [], 'janus-stats': [] };
const container = document.createElement('div');
container.style.width = '480px';
document.body.append(container);
const cleanups: Array<() => Promise<void> | void> = [];

function mount<T extends LitElement>(
  tag: Tag,
  attributes: Record<string, string | boolean>,
  parent: Element = container,
): T {
  const el = document.createElement(tag) as unknown as T;
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) el.setAttribute(name, '');
    else if (value !== false) el.setAttribute(name, value);
  }
  const recorder = new Recorder(el);
  recorders[tag].push(recorder);
  parent.append(el);
  recorder.watch();
  cleanups.push(() => {
    el.remove();
    recorder.stop();
  });
  return el;
}

function union(tag: Tag, pick: (r: Recorder) => Set<string>): Set<string> {
  return new Set(recorders[tag].flatMap((r) => [...pick(r)]));
}

async function sources(tag: Tag): Promise<string> {
  const texts = await Promise.all(EVENT_SOURCES[tag].map((path) => fetch(path).then((r) => r.text())));
  return texts.join('\n');
}

/** Every `var(--janus-…)` the element's styles read. */
function propertiesUsed(tag: Tag): Set<string> {
  const ctor = customElements.get(tag) as unknown as typeof LitElement;
  const text = [...ctor.elementStyles, ...(LAZY_STYLES[tag] ?? [])]
    .map((style) => ('cssText' in style ? style.cssText : ''))
    .join('\n');
  return new Set(
    [...text.matchAll(/var\((--janus-[a-z0-9-]+)/g)].map((m) => m[1]!).filter((p) => !INTERNAL_PROPERTIES.has(p)),
  );
}

/** A documented part name pattern such as `metric-<name>`, from the description of its family. */
function documentsPattern(parts: Documented[], part: string): boolean {
  return parts.some((p) =>
    [...(p.description ?? '').matchAll(/`([a-z-]+)-<[a-z]+>`/g)].some((m) => part.startsWith(`${m[1]}-`)),
  );
}

before(async function () {
  this.timeout(120000);
  manifest = (await fetch('/custom-elements.json').then((r) => r.json())) as typeof manifest;
  const { janus } = await stackInfo();

  // Two cameras and two microphones, so the publisher renders its device pickers.
  const realEnumerate = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
  const fake = (kind: MediaDeviceKind, n: number) =>
    ({ kind, deviceId: `${kind}-${n}`, groupId: 'g', label: `${kind} ${n}`, toJSON: () => ({}) }) as MediaDeviceInfo;
  navigator.mediaDevices.enumerateDevices = async () => [
    ...(await realEnumerate()),
    fake('videoinput', 2),
    fake('audioinput', 2),
  ];
  cleanups.push(() => {
    navigator.mediaDevices.enumerateDevices = realEnumerate;
  });

  // Error states: the cheapest way there is a bad attribute.
  const brokenPublisher = mount<JanusPublisher>('janus-publisher', { room: '1' });
  const brokenViewer = mount<JanusViewer>('janus-viewer', { room: '1' });
  const brokenStats = mount<JanusStats>('janus-stats', { interval: '-5' });
  await until(() => brokenPublisher.state === 'error' && brokenViewer.state === 'error', 'invalid-config errors');
  await until(() => brokenStats.state === 'error', 'stats error');
  await Promise.all([brokenPublisher, brokenViewer, brokenStats].map((el) => el.updateComplete));

  // A live publisher with every control, then with the camera off (placeholder).
  const room = String(await createRoom());
  const publisher = mount<JanusPublisher>('janus-publisher', { server: janus.ws, room, display: 'Studio' });
  const publisherStats = document.createElement('janus-stats');
  publisherStats.slot = 'overlay';
  const publisherStatsRecorder = new Recorder(publisherStats);
  recorders['janus-stats'].push(publisherStatsRecorder);
  publisher.append(publisherStats);
  publisherStatsRecorder.watch();
  await until(() => publisher.shadowRoot?.querySelector('[part~="camera-select"]') !== null, 'device pickers');
  await publisher.start();
  await until(() => publisher.state === 'live', 'publisher live');
  await until(() => publisherStats.sample !== undefined, 'publisher stats sample');
  publisher.cameraOff = true;
  await until(() => publisher.shadowRoot?.querySelector('[part~="placeholder"]') !== null, 'camera-off placeholder');

  // A viewer of a core publisher, whose sound the browser refuses (the unmute button).
  const { stream } = await captureMedia({ video: 'camera', audio: 'microphone', width: 320, height: 180 });
  const alice = new VideoRoomPublisher({
    servers: [janus.ws],
    iceServers: [],
    room: Number(room),
    display: 'Alice',
    simulcast: false,
  });
  cleanups.push(async () => {
    await alice.dispose();
    stopStream(stream);
  });
  await alice.publish(stream);
  const realPlay = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    return this.muted
      ? realPlay.call(this)
      : Promise.reject(new DOMException('needs a user gesture', 'NotAllowedError'));
  };
  cleanups.push(() => {
    HTMLMediaElement.prototype.play = realPlay;
  });
  const viewer = mount<JanusViewer>('janus-viewer', { server: janus.ws, room, display: 'Alice' });
  const compact = mount<JanusStats>('janus-stats', { compact: true });
  compact.source = viewer;
  await until(() => viewer.state === 'live' && viewer.muted, 'viewer live, muted by the browser');
  await until(() => compact.sample !== undefined, 'viewer stats sample');
  compact.open = true;
  await compact.updateComplete;

  // Removal: the closed state.
  publisher.remove();
  viewer.remove();
  await until(() => publisher.state === 'closed' && viewer.state === 'closed', 'closed after removal');
  for (const list of Object.values(recorders)) for (const recorder of list) recorder.collect();
});

after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

for (const tag of ['janus-publisher', 'janus-viewer', 'janus-stats'] as const) {
  describe(`custom-elements.json: <${tag}>`, () => {
    it('documents exactly the observed attributes', () => {
      const observed = [
        ...((customElements.get(tag) as unknown as { observedAttributes: string[] }).observedAttributes ?? []),
      ];
      expect(names(declaration(tag).attributes)).to.deep.equal(observed.sort());
    });

    it('documents every rendered part, and every documented part is rendered', async () => {
      const documented = declaration(tag).cssParts ?? [];
      const rendered = union(tag, (r) => r.parts);
      const undocumented = [...rendered].filter(
        (p) => !documented.some((d) => d.name === p) && !documentsPattern(documented, p),
      );
      expect(undocumented, 'rendered but not documented').to.deep.equal([]);
      const elsewhere = PARTS_TESTED_ELSEWHERE[tag];
      const missing = documented.map((d) => d.name).filter((p) => !rendered.has(p) && !elsewhere[p]);
      expect(missing, 'documented but never rendered').to.deep.equal([]);
      for (const [part, file] of Object.entries(elsewhere)) {
        expect(await fetch(file).then((r) => r.text()), `${file} renders ${part}`).to.include(`[part~="${part}"]`);
      }
      for (const part of documented) expect(part.description, part.name).to.be.a('string').and.not.equal('');
    });

    it('documents every event it fires, with its detail type', async () => {
      const documented = declaration(tag).events ?? [];
      const text = await sources(tag);
      const dispatched = new Set(
        [...text.matchAll(/(?:widgetEvent|CustomEvent)\(\s*['"](janus-[a-z-]+)['"]/g)].map((m) => m[1]!),
      );
      for (const type of union(tag, (r) => r.events)) dispatched.add(type);
      expect(names(documented)).to.deep.equal([...dispatched].sort());
      for (const event of documented) {
        expect(event.type?.text, `${event.name} detail type`).to.match(/^CustomEvent<\w+>$/);
        expect(event.description, event.name).to.be.a('string').and.not.equal('');
      }
    });

    it('documents exactly the reachable states, and sets each as a custom state when it is announced', () => {
      expect(exhaustive).to.deep.equal([true, true, true]);
      expect(names(declaration(tag).cssStates)).to.deep.equal([...REACHABLE_STATES[tag]].sort());
      const mismatches = recorders[tag].flatMap((r) => r.stateMismatches);
      expect(mismatches, 'announced without :state()').to.deep.equal([]);
    });

    it('documents every custom property its styles read, each with a default', () => {
      const documented = declaration(tag).cssProperties ?? [];
      const used = propertiesUsed(tag);
      expect(
        names(documented).filter((p) => !used.has(p)),
        'documented but unused',
      ).to.deep.equal([]);
      expect(
        [...used].filter((p) => !documented.some((d) => d.name === p)),
        'used but undocumented',
      ).to.deep.equal([]);
      for (const prop of documented) expect(prop.default, `${prop.name} default`).to.be.a('string').and.not.equal('');
    });

    it('keeps controller plumbing out of the public members', () => {
      const members = declaration(tag).members ?? [];
      const exposed = members.filter((m) => !m.privacy && PLUMBING.includes(m.name)).map((m) => m.name);
      expect(exposed).to.deep.equal([]);
    });
  });
}
