// The only module that imports janus-gateway: everything else sees promises and typed events.
import Janus, { type JanusJS } from 'janus-gateway';
import { Emitter } from './emitter.js';
import {
  JanusWidgetError,
  abortReason,
  abortable,
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

/** How long creating a session may take: janus.js never reports a socket that closes before Janus answered. */
export const CONNECT_TIMEOUT_MS = 10000;
/** How long Janus may take to answer a plugin request (join, configure, ...) or an attach. */
export const REQUEST_TIMEOUT_MS = 10000;
/** How long destroying a session or detaching a handle may take before we give up silently. */
export const DESTROY_TIMEOUT_MS = 3000;
/** How often janus.js sends a keepalive on a WebSocket (Janus drops sessions idle for 60 s). */
export const KEEPALIVE_PERIOD_MS = 25000;
/** A keepalive not acknowledged within this time means the server hung: the socket is closed (session lost). */
export const KEEPALIVE_TIMEOUT_MS = 10000;

export interface JanusTimeouts {
  connect: number;
  request: number;
  destroy: number;
  keepalivePeriod: number;
  keepaliveTimeout: number;
}

const DEFAULT_TIMEOUTS: JanusTimeouts = {
  connect: CONNECT_TIMEOUT_MS,
  request: REQUEST_TIMEOUT_MS,
  destroy: DESTROY_TIMEOUT_MS,
  keepalivePeriod: KEEPALIVE_PERIOD_MS,
  keepaliveTimeout: KEEPALIVE_TIMEOUT_MS,
};
const timeouts: JanusTimeouts = { ...DEFAULT_TIMEOUTS };

/**
 * Test hook: shortens (or lengthens) the timeouts for connections and requests made from now on.
 * Returns the function that restores the defaults.
 */
export function setJanusTimeouts(changes: Partial<JanusTimeouts>): () => void {
  Object.assign(timeouts, changes);
  return () => void Object.assign(timeouts, DEFAULT_TIMEOUTS);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

let reportedFailures = 0;

/** A failure we survive (a malformed message, a throwing listener) is logged, never thrown into janus.js. */
function report(where: string, error: unknown): void {
  // A flood of bad messages must not become a flood of console lines: the first few tell the story.
  if (reportedFailures++ < 10) console.warn(`[janus-widgets] ignored a failure in ${where}:`, error);
}

/** Wraps a callback handed to janus.js: an exception in it would otherwise unwind janus.js's own state. */
function guard<A extends unknown[]>(where: string, callback: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      callback(...args);
    } catch (error) {
      report(where, error);
    }
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The WebSocket janus.js talks through, hardened: frames that are not a JSON object never reach
 * janus.js (it would throw parsing them, or reading fields of `null`), an exception in any of its
 * listeners is reported instead of reaching `window`, and a keepalive Janus does not acknowledge
 * in time closes the socket, which janus.js reports as a lost connection.
 */
function hardenedSocket(server: string, protocol: string): WebSocket {
  // Read at each call (not at init), so tests that replace window.WebSocket still see their class.
  const socket = new WebSocket(server, protocol);
  const wrapped = new WeakMap<object, EventListener>();
  const add = socket.addEventListener.bind(socket);
  const remove = socket.removeEventListener.bind(socket);
  socket.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: unknown) => {
    const call = typeof listener === 'function' ? listener : (event: Event) => listener.handleEvent(event);
    const safe = (event: Event) => {
      if (type === 'message' && !isJsonObject((event as MessageEvent).data)) {
        report('a message from Janus', new Error('not a JSON object'));
        return;
      }
      try {
        call.call(socket, event);
      } catch (error) {
        report(`janus.js (${type})`, error);
      }
    };
    wrapped.set(listener, safe);
    add(type, safe, options as AddEventListenerOptions);
  }) as WebSocket['addEventListener'];
  socket.removeEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: unknown) => {
    remove(type, wrapped.get(listener) ?? listener, options as EventListenerOptions);
  }) as WebSocket['removeEventListener'];

  const unanswered = new Map<string, ReturnType<typeof setTimeout>>();
  const send = socket.send.bind(socket);
  socket.send = (data) => {
    send(data);
    if (typeof data !== 'string' || !data.includes('"keepalive"')) return;
    const transaction = (JSON.parse(data) as { transaction?: string }).transaction;
    if (!transaction) return;
    const limit = timeouts.keepaliveTimeout;
    unanswered.set(
      transaction,
      setTimeout(() => {
        report('the keepalive', new Error(`Janus did not acknowledge a keepalive within ${seconds(limit)}`));
        socket.close(4000, 'keepalive timeout');
      }, limit),
    );
  };
  add('message', (event) => {
    if (unanswered.size === 0 || typeof event.data !== 'string') return;
    const transaction = isJsonObject(event.data)
      ? (JSON.parse(event.data) as { transaction?: unknown }).transaction
      : '';
    if (typeof transaction !== 'string') return;
    clearTimeout(unanswered.get(transaction));
    unanswered.delete(transaction);
  });
  add('close', () => {
    for (const timer of unanswered.values()) clearTimeout(timer);
    unanswered.clear();
  });
  return socket;
}

