// The only module that imports janus-gateway: everything else sees promises and typed events.
import Janus, { type JanusJS } from 'janus-gateway';
import { Emitter } from './emitter.js';
import {
  JanusWidgetError,
  abortReason,
  fromJanusCoreError,
  fromVideoRoomError,
  throwIfAborted,
  toWidgetError,
} from './errors.js';

export type Jsep = JanusJS.JSEP;
export type TrackOption = JanusJS.TrackOption;
/** A message a plugin sent us (its `plugindata.data`). */
export type PluginData = Record<string, unknown> & { error_code?: number; error?: string };

/**
 * janus.js only reads `adapter.browserDetails`, so a few bytes of user-agent parsing replace
 * the whole webrtc-adapter (about 10 KB gzip).
 */
export function browserDetails(userAgent: string): { browser: string; version: number | null } {
  const match =
    /Firefox\/(\d+)/.exec(userAgent) ??
    /(?:Chrome|Chromium|CriOS)\/(\d+)/.exec(userAgent) ??
    /AppleWebKit\/(\d+)/.exec(userAgent);
  if (!match) return { browser: 'Not a supported browser.', version: null };
  const browser = match[0].startsWith('Firefox') ? 'firefox' : match[0].startsWith('AppleWebKit') ? 'safari' : 'chrome';
  return { browser, version: Number(match[1]) };
}

let initialised: Promise<void> | undefined;

function initJanus(): Promise<void> {
  initialised ??= new Promise((resolve) => {
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies({ adapter: { browserDetails: browserDetails(navigator.userAgent) } }),
      callback: () => resolve(),
    });
  });
  return initialised;
}

/** Time allowed for ICE and DTLS to complete before publishing or subscribing counts as failed. */
export const MEDIA_TIMEOUT_MS = 15000;

export interface ConnectOptions {
  /** Janus URLs (ws, wss, http, https), tried in order. */
  servers: readonly string[];
  token?: string | undefined;
  /** Used for every PeerConnection of this session; janus.js reads the array when it creates one. */
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
  signal?: AbortSignal | undefined;
}

/** Maps janus.js's error strings (it drops the numeric codes) to widget errors. */
function sessionError(message: string): JanusWidgetError {
  if (/unauthori[sz]ed/i.test(message)) return fromJanusCoreError(403, message);
  if (/Is the server down|network error|Lost connection/i.test(message)) {
    return new JanusWidgetError('server-unreachable', `Cannot reach the Janus server (${message})`);
  }
  return new JanusWidgetError('janus-error', message);
}

interface ConnectionEvents {
  /** The transport to Janus was lost after the session had been created. */
  lost: JanusWidgetError;
}

/** How long creating a session may take: janus.js never reports a socket that closes before Janus answered. */
export const CONNECT_TIMEOUT_MS = 10000;

/** One Janus session (one WebSocket or long-poll loop). */
export class JanusConnection extends Emitter<ConnectionEvents> {
  private destroyed = false;
  private isLost = false;
  /** Handles attached (or being attached) on this session: janus.js tells them nothing when it is lost. */
  private readonly handles = new Set<PluginHandle>();
  private readonly attaching = new Set<(error: JanusWidgetError) => void>();

  private constructor(private readonly janus: JanusJS.Janus) {
    super();
  }

  /** The transport dropped: fail what waits for an answer that will never come, then tell the holders. */
  private lose(error: JanusWidgetError): void {
    if (this.isLost || this.destroyed) return;
    this.isLost = true;
    for (const reject of [...this.attaching]) reject(error);
    for (const handle of [...this.handles]) handle.lose(error);
    this.emit('lost', error);
  }

