import type { ConnectionConfig } from './validation.js';
import { JanusWidgetError, isAbortError, toWidgetError } from './errors.js';
import type { ConnectOptions, PluginData, PluginHandle } from './janus.js';
import { Machine, type MachineState } from './machine.js';
import type { Quality, QualityReason } from './types.js';
import { VIEWER_FIRST_RETRY_SPREAD_MS, connectOptions, isRetryable, sleep } from './reconnect.js';
import { acquireSession, type SessionLease } from './session.js';
import { VideoRoomSubscriber, type FeedId } from './subscriber.js';
import {
  endOf,
  joinPublisherBody,
  leaveBody,
  listParticipantsBody,
  parseRoomEvent,
  toParticipatingPublishers,
  toPublishers,
  type Publisher,
} from './videoroom.js';

export type ViewerState = MachineState | 'waiting';
export type { Quality, QualityReason } from './types.js';

const SUBSTREAM: Record<Exclude<Quality, 'audio'>, 0 | 1 | 2> = { high: 2, medium: 1, low: 0 };
/** How long to wait before asking again for a simulcast layer Janus did not switch to. */
const LAYER_RETRY_MS = 2000;
const QUALITY_OF_SUBSTREAM: Quality[] = ['low', 'medium', 'high'];

export interface ViewerSettings {
  connection: ConnectionConfig;
  /** Watch only this publisher id. */
  feed?: FeedId | undefined;
  /** Watch only the publisher with this display name. */
  display?: string | undefined;
  /** At most this many feeds (0 = no limit). */
  maxFeeds?: number | undefined;
  /** A fixed layer for every feed; undefined leaves the choice to `setQuality` (auto). */
  quality?: Quality | undefined;
}

/** A publisher being watched, with the tracks received for it. */
export interface WatchedFeed {
  feedId: FeedId;
  display?: string | undefined;
  stream: MediaStream;
  videoMid?: string | undefined;
  audioMid?: string | undefined;
  /** The layer being received, as Janus reported it. */
  quality?: Quality | undefined;
  /** `network`: the publisher sends audio only on purpose, for its congested uplink. */
  videoPaused?: 'network' | undefined;
}

export interface RoomViewerEvents {
  state: ViewerState;
  error: JanusWidgetError;
  feeds: readonly WatchedFeed[];
  'feed-added': WatchedFeed;
  'feed-removed': WatchedFeed;
  quality: { feedId: FeedId; quality: Quality; reason: QualityReason };
  pc: RTCPeerConnection | undefined;
  /** Janus reported lost packets on the subscription (`uplink` false: on its way to us). */
  slowlink: { uplink: boolean; lost: number };
  /** Janus switched the simulcast layer of a feed's video. */
  layer: { feedId: FeedId; substream?: number | undefined; temporal?: number | undefined };
}

/** A choice of what to receive; `temporal` 0 halves the frame rate of the low layer (the ladder's low-fps). */
interface Wanted {
  quality: Quality;
  reason: QualityReason;
  temporal?: 0 | 1 | 2 | undefined;
}

/**
 * Watches a room: learns who publishes (through a non-publishing participant handle, the
 * "lobby") and receives the chosen feeds over ONE multistream subscription, updated in place.
 */
export class RoomViewer extends Machine<ViewerState, RoomViewerEvents> {
  readonly feeds = new Map<FeedId, WatchedFeed>();
  private lease: SessionLease | undefined;
  private lobby: PluginHandle | undefined;
  private subscriber: VideoRoomSubscriber | undefined;
  /** The connect options of the current run, reused by its reconnections. */
  private options: ConnectOptions | undefined;
  private readonly offTeardown: Array<() => void> = [];
  /** Every publisher in the room, including those not watched (filter, max-feeds). */
  private readonly publishers = new Map<FeedId, Publisher>();
  private readonly wanted = new Map<FeedId, Wanted>();
  /** What feeds without a choice of their own receive (`quality` set for the whole element). */
  private wantedForAll: Wanted | undefined;
  /** Feeds whose video we asked Janus to stop relaying (audio only), whatever a late layer event says. */
  private readonly paused = new WeakSet<WatchedFeed>();
  /** Feeds being subscribed: their tracks may arrive before the subscription call returns. */
  private readonly pending = new Map<FeedId, WatchedFeed>();

