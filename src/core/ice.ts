import { JanusWidgetError, abortReason, throwIfAborted } from './errors.js';
import { describeUrl } from './validation.js';

/** What a TURN REST API endpoint answers (draft-uberti-behave-turn-rest). */
export interface TurnCredentials {
  username: string;
  credential: string;
  /** Lifetime in seconds, as the endpoint gave it (undefined when missing or not a number). */
  ttl: number | undefined;
  uris: string[];
}

/** How long one credentials request may take before it counts as unreachable. */
export const TURN_FETCH_TIMEOUT_MS = 8000;

const TURN_URI = /^(turn|turns|stun):[^\s]{1,512}$/;

/** Fetches TURN REST credentials; `password` and `credential` are both accepted. */
export async function fetchTurnCredentials(
  url: string,
  signal?: AbortSignal,
  timeoutMs = TURN_FETCH_TIMEOUT_MS,
): Promise<TurnCredentials> {
  throwIfAborted(signal);
  // The endpoint's query often carries an API key: messages name origin and path only.
  const where = describeUrl(url);
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: combined, credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    const reason = timeout.aborted
      ? `no answer within ${timeoutMs / 1000} s`
      : error instanceof SyntaxError
        ? 'the answer is not JSON'
        : /^HTTP \d+$/.test((error as Error).message)
          ? (error as Error).message
          : 'network error';
    throw new JanusWidgetError('server-unreachable', `Could not get TURN credentials from ${where} (${reason}).`, {
      cause: error,
    });
  }
  return validateTurnCredentials(body, where);
}

/** Checks an endpoint's answer; `where` names the endpoint in the error. */
export function validateTurnCredentials(body: unknown, where: string): TurnCredentials {
  const record =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const username = record['username'];
  const credential = record['credential'] ?? record['password'];
  const uris = record['uris'] ?? record['urls'];
  const urisOk =
    Array.isArray(uris) &&
    uris.length > 0 &&
    uris.length <= 16 &&
    uris.every((u) => typeof u === 'string' && TURN_URI.test(u));
  if (typeof username !== 'string' || typeof credential !== 'string' || !username || !urisOk) {
    // Never echo the body: it holds the credential.
    throw new JanusWidgetError(
      'invalid-config',
      `The turn-credentials attribute's endpoint ${where} answered without a username, a password or turn:/turns:/stun: uris.`,
    );
  }
  const ttl =
    typeof record['ttl'] === 'number' ? record['ttl'] : typeof record['ttl'] === 'string' ? Number(record['ttl']) : NaN;
  return { username, credential, ttl: Number.isFinite(ttl) ? ttl : undefined, uris: [...(uris as string[])] };
}

/** Bounds of the refresh delay, whatever lifetime the endpoint claims. */
export const MIN_REFRESH_MS = 5000;
export const MAX_REFRESH_MS = 12 * 3600_000;
/** The lifetime assumed when the endpoint gives none (or nonsense): one hour. */
export const DEFAULT_TTL_S = 3600;

/**
 * When to refresh credentials: at 80 % of their lifetime, so they never lapse mid-call; kept
 * between 5 s and 12 h, so a tiny `ttl` cannot hammer the endpoint nor a huge one go stale for
 * days. A missing, non-numeric or non-positive `ttl` counts as one hour.
 */
export function refreshDelayMs(ttlSeconds: number | undefined): number {
  const ttl = ttlSeconds !== undefined && Number.isFinite(ttlSeconds) && ttlSeconds > 0 ? ttlSeconds : DEFAULT_TTL_S;
  return Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, ttl * 800));
}

/** Delays between failed refreshes: 5 s, doubling, up to 5 minutes. */
export function retryDelayMs(failures: number): number {
  return Math.min(300_000, 5000 * 2 ** Math.max(0, failures - 1));
}

/**
 * Keeps an RTCIceServer array fresh from a TURN REST endpoint. The array object stays the same,
 * because janus.js reads it each time it creates a PeerConnection.
 */
export class TurnCredentialsRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();
  private failures = 0;

  constructor(
    private readonly url: string,
    /** Mutated in place on every refresh. */
    readonly iceServers: RTCIceServer[],
    private readonly staticServers: readonly RTCIceServer[] = [],
    private readonly timing: { refreshDelayMs?: typeof refreshDelayMs; retryDelayMs?: typeof retryDelayMs } = {},
  ) {}

  /** Whether a refresh is scheduled (tests). */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  /** Fetches once (rejecting on failure, then nothing is scheduled) and schedules refreshes until stopped. */
  async start(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return this.stop();
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    try {
      await this.refresh();
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  private async refresh(): Promise<void> {
    const credentials = await fetchTurnCredentials(this.url, this.abort.signal);
    if (this.abort.signal.aborted) return;
    this.failures = 0;
    this.iceServers.splice(0, this.iceServers.length, ...this.staticServers, {
      urls: credentials.uris,
      username: credentials.username,
      credential: credentials.credential,
    });
    this.schedule((this.timing.refreshDelayMs ?? refreshDelayMs)(credentials.ttl));
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failed refresh keeps the old credentials and is tried again, backing off.
      this.refresh().catch(() => {
        this.failures++;
        this.schedule((this.timing.retryDelayMs ?? retryDelayMs)(this.failures));
      });
    }, delay);
  }

  stop(): void {
    this.abort.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
