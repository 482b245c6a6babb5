import type { ConnectionConfig } from './validation.js';
import { JanusWidgetError, throwIfAborted, toWidgetError } from './errors.js';
import type { ConnectOptions } from './janus.js';
import { TurnCredentialsRefresher } from './ice.js';

/** Delays between reconnection attempts: quick first, then backing off, with jitter. */
export const RECONNECT_DELAYS_MS = [250, 1000, 2000, 4000, 8000, 8000, 8000, 8000] as const;

export function reconnectDelay(attempt: number, random = Math.random): number | undefined {
  const base = RECONNECT_DELAYS_MS[attempt];
  return base === undefined ? undefined : Math.round(base * (0.8 + 0.4 * random()));
}

/** Failures another attempt may cure; a refused join (PIN, room, codec) would only be refused again. */
export function isRetryable(error: unknown): boolean {
  return ['server-unreachable', 'session-lost', 'ice-failed', 'negotiation-failed', 'janus-error'].includes(
    toWidgetError(error).code,
  );
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
): Promise<JanusWidgetError | undefined> {
  let last = new JanusWidgetError('session-lost', 'The connection to Janus was lost and could not be restored.');
  for (let index = 0; ; index++) {
    await cleanup();
    const delay = reconnectDelay(index);
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

/**
 * Turns a validated connection config into janus.js connect options, fetching TURN REST
 * credentials first (and refreshing them until `signal` aborts) when `turn-credentials` is set.
 */
export async function connectOptions(
  config: ConnectionConfig,
  signal: AbortSignal,
): Promise<Omit<ConnectOptions, 'signal'>> {
  const iceServers = [...config.iceServers];
  if (config.turnCredentials) {
    // One refresher for these options: reconnects reuse the options (and so the refreshed array);
    // it stops with `signal`, or at once when its first fetch fails.
    const refresher = new TurnCredentialsRefresher(config.turnCredentials, iceServers, config.iceServers);
    await refresher.start(signal);
    throwIfAborted(signal);
  }
  return {
    servers: config.servers,
    token: config.token,
    iceServers,
    iceTransportPolicy: config.iceTransportPolicy,
  };
}
