// TURN REST credentials against a real endpoint (/__turn, a middleware in test/web-test-runner.config.mjs).
import { expect } from '@open-wc/testing';
import { JanusWidgetError } from '../../src/core/errors.js';
import {
  MAX_REFRESH_MS,
  MIN_REFRESH_MS,
  TurnCredentialsRefresher,
  fetchTurnCredentials,
  refreshDelayMs,
  retryDelayMs,
} from '../../src/core/ice.js';
import { connectOptions } from '../../src/core/reconnect.js';
import { until } from '../poll.js';

let ids = 0;
/** A fresh endpoint URL (its own call counter) with the given behaviour. */
function endpoint(params: Record<string, string> = {}): { url: string; hits(): Promise<number> } {
  const id = `t${Date.now()}-${ids++}`;
  const url = `/__turn?${new URLSearchParams({ id, key: 'SECRET-KEY', ...params })}`;
  return {
    url,
    hits: async () => ((await (await fetch(`/__turn-hits?id=${id}`)).json()) as { hits: number }).hits,
  };
}

async function rejection(promise: Promise<unknown>): Promise<JanusWidgetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(JanusWidgetError);
  return error as JanusWidgetError;
}

const refreshers: TurnCredentialsRefresher[] = [];
afterEach(() => {
  for (const refresher of refreshers.splice(0)) refresher.stop();
});

