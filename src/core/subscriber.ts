import { Emitter } from './emitter.js';
import { JanusWidgetError, throwIfAborted } from './errors.js';
import type { ConnectOptions, Jsep, PluginData, PluginHandle } from './janus.js';
import { acquireSession, type SessionLease } from './session.js';
import {
  configureBody,
  joinSubscriberBody,
  startBody,
  subscribeBody,
  toStreams,
  type StreamRef,
  type SubscribedStream,
} from './videoroom.js';

export type { FeedId, SubscribedStream } from './videoroom.js';

export interface SubscribeOptions extends Omit<ConnectOptions, 'signal'> {
  room: number | string;
  pin?: string | undefined;
  /** The private id of a publisher handle of ours in the room, so Janus can associate them. */
  privateId?: number | undefined;
}

export interface SubscriberEvents {
  /** A remote track was added (on=true) or removed (on=false). */
  track: { track: MediaStreamTrack; mid: string; on: boolean; stream?: SubscribedStream | undefined };
  /** The set of streams changed (after join, update or a publisher leaving). */
  streams: readonly SubscribedStream[];
  webrtc: boolean;
  ice: string;
  slowlink: { uplink: boolean; lost: number };
  /** Janus switched the simulcast layer it relays on a mid. */
  layer: { mid: string; substream?: number | undefined; temporal?: number | undefined };
  lost: JanusWidgetError;
}

/** Janus reports a layer switch once a keyframe of the new layer arrives; this is how long to wait for one. */
const LAYER_SWITCH_WAIT_MS = 1200;
const LAYER_SWITCH_ATTEMPTS = 4;

/** Which part of a simulcast stream to receive; `send: false` pauses the stream. */
export interface LayerChoice {
  substream?: 0 | 1 | 2;
  temporal?: 0 | 1 | 2;
  send?: boolean;
}

/**
 * One multistream VideoRoom subscriber: a single PeerConnection carrying any number of feeds,
 * updated in place as feeds come and go.
 */
export class VideoRoomSubscriber extends Emitter<SubscriberEvents> {
  private lease: SessionLease | undefined;
  private handle: PluginHandle | undefined;
  private disposed = false;
  private joined = false;
  private readonly offTeardown: Array<() => void> = [];
  /** Serialises join/update/configure: Janus answers them in order, one renegotiation at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The streams Janus currently sends us, by mid. */
  readonly streams = new Map<string, SubscribedStream>();
  sessionId: number | undefined;
  handleId: string | undefined;

  constructor(readonly options: SubscribeOptions) {
    super();
  }

  get pc(): RTCPeerConnection | undefined {
    return this.handle?.pc;
  }

  /** Resolves once the PeerConnection is up; rejects with `ice-failed` if it cannot come up. */
  whenConnected(signal?: AbortSignal): Promise<void> {
    if (!this.handle) return Promise.reject(new JanusWidgetError('session-lost', 'Not connected'));
    return this.handle.whenConnected(signal);
  }

  /** Connects and attaches the handle without subscribing yet (so it can overlap other work). */
  async connect(signal?: AbortSignal): Promise<void> {
    if (this.handle) return;
    try {
      this.lease = await acquireSession({ ...this.options, signal });
      this.sessionId = this.lease.connection.sessionId;
      this.offTeardown.push(this.lease.connection.on('lost', (error) => this.emit('lost', error)));
      this.handle = await this.lease.connection.attach(signal);
      this.handleId = this.handle.id;
      this.watch(this.handle);
    } catch (error) {
      await this.dispose();
      throw error;
    }
  }

