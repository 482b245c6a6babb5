import { expect } from '@open-wc/testing';
import { JanusWidgetError } from '../../src/core/errors.js';
import {
  RECONNECT_DELAYS_MS,
  VIEWER_FIRST_RETRY_SPREAD_MS,
  isRetryable,
  reconnectDelay,
  retryWithBackoff,
} from '../../src/core/reconnect.js';

describe('reconnect', () => {
  it('backs off along the schedule with ±20 % jitter, then gives up', () => {
    expect(reconnectDelay(0, () => 0)).to.equal(200);
    expect(reconnectDelay(0, () => 1)).to.equal(300);
    expect(reconnectDelay(1, () => 0.5)).to.equal(1000);
    expect(reconnectDelay(RECONNECT_DELAYS_MS.length)).to.equal(undefined);
  });

  it('spreads a first retry over its window, so viewers dropped together come back apart', () => {
    const spread = { firstAttemptSpreadMs: VIEWER_FIRST_RETRY_SPREAD_MS };
    expect(reconnectDelay(0, () => 0, spread)).to.equal(RECONNECT_DELAYS_MS[0]);
    expect(reconnectDelay(0, () => 0.999, spread)).to.be.closeTo(
      RECONNECT_DELAYS_MS[0] + VIEWER_FIRST_RETRY_SPREAD_MS,
      2,
    );
    // Later retries keep their ±20 % jitter.
    expect(reconnectDelay(1, () => 0.5, spread)).to.equal(1000);
    // A thousand viewers: no 50 ms slot holds more than a few percent of them.
    const slots = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const slot = Math.floor(reconnectDelay(0, Math.random, spread)! / 50);
      slots.set(slot, (slots.get(slot) ?? 0) + 1);
    }
    expect(Math.max(...slots.values())).to.be.below(80);
  });

  it('retries transport failures only', () => {
    for (const code of [
      'server-unreachable',
      'session-lost',
      'request-timeout',
      'ice-failed',
      'negotiation-failed',
      'janus-error',
    ] as const) {
      expect(isRetryable(new JanusWidgetError(code, code)), code).to.equal(true);
    }
    for (const code of ['unauthorized', 'room-not-found', 'codec-refused', 'invalid-config'] as const) {
      expect(isRetryable(new JanusWidgetError(code, code)), code).to.equal(false);
    }
  });

  it('cleans up before each attempt and succeeds on a later attempt', async () => {
    const calls: string[] = [];
    let attempts = 0;
    const failure = await retryWithBackoff(
      async () => {
        calls.push('attempt');
        if (++attempts < 2) throw new JanusWidgetError('server-unreachable', 'down');
      },
      async () => void calls.push('cleanup'),
      new AbortController().signal,
    );
    expect(failure).to.equal(undefined);
    expect(calls).to.deep.equal(['cleanup', 'attempt', 'cleanup', 'attempt']);
  });

  it('stops at a failure another attempt cannot cure, and returns it', async () => {
    let attempts = 0;
    const refused = new JanusWidgetError('unauthorized', 'wrong PIN', { janusCode: 433 });
    const failure = await retryWithBackoff(
      async () => {
        attempts++;
        throw refused;
      },
      async () => {},
      new AbortController().signal,
    );
    expect(failure).to.equal(refused);
    expect(attempts).to.equal(1);
  });

  it('resolves quietly when aborted while waiting', async () => {
    const abort = new AbortController();
    let attempts = 0;
    const pending = retryWithBackoff(
      async () => void attempts++,
      async () => {},
      abort.signal,
    );
    abort.abort();
    expect(await pending).to.equal(undefined);
    expect(attempts).to.equal(0);
  });
});