describe('TURN credentials', () => {
  describe('refresh policy', () => {
    it('refreshes at 80 % of the lifetime, clamped to 5 s .. 12 h; a missing or bad ttl uses one hour', () => {
      expect(refreshDelayMs(3600)).to.equal(2_880_000);
      expect(MIN_REFRESH_MS).to.equal(5000);
      expect(refreshDelayMs(1)).to.equal(MIN_REFRESH_MS);
      expect(refreshDelayMs(6)).to.equal(5000);
      expect(refreshDelayMs(60)).to.equal(48_000);
      expect(refreshDelayMs(0)).to.equal(2_880_000);
      expect(refreshDelayMs(-5)).to.equal(2_880_000);
      expect(refreshDelayMs(NaN)).to.equal(2_880_000);
      expect(refreshDelayMs(undefined)).to.equal(2_880_000);
      expect(refreshDelayMs(1e300)).to.equal(MAX_REFRESH_MS);
      expect(refreshDelayMs(Infinity)).to.equal(2_880_000);
    });

    it('retries failed refreshes after 5 s, doubling up to 5 min', () => {
      expect([1, 2, 3, 4, 5, 6, 7, 10, 50].map(retryDelayMs)).to.deep.equal([
        5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
      ]);
    });
  });

  describe('fetch', () => {
    it('returns the credentials, `password` accepted for `credential`', async () => {
      const ok = await fetchTurnCredentials(endpoint().url);
      expect(ok).to.deep.equal({ username: 'user-1', credential: 'cred-1', ttl: 3600, uris: ['turn:127.0.0.1:3478'] });
      const body = JSON.stringify({ username: 'u', password: 'p', uris: ['turns:t.example:443'] });
      expect(await fetchTurnCredentials(endpoint({ body }).url)).to.deep.include({ credential: 'p', ttl: undefined });
    });

    it('times out as server-unreachable, naming origin and path but not the query', async () => {
      const started = performance.now();
      const error = await rejection(fetchTurnCredentials(endpoint({ delay: '3000' }).url, undefined, 300));
      expect(performance.now() - started).to.be.below(2500);
      expect(error.code).to.equal('server-unreachable');
      expect(error.message).to.contain(`${location.origin}/__turn`);
      expect(error.message).to.not.contain('SECRET-KEY');
    });

    it('an HTTP error is server-unreachable, the query never quoted', async () => {
      const error = await rejection(fetchTurnCredentials(endpoint({ status: '500' }).url));
      expect(error.code).to.equal('server-unreachable');
      expect(error.message).to.contain('HTTP 500');
      expect(error.message).to.not.contain('SECRET-KEY');
    });

    it('an abort is not a failure', async () => {
      const abort = new AbortController();
      const pending = fetchTurnCredentials(endpoint({ delay: '2000' }).url, abort.signal);
      abort.abort();
      const error = await pending.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as DOMException).name).to.equal('AbortError');
    });

    it('refuses answers without username, credential or turn:/turns:/stun: uris, never echoing them', async () => {
      const bodies = [
        'not json',
        '[]',
        'null',
        JSON.stringify({ credential: 'MARKER', uris: ['turn:x'] }),
        JSON.stringify({ username: 'u', uris: ['turn:x'] }),
        JSON.stringify({ username: 'u', credential: 'MARKER', uris: [] }),
        JSON.stringify({ username: 'u', credential: 'MARKER', uris: 'turn:x' }),
        JSON.stringify({ username: 'u', credential: 'MARKER', uris: ['http://x'] }),
        JSON.stringify({ username: 'u', credential: 'MARKER', uris: [7] }),
        JSON.stringify({ username: 5, credential: 'MARKER', uris: ['turn:x'] }),
      ];
      for (const body of bodies) {
        const error = await rejection(fetchTurnCredentials(endpoint({ body }).url));
        expect(['invalid-config', 'server-unreachable'], body).to.include(error.code);
        expect(error.message, body).to.not.contain('MARKER');
        expect(error.message, body).to.not.contain('SECRET-KEY');
      }
    });
  });

  describe('refresher', () => {
    it('a bad ttl ("abc", 0, -1, 1e-9, 1e308) fetches once and schedules a bounded refresh', async () => {
      for (const ttl of ['"abc"', '0', '-1', '1e-9', '1e308', 'null', '{}']) {
        const turn = endpoint({ ttl });
        const delays: number[] = [];
        const refresher = new TurnCredentialsRefresher(turn.url, [], [], {
          refreshDelayMs: (seconds) => {
            const delay = refreshDelayMs(seconds);
            delays.push(delay);
            return delay;
          },
        });
        refreshers.push(refresher);
        await refresher.start();
        expect(delays[0], ttl).to.be.within(MIN_REFRESH_MS, MAX_REFRESH_MS);
        expect(refresher.scheduled).to.equal(true);
        // Long enough for a zero-delay refresh loop to have fetched many times.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await turn.hits(), ttl).to.equal(1);
        refresher.stop();
      }
    });

    it('updates the same array, keeps the static servers, and backs off after failed refreshes', async () => {
      const turn = endpoint({ failAfter: '2' });
      const failures: number[] = [];
      const iceServers: RTCIceServer[] = [];
      const stun = { urls: 'stun:s.example' };
      const refresher = new TurnCredentialsRefresher(turn.url, iceServers, [stun], {
        refreshDelayMs: () => 20,
        retryDelayMs: (count) => {
          failures.push(count);
          return 20 * count;
        },
      });
      refreshers.push(refresher);
      await refresher.start();
      expect(iceServers).to.deep.equal([
        stun,
        { urls: ['turn:127.0.0.1:3478'], username: 'user-1', credential: 'cred-1' },
      ]);
      await until(() => iceServers[1]?.username === 'user-2', 'second credentials');
      await until(() => failures.length >= 3, 'three failed refreshes');
      expect(failures.slice(0, 3)).to.deep.equal([1, 2, 3]);
      // Failed refreshes keep the last good credentials.
      expect(iceServers[1]).to.deep.include({ username: 'user-2', credential: 'cred-2' });
      refresher.stop();
      const hits = await turn.hits();
      expect(refresher.scheduled).to.equal(false);
      await new Promise((resolve) => setTimeout(resolve, 150)); // several former retry delays
      expect(await turn.hits()).to.equal(hits);
    });

    it('a failed first fetch rejects and schedules nothing; an abort stops it', async () => {
      const failing = new TurnCredentialsRefresher(endpoint({ status: '503' }).url, []);
      expect((await rejection(failing.start())).code).to.equal('server-unreachable');
      expect(failing.scheduled).to.equal(false);
      const abort = new AbortController();
      const refresher = new TurnCredentialsRefresher(endpoint().url, []);
      refreshers.push(refresher);
      await refresher.start(abort.signal);
      expect(refresher.scheduled).to.equal(true);
      abort.abort();
      expect(refresher.scheduled).to.equal(false);
      const late = new TurnCredentialsRefresher(endpoint().url, []);
      await late.start(abort.signal);
      expect(late.scheduled).to.equal(false);
    });

    it('connectOptions fetches once per call and stops refreshing with its signal', async () => {
      const turn = endpoint();
      const abort = new AbortController();
      const options = await connectOptions(
        {
          servers: ['ws://127.0.0.1:9/'],
          room: 1,
          iceServers: [{ urls: 'stun:s.example' }],
          iceTransportPolicy: 'relay',
          turnCredentials: new URL(turn.url, location.href).href,
        },
        abort.signal,
      );
      expect(options.iceServers).to.have.length(2);
      expect(await turn.hits()).to.equal(1);
      abort.abort();
    });
  });
});
