import type { ConnectionConfig } from './config.js';
import type { ConnectOptions } from './janus.js';
import { TurnCredentialsRefresher } from './ice.js';

/** Delays between reconnection attempts: quick first, then backing off, with jitter. */
export const RECONNECT_DELAYS_MS = [250, 1000, 2000, 4000, 8000, 8000, 8000, 8000] as const;

export function reconnectDelay(attempt: number, random = Math.random): number | undefined {
  const base = RECONNECT_DELAYS_MS[attempt];
  return base === undefined ? undefined : Math.round(base * (0.8 + 0.4 * random()));
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
export async function connectOptions(config: ConnectionConfig, signal: AbortSignal): Promise<Omit<ConnectOptions, 'signal'>> {
  const iceServers = [...config.iceServers];
  if (config.turnCredentials) {
    const refresher = new TurnCredentialsRefresher(config.turnCredentials, iceServers, config.iceServers);
    await refresher.start(signal);
  }
  return {
    servers: config.servers,
    token: config.token,
    iceServers,
    iceTransportPolicy: config.iceTransportPolicy,
  };
}