function isJsonObject(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    return isRecord(JSON.parse(text));
  } catch {
    return false;
  }
}

let initialised = false;

/** janus.js initialises synchronously; so must we, for the socket to open before the first render. */
function initJanus(): void {
  if (initialised) return;
  initialised = true;
  Janus.init({
    debug: false,
    dependencies: {
      ...Janus.useDefaultDependencies({ adapter: { browserDetails: browserDetails(navigator.userAgent) } }),
      newWebSocket: hardenedSocket,
    },
  });
}

/**
 * Answers Janus's offers as the DTLS server (`a=setup:passive`), so that Janus starts the handshake
 * once its own ICE is ready. As the client, the browser sends its first ClientHello when its side
 * is ready, Janus drops it while its side is not yet, and the retransmission costs about 50 ms.
 */
export function asDtlsServer(sdp: string | undefined): string | undefined {
  return sdp?.replace(/^a=setup:active\r?$/gm, (line) => line.replace('active', 'passive'));
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

/** The error a plugin's answer carries, if it is one. */
function pluginError(data: PluginData): JanusWidgetError | undefined {
  if (typeof data.error_code !== 'number' && typeof data.error !== 'string') return undefined;
  return fromVideoRoomError(
    typeof data.error_code === 'number' ? data.error_code : 0,
    typeof data.error === 'string' ? data.error.slice(0, 1024) : 'Unknown plugin error',
  );
}

interface ConnectionEvents {
  /** The transport to Janus was lost after the session had been created. */
  lost: JanusWidgetError;
}

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
  static connect(options: ConnectOptions): Promise<JanusConnection> {
    // No await before `new Janus`: the WebSocket opens while the element renders.
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    initJanus();
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
      const limit = timeouts.connect;
      const timer = setTimeout(
        () =>
          giveUp(new JanusWidgetError('server-unreachable', `Janus did not create a session within ${seconds(limit)}`)),
        limit,
      );
      const janus: JanusJS.Janus = new Janus({
        server: [...options.servers],
        token: options.token,
        iceServers: options.iceServers,
        iceTransportPolicy: options.iceTransportPolicy,
        destroyOnUnload: true,
        keepAlivePeriod: timeouts.keepalivePeriod,
        success: guard('session created', () => {
          // Created after we gave up: nobody holds it, so it must not be left on the server.
          if (settled) {
            JanusConnection.dispose(janus);
            return;
          }
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          connection = new JanusConnection(janus);
          resolve(connection);
        }),
        // janus.js reports a dropped socket here too ("Lost connection to the server"), once the session exists.
        error: guard('session error', (message: unknown) => {
          const error = sessionError(String(message));
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', onAbort);
            reject(error);
          } else if (connection) {
            connection.lose(new JanusWidgetError('session-lost', error.message, { cause: error }));
          }
        }),
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
        clearTimeout(timer);
        this.attaching.delete(onLost);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        return true;
      };
      const onLost = (error: JanusWidgetError) => settle(error);
      const onAbort = () => settle(abortReason(signal!));
      const limit = timeouts.request;
      const timer = setTimeout(
        () =>
          settle(new JanusWidgetError('request-timeout', `Janus did not attach ${plugin} within ${seconds(limit)}`)),
        limit,
      );
      this.attaching.add(onLost);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.janus.attach({
        plugin,
        opaqueId: `janus-widgets-${Janus.randomString(8)}`,
        ...handle.callbacks(),
        success: guard('attach', (raw: JanusJS.PluginHandle) => {
          handle.bind(raw);
          // Given up meanwhile (aborted, session lost): nobody will detach it but us.
          if (!settle()) {
            void handle.detach();
            return;
          }
          this.handles.add(handle);
          resolve(handle);
        }),
        error: guard('attach error', (message: unknown) => void settle(sessionError(String(message)))),
      });
    });
  }

  /** Destroys the session on the server and closes the transport; resolves even if Janus never answers. */
  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    this.removeAllListeners();
    this.handles.clear();
    return JanusConnection.dispose(this.janus);
  }

  /** @internal Destroys a janus.js session, giving up after the destroy timeout. */
  static dispose(janus: JanusJS.Janus): Promise<void> {
    const id = janus.getSessionId();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // Unanswered: drop the socket as on page unload, or janus.js keeps it open and keeps sending keepalives.
        try {
          janus.destroy({ unload: true, notifyDestroyed: false });
        } catch (error) {
          report('destroy', error);
        }
        resolve();
      }, timeouts.destroy);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      janus.destroy({ cleanupHandles: true, notifyDestroyed: false, success: done, error: done });
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

  /** @internal the janus.js callbacks routed into this object's events, each guarded against exceptions. */
  callbacks(): JanusJS.PluginCallbacks {
    return {
      onmessage: guard('a plugin message', (message: unknown, jsep?: Jsep) => {
        // `plugindata.data` is whatever the server sent: null, a string, an array...
        if (isRecord(message)) this.route(message as PluginData, jsep);
        else report('a plugin message', new Error(`plugin data is ${message === null ? 'null' : typeof message}`));
      }),
      onremotetrack: guard('onremotetrack', (track: MediaStreamTrack, mid: string, on: boolean) =>
        this.emit('remotetrack', { track, mid, on }),
      ),
      webrtcState: guard('webrtcState', (up: boolean) => {
        this.webrtcUp = up;
        this.emit('webrtc', { up });
      }),
      iceState: guard('iceState', (state: string) => this.emit('ice', { state })),
      mediaState: guard('mediaState', (kind: 'audio' | 'video', receiving: boolean, mid?: unknown) =>
        this.emit('media', { kind, receiving, mid: mid === undefined ? undefined : String(mid) }),
      ),
      slowLink: guard('slowLink', (uplink: boolean, lost: number, mid: string) =>
        this.emit('slowlink', { uplink, lost, mid }),
      ),
      oncleanup: guard('oncleanup', () => this.emit('cleanup', undefined)),
      ondetached: guard('ondetached', () => {
        this.isDetached = true;
        this.onGone();
        this.failPending(new JanusWidgetError('session-lost', 'The plugin handle was detached'));
        this.emit('detached', undefined);
      }),
    } as JanusJS.PluginCallbacks;
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
    const error = pluginError(data);
    if (error) {
      // The plugin answers asynchronous requests in the order they came, and its errors name none.
      const first = this.pending.shift();
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
   * event that answers it, chosen by `matches`; a plugin error rejects with a widget error, and
   * no answer within the request timeout with `request-timeout`.
   */
  request(
    message: Record<string, unknown>,
    matches: (data: PluginData, jsep?: Jsep) => boolean,
    options: { jsep?: Jsep | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<{ data: PluginData; jsep?: Jsep | undefined }> {
    const { signal } = options;
    throwIfAborted(signal);
    if (this.lostError) return Promise.reject(this.lostError);
    const name = String(message['request'] ?? 'request');
    return new Promise((resolve, reject) => {
      const unlist = () => {
        const index = this.pending.indexOf(entry);
        if (index >= 0) this.pending.splice(index, 1);
      };
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        unlist();
        finish();
        reject(abortReason(signal!));
      };
      const limit = timeouts.request;
      const timer = setTimeout(() => {
        unlist();
        entry.reject(
          new JanusWidgetError('request-timeout', `Janus did not answer "${name}" within ${seconds(limit)}`),
        );
      }, limit);
      const entry: PendingRequest = {
        matches,
        resolve: (value) => {
          finish();
          resolve(value);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
      this.send(message, options.jsep).then(
        (data) => {
          // A synchronous answer (or a synchronous error) arrives here rather than as an event.
          const error = data && pluginError(data);
          if (error) {
            unlist();
            entry.reject(error);
          } else if (data && matches(data)) {
            unlist();
            entry.resolve({ data });
          }
        },
        (error) => {
          unlist();
          entry.reject(error);
        },
      );
    });
  }

  /**
   * Sends a synchronous plugin request (listparticipants, exists, ...) and resolves with its answer.
   * It stays out of the asynchronous requests' queue: Janus serves it on another thread, so it
   * can be answered after a later join's error, which would otherwise be taken as its own.
   */
  async query(message: Record<string, unknown>, signal?: AbortSignal): Promise<PluginData> {
    const data = (await abortable(this.send(message), signal)) ?? {};
    const error = pluginError(data);
    if (error) throw error;
    return data;
  }

  /**
   * Sends a message without waiting for a plugin event; resolves with the synchronous answer, if
   * any, once Janus acknowledged it; rejects with `request-timeout` if Janus does not in time.
   */
  send(message: Record<string, unknown>, jsep?: Jsep): Promise<PluginData | undefined> {
    return new Promise((resolve, reject) => {
      const handle = this.handle;
      const limit = timeouts.request;
      const name = String(message['request'] ?? 'message');
      const timer = setTimeout(
        () =>
          reject(
            new JanusWidgetError('request-timeout', `Janus did not acknowledge "${name}" within ${seconds(limit)}`),
          ),
        limit,
      );
      handle.send({
        message: message as JanusJS.PluginMessage['message'],
        ...(jsep ? { jsep } : {}),
        success: guard('send', (data?: unknown) => {
          clearTimeout(timer);
          resolve(isRecord(data) ? (data as PluginData) : undefined);
        }),
        error: guard('send error', (reason: unknown) => {
          clearTimeout(timer);
          reject(sessionError(String(reason)));
        }),
      });
    });
  }

  /** `customizeSdp` rewrites the offer's SDP before it is applied and sent. */
  createOffer(
    tracks: TrackOption[],
    { customizeSdp, ...options }: { iceRestart?: boolean; customizeSdp?: (sdp: string) => string } = {},
  ): Promise<Jsep> {
    return new Promise((resolve, reject) => {
      this.handle.createOffer({
        tracks,
        ...options,
        ...(customizeSdp && { customizeSdp: (jsep: Jsep) => void (jsep.sdp = customizeSdp(jsep.sdp ?? '')) }),
        success: resolve,
        error: (error: unknown) => reject(toWidgetError(error, 'negotiation-failed')),
      });
    });
  }

  createAnswer(jsep: Jsep, tracks: TrackOption[] = []): Promise<Jsep> {
    return new Promise((resolve, reject) => {
      // janus.js takes customizeSdp for answers too; its typings list it only for offers.
      const params: Parameters<JanusJS.PluginHandle['createAnswer']>[0] & Pick<JanusJS.OfferParams, 'customizeSdp'> = {
        jsep,
        tracks,
        customizeSdp: (answer) => {
          answer.sdp = asDtlsServer(answer.sdp);
        },
        success: resolve,
        error: (error: unknown) => reject(toWidgetError(error, 'negotiation-failed')),
      };
      this.handle.createAnswer(params);
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

  /** Closes the PeerConnection and detaches the handle; resolves even if Janus never answers. */
  detach(): Promise<void> {
    if (!this.raw || this.isDetached) return Promise.resolve();
    const raw = this.raw;
    this.isDetached = true;
    this.onGone();
    this.failPending(new DOMException('Handle detached', 'AbortError'));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeouts.destroy);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        raw.detach({ success: done, error: done });
      } catch (error) {
        report('detach', error);
        done();
      }
    }).then(() => this.removeAllListeners());
  }
}
