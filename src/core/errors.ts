/**
 * Stable error codes a site owner can rely on. Codes are only ever added, never renamed.
 */
export type JanusErrorCode =
  | 'invalid-config'
  | 'server-unreachable'
  | 'session-lost'
  | 'room-not-found'
  | 'feed-not-found'
  | 'room-full'
  | 'unauthorized'
  | 'codec-refused'
  | 'media-denied'
  | 'media-not-found'
  | 'media-busy'
  | 'media-overconstrained'
  | 'media-cancelled'
  | 'ice-failed'
  | 'negotiation-failed'
  | 'kicked'
  | 'room-destroyed'
  | 'unpublished'
  /**
   * Janus did not answer a request in time while the session still looked alive (a hung plugin,
   * a half-open socket). Retryable: a fresh attempt on a fresh session usually gets through.
   */
  | 'request-timeout'
  /** The HLS playlist or its segments could not be played (bad playlist, HTTP errors, stalls) after retries. */
  | 'hls-failed'
  | 'janus-error';

/** The one error type every widget failure is reported with. */
export class JanusWidgetError extends Error {
  override readonly name = 'JanusWidgetError';

  constructor(
    readonly code: JanusErrorCode,
    message: string,
    options: { janusCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.janusCode = options.janusCode;
  }

  /** The numeric Janus error code, where Janus gave one. */
  readonly janusCode: number | undefined;

  /** The plain object carried by `janus-error` events. */
  toJSON(): { code: JanusErrorCode; message: string; janusCode?: number } {
    return this.janusCode === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, janusCode: this.janusCode };
  }
}

// VideoRoom error codes, from janus_videoroom.c.
const VIDEOROOM_CODES: Record<number, JanusErrorCode> = {
  426: 'room-not-found',
  428: 'feed-not-found',
  432: 'room-full',
  433: 'unauthorized',
};

/** Maps an error reported by the VideoRoom plugin (`error_code`, `error`). */
export function fromVideoRoomError(janusCode: number, message: string): JanusWidgetError {
  const code = VIDEOROOM_CODES[janusCode] ?? (/codec/i.test(message) ? 'codec-refused' : 'janus-error');
  return new JanusWidgetError(code, message, { janusCode });
}

/** Maps an error of the Janus core protocol (`{janus: "error", error: {code, reason}}`). */
export function fromJanusCoreError(janusCode: number, message: string): JanusWidgetError {
  // 403 is "unauthorized request (wrong or missing secret/token)".
  const code: JanusErrorCode = janusCode === 403 ? 'unauthorized' : janusCode === 458 ? 'session-lost' : 'janus-error';
  return new JanusWidgetError(code, message, { janusCode });
}

const MEDIA_CODES: Record<string, JanusErrorCode> = {
  NotAllowedError: 'media-denied',
  SecurityError: 'media-denied',
  PermissionDeniedError: 'media-denied',
  NotFoundError: 'media-not-found',
  DevicesNotFoundError: 'media-not-found',
  NotReadableError: 'media-busy',
  TrackStartError: 'media-busy',
  AbortError: 'media-busy',
  OverconstrainedError: 'media-overconstrained',
  ConstraintNotSatisfiedError: 'media-overconstrained',
};

const MEDIA_MESSAGES: Partial<Record<JanusErrorCode, string>> = {
  'media-denied': 'Permission to use the camera or microphone was denied.',
  'media-not-found': 'No camera or microphone was found.',
  'media-busy': 'The camera or microphone is in use by another application.',
  'media-overconstrained': 'The camera cannot provide the requested resolution or frame rate.',
  'media-cancelled': 'Screen sharing was cancelled.',
};

/** Maps a getUserMedia / getDisplayMedia failure (a DOMException) to a widget error. */
export function fromMediaError(error: unknown, kind: 'camera' | 'screen' = 'camera'): JanusWidgetError {
  if (error instanceof JanusWidgetError) return error;
  const name = (error as { name?: string } | null)?.name ?? '';
  let code = MEDIA_CODES[name] ?? 'media-busy';
  // getDisplayMedia reports the user closing the picker as NotAllowedError.
  if (kind === 'screen' && code === 'media-denied') code = 'media-cancelled';
  return new JanusWidgetError(code, MEDIA_MESSAGES[code] ?? String(error), { cause: error });
}

/** Wraps anything thrown into a widget error, keeping widget errors as they are. */
export function toWidgetError(error: unknown, fallback: JanusErrorCode = 'janus-error'): JanusWidgetError {
  if (error instanceof JanusWidgetError) return error;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  return new JanusWidgetError(fallback, message, { cause: error });
}

/** True for the rejection of an aborted operation, which widgets swallow silently. */
export function isAbortError(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError' && !(error instanceof JanusWidgetError);
}

/** Throws the signal's reason if it was aborted (a DOMException named AbortError). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Aborted', 'AbortError');
}

/** Settles as `promise` does, or rejects with the abort reason once `signal` aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    throwIfAborted(signal);
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