  constructor(private readonly settings: ViewerSettings) {
    super('idle');
    if (settings.quality) this.wantedForAll = { quality: settings.quality, reason: 'manual' };
  }

  get pc(): RTCPeerConnection | undefined {
    return this.subscriber?.pc;
  }

  /** The Janus ids, for diagnostics and tests. */
  get ids(): { session?: number | undefined; handles: string[] } {
    return {
      session: this.subscriber?.sessionId,
      handles: [this.lobby?.id, this.subscriber?.handleId].filter((id): id is string => Boolean(id)),
    };
  }

  /** Connects and starts watching; resolves when joined (feeds may come later). */
  async start(): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'error') return;
    const signal = this.newRun();
    this.error = undefined;
    this.setState('connecting');
    try {
      // Resolved once per run (TURN credentials are fetched, then refreshed until the run ends).
      const options = connectOptions(this.settings.connection, signal);
      this.options = options instanceof Promise ? await options : options;
      await this.open(this.options, signal);
    } catch (error) {
      this.fail(error);
      if (!isAbortError(error)) throw this.error;
    }
  }

  private async open(options: ConnectOptions, signal: AbortSignal): Promise<void> {
    const { connection } = this.settings;
    this.lease = await acquireSession({ ...options, signal });
    const session = this.lease.connection;
    this.offTeardown.push(session.on('lost', () => void this.recover()));
    const subscriber = new VideoRoomSubscriber({ ...options, room: connection.room, pin: connection.pin });
    this.subscriber = subscriber;
    // The subscriber's handle is attached while the lobby joins: one round trip less to the first frame.
    // Both settle before going on, so a lobby attached next to a failed subscriber is still detached.
    const [attached, connected] = await Promise.allSettled([session.attach(signal), subscriber.connect(signal)]);
    if (attached.status === 'fulfilled') this.lobby = attached.value;
    if (attached.status === 'rejected') throw attached.reason;
    if (connected.status === 'rejected') throw connected.reason;
    const lobby = attached.value;
    this.watchSubscriber(subscriber);
    this.offTeardown.push(
      lobby.on('event', ({ data }) => this.onLobbyEvent(data)),
      lobby.on('detached', () => void this.recover()),
    );
    const { feed } = this.settings;
    // The first subscription goes out next to the lobby join, not after it: for a named feed at
    // once, else on the room's `listparticipants`, which Janus answers at once where a join waits its
    // turn in the plugin's queue. Once the join answered, its own list (and its events) carry on.
    const listing = new AbortController();
    signal.addEventListener('abort', () => listing.abort(), { once: true });
    const early =
      feed !== undefined
        ? this.subscribeFirst([{ id: feed }], signal)
        : lobby.query(listParticipantsBody(connection.room), listing.signal).then(
            (data) => this.subscribeFirst(toParticipatingPublishers(data), signal),
            () => {}, // refused, unanswered or overtaken by the join: the join's list serves
          );
    early.catch(() => {});
    const message = joinPublisherBody({ room: connection.room, pin: connection.pin });
    const { data } = await lobby.request(message, (reply) => reply['videoroom'] === 'joined', { signal });
    listing.abort();
    const listed = toPublishers(data);
    this.notePublishers(listed);
    if (feed !== undefined && !this.feeds.has(feed) && !listed.some((p) => p.id === feed)) this.publishers.delete(feed);
    await early;
    await this.reconcile(signal);
    if (this.feeds.size === 0) this.setState('waiting');
  }

  private watchSubscriber(subscriber: VideoRoomSubscriber): void {
    subscriber.on('track', ({ track, mid, on, stream }) => {
      const feed = stream ? (this.feeds.get(stream.feedId) ?? this.pending.get(stream.feedId)) : undefined;
      if (!feed) return;
      if (on) {
        for (const old of feed.stream.getTracks().filter((t) => t.kind === track.kind && t !== track))
          feed.stream.removeTrack(old);
        if (!feed.stream.getTracks().includes(track)) feed.stream.addTrack(track);
        if (track.kind === 'video') feed.videoMid = mid;
        else feed.audioMid = mid;
      } else {
        feed.stream.removeTrack(track);
      }
      // A feed being subscribed is announced once its subscription returns: a render now (a new
      // video element) would hold up the answer that the first frame waits for.
      if (this.feeds.has(feed.feedId)) this.emit('feeds', [...this.feeds.values()]);
    });
    subscriber.on('slowlink', (report) => this.emit('slowlink', report));
    subscriber.on('layer', ({ mid, substream, temporal }) => {
      const feed = [...this.feeds.values()].find((f) => f.videoMid === mid);
      if (!feed) return;
      this.emit('layer', { feedId: feed.feedId, substream, temporal });
      if (substream === undefined) return;
      const quality = QUALITY_OF_SUBSTREAM[substream];
      // A switch we asked for before pausing may report late: the feed stays audio only.
      if (!quality || feed.quality === quality || this.paused.has(feed)) return;
      feed.quality = quality;
      this.emit('quality', { feedId: feed.feedId, quality, reason: this.wantedReason(feed.feedId) });
    });
    subscriber.on('streams', (streams) => {
      // Janus dropped the streams of a feed that went away: forget the feed.
      for (const feed of [...this.feeds.values()]) {
        if (streams.some((s) => s.feedId === feed.feedId && s.active)) continue;
        this.publishers.delete(feed.feedId);
        this.removeFeed(feed.feedId);
      }
    });
    subscriber.on('lost', () => void this.recover());
    subscriber.on('ice', (state) => {
      if (state === 'failed') void this.recover();
    });
    // Janus hung up the PeerConnection (its ICE or DTLS failed, or an operator's hangup_webrtc).
    subscriber.on('webrtc', (up) => {
      if (!up) void this.recover();
    });
  }

  private onLobbyEvent(data: PluginData): void {
    const event = parseRoomEvent(data);
    const end = endOf(event);
    if (end) return this.fail(end);
    if (event.type === 'publishers') {
      this.notePublishers(event.publishers);
      if (event.publishers.length > 0) this.reconcileInBackground();
    } else if ((event.type === 'unpublished' || event.type === 'leaving' || event.type === 'kicked') && 'id' in event) {
      if (this.publishers.delete(event.id)) this.removeFeed(event.id);
    }
  }

  /** Subscribes to publishers known before the lobby joined (named, or listed by the room). */
  private subscribeFirst(publishers: readonly Publisher[], signal: AbortSignal): Promise<void> {
    for (const publisher of publishers)
      if (!this.publishers.has(publisher.id)) this.publishers.set(publisher.id, publisher);
    return this.reconcile(signal);
  }

  /** Publishers the room announced; a watched one announced again paused or resumed its video on purpose. */
  private notePublishers(publishers: readonly Publisher[]): void {
    for (const publisher of publishers) this.publishers.set(publisher.id, publisher);
    const watched = publishers.filter((p) => this.feeds.has(p.id));
    for (const p of watched) this.feeds.get(p.id)!.videoPaused = p.videoPaused;
    if (watched.length > 0) this.emit('feeds', [...this.feeds.values()]);
  }

  /**
   * Reconciles outside of `open()` (a publisher came or went). Losing the connection meanwhile is
   * the reconnection's business, not a failure of the element.
   */
  private reconcileInBackground(): void {
    const signal = this.signal;
    this.reconcile(signal).catch((error: unknown) => {
      if (signal.aborted || isAbortError(error)) return;
      if (this.state === 'reconnecting') return;
      if (this.isEstablished() && isRetryable(error)) void this.recover();
      else this.fail(error);
    });
  }

  /** Which publishers to watch, in order of arrival, under the feed/display filters and max-feeds. */
  private chosen(): Publisher[] {
    const { feed, display, maxFeeds } = this.settings;
    const matching = [...this.publishers.values()].filter(
      (p) => (feed === undefined || String(p.id) === String(feed)) && (display === undefined || p.display === display),
    );
    return maxFeeds ? matching.slice(0, maxFeeds) : matching;
  }

  /** Subscribes to newly chosen publishers (one renegotiation for all of them). */
  private async reconcile(signal: AbortSignal): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber) return;
    const fresh = this.chosen().filter((p) => !this.feeds.has(p.id) && !this.pending.has(p.id));
    if (fresh.length === 0) return;
    for (const publisher of fresh) {
      const { id: feedId, display, videoPaused } = publisher;
      this.pending.set(feedId, { feedId, display, videoPaused, stream: new MediaStream() });
    }
    try {
      await subscriber.subscribe(
        fresh.map((p) => ({ feed: p.id, substream: this.firstSubstream(p.id) })),
        signal,
      );
    } catch (error) {
      for (const p of fresh) this.pending.delete(p.id);
      // A publisher that left between the lobby event and our request is not an error.
      if (toWidgetError(error).code === 'feed-not-found') return;
      throw error;
    }
    for (const p of fresh) {
      const feed = this.pending.get(p.id)!;
      this.pending.delete(p.id);
      if (!this.publishers.has(p.id)) continue;
      this.feeds.set(p.id, feed);
      for (const stream of subscriber.streams.values()) {
        if (stream.feedId !== p.id) continue;
        if (stream.type === 'video') feed.videoMid = stream.mid;
        if (stream.type === 'audio') feed.audioMid = stream.mid;
        feed.display ??= stream.display;
      }
      this.emit('feed-added', feed);
      const wanted = this.wantedFor(p.id);
      if (wanted) void this.applyQuality(feed, wanted).catch(() => {});
    }
    this.emit('feeds', [...this.feeds.values()]);
    this.emit('pc', subscriber.pc);
    if (this.state !== 'live') {
      await subscriber.whenConnected(signal);
      this.setState('live');
    }
  }

  private removeFeed(feedId: FeedId): void {
    const feed = this.feeds.get(feedId);
    if (!feed) return;
    this.feeds.delete(feedId);
    this.emit('feed-removed', feed);
    this.emit('feeds', [...this.feeds.values()]);
    if (this.feeds.size === 0 && this.state === 'live') this.setState('waiting');
    // Another publisher may now fit under max-feeds.
    this.reconcileInBackground();
  }

  /**
   * Chooses what to receive of one feed (or all): a simulcast layer, or `audio` to stop video
   * while audio continues. Holds until changed; applied again after reconnecting.
   */
  async setQuality(
    feedId: FeedId | undefined,
    quality: Quality,
    reason: QualityReason,
    temporal: 0 | 1 | 2 = 2,
  ): Promise<void> {
    const wanted: Wanted = { quality, reason, temporal };
    if (feedId === undefined) {
      this.wantedForAll = wanted;
      this.wanted.clear();
    } else {
      this.wanted.set(feedId, wanted);
    }
    const targets =
      feedId === undefined ? [...this.feeds.values()] : [this.feeds.get(feedId)].filter((f) => f !== undefined);
    await Promise.all(targets.map((feed) => this.applyQuality(feed, wanted))).catch((error: unknown) => {
      // Disposed or reconnecting meanwhile: the choice is kept and applied to the next subscription.
      if (!isAbortError(error) && this.state !== 'reconnecting' && this.state !== 'closed') throw error;
    });
  }

  /** What a feed should receive: its own choice, else the element's. */
  private wantedFor(feedId: FeedId): Wanted | undefined {
    return this.wanted.get(feedId) ?? this.wantedForAll;
  }

  /** Before anything was asked, the layer relayed is the first one, chosen without the tile's size. */
  private wantedReason(feedId: FeedId): QualityReason {
    return this.wantedFor(feedId)?.reason ?? 'size';
  }

  /**
   * The layer a new subscription starts on: the one chosen, else the low one. Its keyframe is a
   * fraction of the top layer's, so the first frame shows sooner; the tile's quality policy steps
   * up once it plays.
   */
  private firstSubstream(feedId: FeedId): 0 | 1 | 2 {
    const quality = this.wantedFor(feedId)?.quality;
    return quality && quality !== 'audio' ? SUBSTREAM[quality] : 0;
  }

  private async applyQuality(feed: WatchedFeed, wanted: Wanted): Promise<void> {
    const { quality, reason, temporal = 2 } = wanted;
    const subscriber = this.subscriber;
    if (!subscriber || feed.videoMid === undefined) return;
    if (quality === 'audio') {
      this.paused.add(feed);
      await subscriber.configure(feed.videoMid, { send: false });
      if (feed.quality !== 'audio') {
        feed.quality = 'audio';
        this.emit('quality', { feedId: feed.feedId, quality, reason });
      }
      return;
    }
    if (this.paused.has(feed) || feed.quality === 'audio') {
      this.paused.delete(feed);
      await subscriber.configure(feed.videoMid, { send: true });
    }
    const switched = await subscriber.selectLayer(feed.videoMid, SUBSTREAM[quality], temporal, this.signal);
    // Without simulcast Janus never reports a layer: the single layer is what arrives.
    if (!switched && feed.quality === 'audio') {
      feed.quality = quality;
      this.emit('quality', { feedId: feed.feedId, quality, reason });
    }
    // A simulcast feed that did not switch (its keyframe never came: Janus rate-limits the requests,
    // the publisher may not send that layer yet) is asked again later, while the choice holds.
    if (!switched && subscriber.layers.has(feed.videoMid)) this.retryQuality(feed, wanted, subscriber);
  }

  private retryQuality(feed: WatchedFeed, wanted: Wanted, subscriber: VideoRoomSubscriber): void {
    const signal = this.signal;
    const stillWanted = () =>
      !signal.aborted &&
      this.subscriber === subscriber &&
      this.feeds.get(feed.feedId) === feed &&
      this.wantedFor(feed.feedId) === wanted;
    sleep(LAYER_RETRY_MS, signal)
      .then(() => (stillWanted() ? this.applyQuality(feed, wanted) : undefined))
      .catch(() => {});
  }

  protected isEstablished(): boolean {
    return this.state === 'live' || this.state === 'waiting';
  }

  /** Rebuilds the whole subscription on a fresh session after the connection dropped. */
  private recover(): Promise<void> {
    const options = this.options;
    if (!options) return Promise.resolve();
    return this.reconnect(
      (signal) => this.open(options, signal),
      () => this.teardown(),
      { firstAttemptSpreadMs: VIEWER_FIRST_RETRY_SPREAD_MS },
    );
  }

  protected async teardown(): Promise<void> {
    for (const off of this.offTeardown.splice(0)) off();
    const { lobby, subscriber, lease } = this;
    this.lobby = undefined;
    this.subscriber = undefined;
    this.lease = undefined;
    for (const feed of [...this.feeds.values()]) this.removeFeedQuietly(feed);
    this.pending.clear();
    this.publishers.clear();
    this.emit('pc', undefined);
    await Promise.all([
      subscriber?.dispose(),
      lobby && !lobby.detached
        ? lobby
            .send(leaveBody())
            .catch(() => {})
            .then(() => lobby.detach())
        : undefined,
    ]);
    lease?.release();
  }

  private removeFeedQuietly(feed: WatchedFeed): void {
    this.feeds.delete(feed.feedId);
    this.emit('feed-removed', feed);
  }
}
