// Hostile attribute values for all three elements, drawn with a fixed seed so a failure replays:
// nothing may throw uncaught, and a refused value is one `invalid-config` naming an attribute.
// Valid combinations point at a port nobody listens on, so they fail fast without a network.
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import { until } from './stack.js';

/** mulberry32: a tiny, fixed-seed PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CORPUS = [
  '',
  ' ',
  '\t\n ',
  'x'.repeat(100_000),
  '💥\u202e\u0000\u2028ünï',
  'javascript:alert(1)',
  'data:application/json,{}',
  '#frag',
  'ws://127.0.0.1:9/#x',
  'ws://user:pw@127.0.0.1:9/',
  'http://127.0.0.1:9/turn?key=SECRET#f',
  '/turn-credentials',
  '-1',
  '0',
  '-0',
  '1',
  '0.5',
  '250',
  '1e308',
  '-1e308',
  '9007199254740993',
  'NaN',
  'Infinity',
  '0x10',
  '99999x99999',
  '16x16',
  '1280x720',
  '{"a":',
  '[{"urls":"turn:x","credential":{}}]',
  '[{"urls":["stun:127.0.0.1:9"]}]',
  '[]',
  '[null]',
  'null',
  'undefined',
  'true',
  '<img src=x onerror=alert(1)>',
  '__proto__',
  'constructor',
  'camera',
  'screen',
  'none',
  'microphone',
  'relay',
  'all',
  'auto',
  'high',
  'audio',
  'vp9',
  'h265',
  'user',
  'environment',
  'lobby-1',
  '%00%2F',
];

/** The valid starting point every element gets before its fuzzed attributes. */
const BASE: Record<string, Record<string, string>> = {
  'janus-publisher': { server: 'ws://127.0.0.1:9/', room: '1234', autostart: '' },
  'janus-viewer': { server: 'ws://127.0.0.1:9/', room: '1234' },
  'janus-stats': { interval: '1000' },
};

interface Case {
  el: HTMLElement & { state?: string; error?: { code: string; message: string } };
  attributes: Record<string, string>;
  errors: CustomEvent[];
}

const container = document.createElement('div');
document.body.append(container);

function settled(c: Case): boolean {
  const { el } = c;
  if (el.localName === 'janus-stats') return true;
  if (el.state === 'error') return true;
  // A publisher without autostart previews: settled once its capture answered.
  return (
    el.localName === 'janus-publisher' && !el.hasAttribute('autostart') && Boolean((el as { stream?: unknown }).stream)
  );
}

describe('fuzz: hostile attribute values', () => {
  const uncaught: string[] = [];
  const onError = (event: ErrorEvent) => uncaught.push(`error: ${event.message}`);
  const onRejection = (event: PromiseRejectionEvent) => uncaught.push(`unhandledrejection: ${String(event.reason)}`);
  before(() => {
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
  });
  after(() => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  });

  it('never throws uncaught; a refused value is state=error and one invalid-config naming an attribute', async function () {
    this.timeout(90_000);
    const random = mulberry32(0x5eed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const tags = Object.keys(BASE);
    const BATCHES = 25;
    const PER_BATCH = 24;
    let tried = 0;
    let refusedCount = 0;
    const started = performance.now();
    for (let batch = 0; batch < BATCHES; batch++) {
      const cases: Case[] = [];
      for (let i = 0; i < PER_BATCH; i++) {
        const tag = tags[(batch * PER_BATCH + i) % tags.length]!;
        const observed = (customElements.get(tag) as unknown as { observedAttributes: string[] }).observedAttributes;
        const attributes: Record<string, string> = { ...BASE[tag] };
        // One to four attributes get hostile values; sometimes the base is left valid.
        const count = 1 + Math.floor(random() * 4);
        for (let n = 0; n < count; n++) attributes[pick(observed)] = pick(CORPUS);
        const el = document.createElement(tag) as Case['el'];
        for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
        const errors: CustomEvent[] = [];
        el.addEventListener('janus-error', (event) => errors.push(event as CustomEvent));
        container.append(el);
        cases.push({ el, attributes, errors });
      }
      await Promise.all(cases.map((c) => (c.el as unknown as { updateComplete: Promise<unknown> }).updateComplete));
      await until(() => cases.every(settled), 'every element settled', 5000, 20).catch(() => undefined);
      for (const c of cases) {
        const what = `${c.el.localName} ${JSON.stringify(c.attributes, (_k, v: string) => (v.length > 60 ? `${v.slice(0, 60)}…` : v))}`;
        const invalid = c.errors.filter((e) => e.detail.code === 'invalid-config');
        if (invalid.length > 0) {
          refusedCount++;
          expect(c.el.state, what).to.equal('error');
          expect(c.errors, what).to.have.length(1);
          expect(c.el.error?.code, what).to.equal('invalid-config');
          const observed = (c.el.constructor as unknown as { observedAttributes: string[] }).observedAttributes;
          const message = invalid[0]!.detail.message as string;
          expect(
            observed.some((name) => message.includes(name)),
            `${what}: message names an attribute: ${message}`,
          ).to.equal(true);
          expect(message.length, what).to.be.below(400);
          expect(message, what).to.not.contain('SECRET');
        }
        // Values render as text, never as markup.
        expect(c.el.shadowRoot?.querySelector('img'), what).to.equal(null);
        c.el.remove();
        tried++;
      }
      expect(uncaught, `after batch ${batch}`).to.deep.equal([]);
    }
    console.log(
      `fuzz: ${tried} inputs tried, ${refusedCount} refused as invalid-config, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(tried).to.equal(BATCHES * PER_BATCH);
  });
});
