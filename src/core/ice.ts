import { JanusWidgetError, abortReason, throwIfAborted } from './errors.js';

/** What a TURN REST API endpoint answers (draft-uberti-behave-turn-rest). */
export interface TurnCredentials {
  username: string;
  credential: string;
  /** Lifetime in seconds. */
  ttl: number;
  uris: string[];
}

/** Fetches TURN REST credentials; `password` and `credential` are both accepted. */
export async function fetchTurnCredentials(url: string, signal?: AbortSignal): Promise<TurnCredentials> {
  throwIfAborted(signal);
  let body: Record<string, unknown>;
  try {
    const response = await fetch(url, { signal: signal ?? null, credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw new JanusWidgetError('server-unreachable', `Could not get TURN credentials from ${url} (${String(error)}).`, {
      cause: error,
    });
  }
  const credential = body['credential'] ?? body['password'];
  const uris = body['uris'] ?? body['urls'];
  if (typeof body['username'] !== 'string' || typeof credential !== 'string' || !Array.isArray(uris)) {
    throw new JanusWidgetError('invalid-config', `The TURN credentials from ${url} lack username, password or uris.`);
  }
  return { username: body['username'], credential, ttl: Number(body['ttl'] ?? 86400), uris: uris as string[] };
}

/** When to refresh credentials: at 80 % of their lifetime, so they never lapse mid-call. */
export function refreshDelayMs(ttlSeconds: number): number {
  return Math.max(5, ttlSeconds * 0.8) * 1000;
}

/**
 * Keeps an RTCIceServer array fresh from a TURN REST endpoint. The array object stays the same,
 * because janus.js reads it each time it creates a PeerConnection.
 */
export class TurnCredentialsRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly url: string,
    /** Mutated in place on every refresh. */
    readonly iceServers: RTCIceServer[],
    private readonly staticServers: readonly RTCIceServer[] = [],
  ) {}

  /** Fetches once (rejecting on failure) and schedules refreshes. */
  async start(signal?: AbortSignal): Promise<void> {
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const credentials = await fetchTurnCredentials(this.url, this.abort.signal);
    this.iceServers.splice(0, this.iceServers.length, ...this.staticServers, {
      urls: credentials.uris,
      username: credentials.username,
      credential: credentials.credential,
    });
    this.timer = setTimeout(() => {
      // A failed refresh keeps the old credentials; the next one is tried a little later.
      this.refresh().catch(() => {
        if (!this.abort.signal.aborted) this.timer = setTimeout(() => void this.refresh().catch(() => {}), 5000);
      });
    }, refreshDelayMs(credentials.ttl));
  }

  stop(): void {
    this.abort.abort();
    clearTimeout(this.timer);
  }
}