  /** Creates a session on the first server of the list that answers. */
  static async connect(options: ConnectOptions): Promise<JanusConnection> {
    await initJanus();
    throwIfAborted(options.signal);
    return new Promise((resolve, reject) => {
      let connection: JanusConnection | undefined;
      let settled = false;
      const giveUp = (error: unknown) => {
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        janus.destroy({ notifyDestroyed: false, cleanupHandles: true });
        reject(error);
      };
      const onAbort = () => giveUp(abortReason(options.signal!));
      const timer = setTimeout(
        () =>
          giveUp(
            new JanusWidgetError(
              'server-unreachable',
              `Janus did not create a session within ${CONNECT_TIMEOUT_MS / 1000} s`,
            ),
          ),
        CONNECT_TIMEOUT_MS,
      );
      const janus: JanusJS.Janus = new Janus({
        server: [...options.servers],
        token: options.token,
        iceServers: options.iceServers,
        iceTransportPolicy: options.iceTransportPolicy,
        destroyOnUnload: true,
        keepAlivePeriod: 25000,
        success: () => {
          // Given up before Janus answered: the session exists now, and janus.js keeps it alive until destroyed.
          if (settled) return void janus.destroy({ notifyDestroyed: false, cleanupHandles: true });
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          connection = new JanusConnection(janus);
          resolve(connection);
        },
        // janus.js reports a dropped socket here too ("Lost connection to the server"), once the session exists.
        error: (message: unknown) => {
          const error = sessionError(String(message));
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', onAbort);
            reject(error);
          } else if (connection) {
            connection.lose(new JanusWidgetError('session-lost', error.message, { cause: error }));
          }
        },
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The Janus session id. */
  get sessionId(): number {
    return this.janus.getSessionId();
  }

  /** Attaches a plugin handle (the VideoRoom by default). */
  attach(signal?: AbortSignal, plugin = 'janus.plugin.videoroom'): Promise<PluginHandle> {
    throwIfAborted(signal);
    if (this.isLost || this.destroyed)
      return Promise.reject(new JanusWidgetError('session-lost', 'The Janus session is gone'));
    return new Promise((resolve, reject) => {
      const handle = new PluginHandle(() => this.handles.delete(handle));
      let settled = false;
      const settle = (error?: unknown) => {
        if (settled) return false;
        settled = true;
        this.attaching.delete(onLost);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        return true;
      };
      const onLost = (error: JanusWidgetError) => settle(error);
      const onAbort = () => settle(abortReason(signal!));
      this.attaching.add(onLost);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.janus.attach({
        plugin,
        opaqueId: `janus-widgets-${Janus.randomString(8)}`,
        ...handle.callbacks(),
        success: (raw) => {
          handle.bind(raw);
          // Given up meanwhile (aborted, session lost): nobody will detach it but us.
          if (!settle()) {
            void handle.detach();
            return;
          }
          this.handles.add(handle);
          resolve(handle);
        },
        error: (message) => settle(sessionError(String(message))),
      });
    });
  }

  /** Destroys the session on the server and closes the transport. */
  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    this.removeAllListeners();
    this.handles.clear();
    const id = this.janus.getSessionId();
    return new Promise<void>((resolve) => {
      this.janus.destroy({
        cleanupHandles: true,
        notifyDestroyed: false,
        success: () => resolve(),
        error: () => resolve(),
      });
    }).then(() => {
      // janus.js keeps every session it ever created in this map (for its unload handler): one per reconnect.
      (Janus as unknown as { sessions?: Map<number, unknown> }).sessions?.delete(id);
    });
  }
}

export interface HandleEvents {
  /** An unsolicited plugin event (publishers joining, leaving, `updated`, ...). */
  event: { data: PluginData; jsep?: Jsep | undefined };
  remotetrack: { track: MediaStreamTrack; mid: string; on: boolean };
  webrtc: { up: boolean };
  ice: { state: string };
  media: { kind: 'audio' | 'video'; receiving: boolean; mid?: string | undefined };
  slowlink: { uplink: boolean; lost: number; mid: string };
  /** The PeerConnection was closed (hangup or detach). */
  cleanup: void;
  /** The handle was detached, by us or by the server. */
  detached: void;
  /** The session's transport dropped: the handle is unusable (its requests have failed). */
  lost: JanusWidgetError;
}

interface PendingRequest {
  matches: (data: PluginData, jsep?: Jsep) => boolean;
  resolve: (value: { data: PluginData; jsep?: Jsep | undefined }) => void;
  reject: (error: unknown) => void;
}

/** A janus.js plugin handle with promises and typed events. */
export class PluginHandle extends Emitter<HandleEvents> {
  private raw: JanusJS.PluginHandle | undefined;
  private readonly pending: PendingRequest[] = [];
  private isDetached = false;
  private lostError: JanusWidgetError | undefined;

  /** @internal `onGone` tells the session the handle no longer needs to hear about a loss. */
  constructor(private readonly onGone: () => void = () => {}) {
    super();
  }

  /** @internal The session was lost: requests waiting for an answer fail now instead of never. */
  lose(error: JanusWidgetError): void {
    if (this.isDetached || this.lostError) return;
    this.lostError = error;
    this.failPending(error);
    this.emit('lost', error);
  }

  /** The loss of the session, if it was lost. */
  get lost(): JanusWidgetError | undefined {
    return this.lostError;
  }

  /** Whether Janus reported the PeerConnection up (webrtcup) and not down since. */
  webrtcUp = false;

  /** @internal */
  bind(raw: JanusJS.PluginHandle): void {
    this.raw = raw;
  }

  /** @internal the janus.js callbacks routed into this object's events. */
  callbacks(): JanusJS.PluginCallbacks {
    return {
      onmessage: (message, jsep) => this.route(message as PluginData, jsep),
      onremotetrack: (track, mid, on) => this.emit('remotetrack', { track, mid, on }),
      webrtcState: (up) => {
        this.webrtcUp = up;
        this.emit('webrtc', { up });
      },
      iceState: (state) => this.emit('ice', { state }),
      mediaState: (kind, receiving, mid) =>
        this.emit('media', { kind, receiving, mid: mid === undefined ? undefined : String(mid) }),
      slowLink: (uplink, lost, mid) => this.emit('slowlink', { uplink, lost, mid }),
      oncleanup: () => this.emit('cleanup', undefined),
      ondetached: () => {
        this.isDetached = true;
        this.onGone();
        this.failPending(new JanusWidgetError('session-lost', 'The plugin handle was detached'));
        this.emit('detached', undefined);
      },
    };
  }

  private get handle(): JanusJS.PluginHandle {
    if (!this.raw || this.isDetached) throw new JanusWidgetError('session-lost', 'The plugin handle is gone');
    return this.raw;
  }

  /** The handle id Janus gave. */
  get id(): string {
    return String(this.raw?.getId() ?? '');
  }

  /** The PeerConnection, once an offer or answer created it. */
  get pc(): RTCPeerConnection | undefined {
    return this.raw?.webrtcStuff?.pc ?? undefined;
  }

  get detached(): boolean {
    return this.isDetached;
  }

  private route(data: PluginData, jsep?: Jsep): void {
    if (typeof data.error_code === 'number' || typeof data.error === 'string') {
      const first = this.pending.shift();
      const error = fromVideoRoomError(data.error_code ?? 0, data.error ?? 'Unknown plugin error');
      if (first) first.reject(error);
      else this.emit('event', { data, jsep });
      return;
    }
    const index = this.pending.findIndex((request) => request.matches(data, jsep));
    if (index >= 0) {
      const [request] = this.pending.splice(index, 1);
      request!.resolve({ data, jsep });
    } else {
      this.emit('event', { data, jsep });
    }
  }

  private failPending(error: unknown): void {
    for (const request of this.pending.splice(0)) request.reject(error);
  }

  /**
   * Sends an asynchronous plugin request (join, configure, start, ...) and resolves with the
   * event that answers it, chosen by `matches`; a plugin error rejects with a widget error.
   */
  request(
    message: Record<string, unknown>,
    matches: (data: PluginData, jsep?: Jsep) => boolean,
    options: { jsep?: Jsep | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<{ data: PluginData; jsep?: Jsep | undefined }> {
    const { signal } = options;
    throwIfAborted(signal);
    if (this.lostError) return Promise.reject(this.lostError);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.pending.indexOf(entry);
        if (index >= 0) this.pending.splice(index, 1);
        reject(abortReason(signal!));
      };
      const entry: PendingRequest = {
        matches,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
      this.send(message, options.jsep).then(
        (data) => {
          // A synchronous answer (or a synchronous error) arrives here rather than as an event.
          if (data && (typeof data.error_code === 'number' || typeof data.error === 'string')) {
            this.route(data);
          } else if (data && matches(data)) {
            const index = this.pending.indexOf(entry);
            if (index >= 0) this.pending.splice(index, 1);
            entry.resolve({ data });
          }
        },
        (error) => {
          const index = this.pending.indexOf(entry);
          if (index >= 0) this.pending.splice(index, 1);
          entry.reject(error);
        },
      );
    });
  }

  /** Sends a message without waiting for a plugin event; resolves with the synchronous answer, if any. */
  send(message: Record<string, unknown>, jsep?: Jsep): Promise<PluginData | undefined> {
    return new Promise((resolve, reject) => {
      const handle = this.handle;
      handle.send({
        message: message as JanusJS.PluginMessage['message'],
        ...(jsep ? { jsep } : {}),
        success: (data?: unknown) => resolve(data as PluginData | undefined),
        error: (reason: string) => reject(sessionError(reason)),
      });
    });
  }

  createOffer(tracks: TrackOption[], options: { iceRestart?: boolean } = {}): Promise<Jsep> {
    return new Promise((resolve, reject) => {
      this.handle.createOffer({
        tracks,
        ...options,
        success: resolve,
        error: (error: unknown) => reject(toWidgetError(error, 'negotiation-failed')),
      });
    });
  }

  createAnswer(jsep: Jsep, tracks: TrackOption[] = []): Promise<Jsep> {
    return new Promise((resolve, reject) => {
      this.handle.createAnswer({
        jsep,
        tracks,
        success: resolve,
        error: (error: unknown) => reject(toWidgetError(error, 'negotiation-failed')),
      });
    });
  }

  handleRemoteJsep(jsep: Jsep): Promise<void> {
    return new Promise((resolve, reject) => {
      this.handle.handleRemoteJsep({
        jsep,
        success: () => resolve(),
        error: (error: unknown) => reject(toWidgetError(error, 'negotiation-failed')),
      });
    });
  }

  /** Swaps local tracks on existing transceivers, without renegotiating. */
  replaceTracks(tracks: TrackOption[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.handle.replaceTracks({
        tracks,
        success: () => resolve(),
        error: (error: unknown) => reject(toWidgetError(error, 'negotiation-failed')),
      });
    });
  }

  /** Resolves once the PeerConnection is up; rejects with `ice-failed` if it cannot come up in time. */
  whenConnected(signal?: AbortSignal): Promise<void> {
    // Janus may have reported webrtcup before anyone asked.
    if (this.webrtcUp) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const offs: Array<() => void> = [];
      const done = (error?: unknown) => {
        for (const off of offs) off();
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => done(signal!.reason);
      const timer = setTimeout(
        () =>
          done(
            new JanusWidgetError('ice-failed', 'No media connection to Janus could be established (ICE timed out).'),
          ),
        MEDIA_TIMEOUT_MS,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      offs.push(
        this.on('webrtc', ({ up }) =>
          done(up ? undefined : new JanusWidgetError('ice-failed', 'The media connection to Janus went down.')),
        ),
        this.on('ice', ({ state }) => {
          if (state === 'failed') {
            done(
              new JanusWidgetError(
                'ice-failed',
                'No route to Janus for media (ICE failed): check STUN/TURN and firewalls.',
              ),
            );
          }
        }),
        this.on('lost', (error) => done(error)),
      );
    });
  }

  /** Closes the PeerConnection and detaches the handle from the session. */
  detach(): Promise<void> {
    if (!this.raw || this.isDetached) return Promise.resolve();
    const raw = this.raw;
    this.isDetached = true;
    this.onGone();
    this.failPending(new DOMException('Handle detached', 'AbortError'));
    return new Promise<void>((resolve) => {
      raw.detach({ success: () => resolve(), error: () => resolve() });
    }).then(() => this.removeAllListeners());
  }
}
