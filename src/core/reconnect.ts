import type { ConnectionConfig } from './validation.js';
import { JanusWidgetError, throwIfAborted, toWidgetError } from './errors.js';
import type { ConnectOptions } from './janus.js';

/** Delays between reconnection attempts: quick first, then backing off, with jitter. */
export const RECONNECT_DELAYS_MS = [250, 1000, 2000, 4000, 8000, 8000, 8000, 8000] as const;

export interface RetryOptions {
  /**
   * Spreads the first attempt uniformly over this many milliseconds after its delay, so that a
   * thousand viewers dropped by one Janus restart do not all come back in the same 50 ms.
   */
  firstAttemptSpreadMs?: number;
}

/** A viewer's first retry lands somewhere in this window: recovery stays quick, the herd spreads out. */
export const VIEWER_FIRST_RETRY_SPREAD_MS = 1500;

export function reconnectDelay(attempt: number, random = Math.random, options: RetryOptions = {}): number | undefined {
  const base = RECONNECT_DELAYS_MS[attempt];
  if (base === undefined) return undefined;
  const spread = attempt === 0 ? (options.firstAttemptSpreadMs ?? 0) : 0;
  return Math.round(spread > 0 ? base + spread * random() : base * (0.8 + 0.4 * random()));
}

/** Failures another attempt may cure; a refused join (PIN, room, codec) would only be refused again. */
export function isRetryable(error: unknown): boolean {
  return [
    'server-unreachable',
    'session-lost',
    'request-timeout',
    'ice-failed',
    'negotiation-failed',
    'janus-error',
  ].includes(toWidgetError(error).code);
}

/**
 * Re-establishes a lost connection: `cleanup`, wait the next backoff delay, `attempt`; again while
 * the failure is retryable and delays remain. Resolves with the error to fail with (the last
 * cause), or undefined once an attempt succeeded or `signal` aborted.
 */
export async function retryWithBackoff(
  attempt: () => Promise<void>,
  cleanup: () => Promise<void>,
  signal: AbortSignal,
  options: RetryOptions = {},
): Promise<JanusWidgetError | undefined> {
  let last = new JanusWidgetError('session-lost', 'The connection to Janus was lost and could not be restored.');
  for (let index = 0; ; index++) {
    await cleanup();
    const delay = reconnectDelay(index, Math.random, options);
    if (delay === undefined) return last;
    try {
      await sleep(delay, signal);
      await attempt();
      return undefined;
    } catch (error) {
      if (signal.aborted) return undefined;
      last = toWidgetError(error);
      if (!isRetryable(last)) return last;
    }
  }
}

/** Waits, unless aborted first (then rejects with the abort reason). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type ResolvedConnectOptions = Omit<ConnectOptions, 'signal'>;

/**
 * Turns a validated connection config into janus.js connect options, fetching TURN REST
 * credentials first (and refreshing them until `signal` aborts) when `turn-credentials` is set.
 * Without credentials to fetch the options come back at once, not in a promise: a caller that
 * connects in the same task opens its socket before the element's first render.
 */
export function connectOptions(
  config: ConnectionConfig,
  signal: AbortSignal,
): ResolvedConnectOptions | Promise<ResolvedConnectOptions> {
  const iceServers = [...config.iceServers];
  const options = {
    servers: config.servers,
    token: config.token,
    iceServers,
    iceTransportPolicy: config.iceTransportPolicy,
  };
  if (!config.turnCredentials) return options;
  // One refresher for these options: reconnects reuse the options (and so the refreshed array);
  // it stops with `signal`, or at once when its first fetch fails.
  const { turnCredentials } = config;
  // TURN REST credentials are a chunk of the CDN build: only pages that use them fetch it.
  return import('./ice.js').then(async ({ TurnCredentialsRefresher }) => {
    throwIfAborted(signal);
    await new TurnCredentialsRefresher(turnCredentials, iceServers, config.iceServers).start(signal);
    throwIfAborted(signal);
    return options;
  });
}
