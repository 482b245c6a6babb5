// Secrets (PIN, token, TURN credentials and keys) set to unique markers, then failures driven
// against the real Janus, an unreachable server and bad TURN endpoints: no marker may show up
// anywhere but in the attributes the author wrote.
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { JanusStats } from '../../src/components/janus-stats/janus-stats.js';
import { createRoom, stackInfo, until } from './stack.js';

const MARK = `mk${Math.random().toString(36).slice(2, 10)}`;
const PIN = `pin-${MARK}`;
const TOKEN = `token-${MARK}`;
const USERNAME = `user-${MARK}`;
const CREDENTIAL = `cred-${MARK}`;
const TURN_KEY = `key-${MARK}`;
/** Only the endpoint knows it: the URL carries it reversed. */
const SERVED_CREDENTIAL = `served-${MARK}`;
const reversed = (text: string) => [...text].reverse().join('');

const EVENTS = [
  'janus-state',
  'janus-error',
  'janus-stats',
  'janus-published',
  'janus-unpublished',
  'janus-device-change',
  'janus-feed-added',
  'janus-feed-removed',
  'janus-quality',
  'janus-playing',
];

type Widget = HTMLElement & {
  state: string;
  error?: unknown;
  iceServers?: RTCIceServer[];
  updateComplete: Promise<boolean>;
};

interface Mounted {
  el: Widget;
  stats: JanusStats;
  seen: string[];
}

const container = document.createElement('div');
document.body.append(container);
const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

function mount(
  tag: 'janus-publisher' | 'janus-viewer',
  attributes: Record<string, string>,
  iceServers?: RTCIceServer[],
): Mounted {
  const el = document.createElement(tag) as Widget;
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  if (iceServers) el.iceServers = iceServers;
  const seen: string[] = [];
  for (const type of EVENTS) {
    el.addEventListener(type, (event) => seen.push(`${type} ${JSON.stringify((event as CustomEvent).detail)}`));
  }
  const stats = document.createElement('janus-stats') as JanusStats;
  stats.slot = 'overlay';
  stats.interval = 200;
  el.append(stats);
  container.append(el);
  mounted.push(el);
  return { el, stats, seen };
}

/** Everything a page script, a listener or a user could read, except the author's own attributes. */
function exposed({ el, stats, seen }: Mounted, authored: readonly string[]): string {
  const attributes = [...el.attributes].filter((a) => !authored.includes(a.name)).map((a) => `${a.name}=${a.value}`);
  return [
    ...seen,
    JSON.stringify(el.error ?? null),
    ...attributes,
    el.shadowRoot?.innerHTML ?? '',
    el.shadowRoot?.textContent ?? '',
    stats.shadowRoot?.innerHTML ?? '',
    JSON.stringify(stats.diagnostics()),
    JSON.stringify(stats.error ?? null),
  ].join('\n');
}

async function expectNoLeak(m: Mounted, authored: readonly string[], code?: string): Promise<void> {
  await until(() => m.el.state === 'error', `state error (${code ?? 'any'})`);
  const error = m.el.error as { code?: string; message?: string } | undefined;
  if (code) expect(error?.code, error?.message).to.equal(code);
  await m.el.updateComplete;
  await m.stats.updateComplete;
  const text = exposed(m, authored);
  expect(text).to.contain('janus-error');
  for (const secret of [MARK, reversed(SERVED_CREDENTIAL)]) {
    const at = text.indexOf(secret);
    expect(at, `leaked near: ${text.slice(Math.max(0, at - 80), at + 40)}`).to.equal(-1);
  }
}

const ICE = [{ urls: 'turn:127.0.0.1:9?transport=tcp', username: USERNAME, credential: CREDENTIAL }];

describe('secrets never leak', () => {
  for (const tag of ['janus-publisher', 'janus-viewer'] as const) {
    describe(`<${tag}>`, () => {
      it('wrong PIN against the real Janus (token and TURN credential set too)', async () => {
        const { janus } = await stackInfo();
        const room = await createRoom({ pin: 'right-pin' });
        const m = mount(tag, { server: janus.ws, room: String(room), pin: PIN, token: TOKEN, autostart: '' }, ICE);
        await expectNoLeak(m, ['server', 'room', 'pin', 'token', 'autostart'], 'unauthorized');
      });

      it('unreachable server, over WebSocket and over HTTP long polling (token in its URLs)', async () => {
        for (const server of ['ws://127.0.0.1:9/', 'http://127.0.0.1:9/janus']) {
          const m = mount(tag, { server, room: '1234', pin: PIN, token: TOKEN, autostart: '' }, ICE);
          await expectNoLeak(m, ['server', 'room', 'pin', 'token', 'autostart'], 'server-unreachable');
          m.el.remove();
        }
      });

      it('TURN endpoint failing, timing out of its answer, or answering unusable uris', async () => {
        const { janus } = await stackInfo();
        const room = String(await createRoom());
        for (const query of [
          `status=500&key=${TURN_KEY}`,
          `badUris=1&rev=${reversed(SERVED_CREDENTIAL)}&key=${TURN_KEY}`,
        ]) {
          const m = mount(tag, {
            server: janus.ws,
            room,
            token: TOKEN,
            'turn-credentials': `/__turn?${query}`,
            'ice-transport-policy': 'relay',
            autostart: '',
          });
          await expectNoLeak(m, ['server', 'room', 'token', 'turn-credentials', 'ice-transport-policy', 'autostart']);
          m.el.remove();
        }
      });

      it('good TURN credentials from the endpoint, then an unreachable Janus', async () => {
        const m = mount(tag, {
          server: 'ws://127.0.0.1:9/',
          room: '1234',
          'turn-credentials': `/__turn?rev=${reversed(SERVED_CREDENTIAL)}&key=${TURN_KEY}`,
          autostart: '',
        });
        await expectNoLeak(m, ['server', 'room', 'turn-credentials', 'autostart'], 'server-unreachable');
      });

      it('invalid config: a huge PIN, a bad TURN entry in ice-servers and in iceServers, a URL with a key in the wrong place', async () => {
        const cases: Array<[Record<string, string>, RTCIceServer[] | undefined]> = [
          [{ server: 'ws://127.0.0.1:9/', room: '1', pin: PIN.repeat(40) }, undefined],
          [{ server: 'ws://127.0.0.1:9/', room: '1', token: `${TOKEN}\u0000` }, undefined],
          [
            {
              server: 'ws://127.0.0.1:9/',
              room: '1',
              'ice-servers': JSON.stringify([{ urls: 'http://x', credential: CREDENTIAL }]),
            },
            undefined,
          ],
          [
            { server: 'ws://127.0.0.1:9/', room: '1' },
            [{ urls: 'turn:x', username: USERNAME, credential: 5 as unknown as string }],
          ],
          [{ server: `wss://${USERNAME}:${CREDENTIAL}@janus.example.com/ws?token=${TOKEN}`, room: '1' }, undefined],
          [{ server: `wss://janus.example.com/ws?token=${TOKEN}#${MARK}`, room: '1' }, undefined],
          [{ server: 'ws://127.0.0.1:9/', room: `https://x.example/?key=${TURN_KEY}` }, undefined],
          [
            { server: 'ws://127.0.0.1:9/', room: '1', 'turn-credentials': `javascript:alert('${TURN_KEY}')` },
            undefined,
          ],
        ];
        for (const [attributes, ice] of cases) {
          const m = mount(tag, { ...attributes, autostart: '' }, ice);
          await expectNoLeak(m, [...Object.keys(attributes), 'autostart'], 'invalid-config');
          m.el.remove();
        }
      });
    });
  }
});