  private watch(handle: PluginHandle): void {
    this.offTeardown.push(
      handle.on('remotetrack', ({ track, mid, on }) =>
        this.emit('track', { track, mid, on, stream: this.streams.get(mid) }),
      ),
      handle.on('webrtc', ({ up }) => this.emit('webrtc', up)),
      handle.on('ice', ({ state }) => this.emit('ice', state)),
      handle.on('slowlink', ({ uplink, lost }) => this.emit('slowlink', { uplink, lost })),
      handle.on('event', ({ data, jsep }) => void this.onEvent(data, jsep)),
      handle.on('detached', () => {
        if (!this.disposed) this.emit('lost', new JanusWidgetError('session-lost', 'Janus detached the subscriber'));
      }),
    );
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Adds feeds to the subscription (joining on the first call) and renegotiates once. */
  subscribe(feeds: readonly StreamRef[], signal?: AbortSignal): Promise<void> {
    return this.serial(async () => {
      await this.connect(signal);
      const handle = this.handle!;
      throwIfAborted(signal);
      let reply: { data: PluginData; jsep?: Jsep | undefined };
      if (!this.joined) {
        const { room, pin, privateId } = this.options;
        const message = joinSubscriberBody({ room, pin, privateId, streams: feeds });
        reply = await handle.request(message, (data) => data['videoroom'] === 'attached', { signal });
        this.joined = true;
      } else {
        reply = await handle.request(subscribeBody(feeds), (data) => data['videoroom'] === 'updated', { signal });
      }
      await this.applyUpdate(reply.data, reply.jsep);
    });
  }

  /** Chooses the simulcast layer of a video mid, or pauses/resumes a mid. */
  configure(mid: string, choice: LayerChoice): Promise<void> {
    return this.serial(async () => {
      if (!this.handle) return;
      await this.handle.request(
        configureBody({ streams: [{ mid, ...choice }] }),
        (data) => data['configured'] === 'ok',
      );
    });
  }

  /** The simulcast layer Janus relays, by mid, as it last reported. */
  readonly layers = new Map<string, { substream?: number | undefined; temporal?: number | undefined }>();

  /**
   * Switches the simulcast layer of a video mid and resolves once Janus reports the switch
   * (true), or after a few attempts without it (false). Asking again helps because Janus
   * rate-limits the keyframe requests a switch up depends on.
   */
  async selectLayer(
    mid: string,
    substream: 0 | 1 | 2,
    temporal: 0 | 1 | 2 = 2,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const switched = () => this.layers.get(mid)?.substream === substream;
    for (let attempt = 0; attempt < LAYER_SWITCH_ATTEMPTS; attempt++) {
      await this.configure(mid, { substream, temporal });
      if (switched() || (await this.waitForLayer(mid, substream, signal))) return true;
    }
    return false;
  }

  private waitForLayer(mid: string, substream: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        off();
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAbort = () => finish(false);
      const off = this.on('layer', (layer) => {
        if (layer.mid === mid && layer.substream === substream) finish(true);
      });
      const timer = setTimeout(() => finish(false), LAYER_SWITCH_WAIT_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async onEvent(data: PluginData, jsep?: Jsep): Promise<void> {
    if (data['substream'] !== undefined || data['temporal'] !== undefined) {
      const mid = String(data['mid'] ?? [...this.streams.values()].find((s) => s.type === 'video')?.mid ?? '');
      const layer = { ...this.layers.get(mid) };
      if (typeof data['substream'] === 'number') layer.substream = data['substream'];
      if (typeof data['temporal'] === 'number') layer.temporal = data['temporal'];
      this.layers.set(mid, layer);
      this.emit('layer', { mid, ...layer });
    }
    // Janus renegotiates on its own when a feed we receive goes away.
    if (data['videoroom'] === 'updated')
      await this.serial(() => this.applyUpdate(data, jsep)).catch((error) => this.fail(error));
  }

  private fail(error: unknown): void {
    if (!this.disposed)
      this.emit(
        'lost',
        error instanceof JanusWidgetError ? error : new JanusWidgetError('negotiation-failed', String(error)),
      );
  }

  private async applyUpdate(data: PluginData, jsep?: Jsep): Promise<void> {
    if (data['streams']) {
      this.streams.clear();
      for (const stream of toStreams(data)) this.streams.set(stream.mid, stream);
      this.emit('streams', [...this.streams.values()]);
    }
    if (!jsep || !this.handle) return;
    const answer = await this.handle.createAnswer(jsep);
    await this.handle.request(startBody(), (reply) => reply['started'] === 'ok', { jsep: answer });
  }

  /** Leaves, closes the PeerConnection, detaches and releases the session. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const off of this.offTeardown.splice(0)) off();
    const handle = this.handle;
    this.handle = undefined;
    if (handle && !handle.detached) await handle.detach();
    this.lease?.release();
    this.lease = undefined;
    this.streams.clear();
    this.layers.clear();
    this.removeAllListeners();
  }
}
