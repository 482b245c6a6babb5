/// <reference path="./hls-light.d.ts" />
// The HLS engine: everything that plays a playlist. Imported only by HlsPlayer.start() (a dynamic
// import), so the CDN build puts it, with hls.js, in a chunk that pages without HLS never fetch.
import Hls from 'hls.js/light';
import { JanusWidgetError } from './errors.js';
import type { HlsEngineHost } from './hls-player.js';

/** A 404 (or an ended playlist) means "no broadcast now": poll this often for the next one. */
export const HLS_WAIT_POLL_MS = 2000;
/** Pauses before the retries of a failed playlist, segment or stall; then `hls-failed`. */
export const HLS_RETRY_DELAYS_MS = [1000, 2000, 4000];
/** No new segment in the playlist (or no progress of the playhead) for this long counts as a stall. */
export const HLS_STALL_MS = 8000;

/**
 * Plays one playlist into the player's `<video>` until `signal` aborts: waits while there is no
 * playlist, retries a failing one after {@link HLS_RETRY_DELAYS_MS}, then reports `hls-failed`.
 */
export class HlsEngine {
  private hls: Hls | undefined;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sampler: ReturnType<typeof setInterval> | undefined;
  private loadedBytes = 0;
  private state: 'connecting' | 'waiting' | 'live' | 'reconnecting' = 'connecting';
  private last = { time: 0, bytes: 0, currentTime: -1, progressAt: 0 };
  /** The newest segment the playlist listed, kept across retries: a retry of a frozen playlist is still a stall. */
  private newest = { key: '', at: 0 };

  constructor(
    private readonly url: string,
    private readonly video: HTMLVideoElement,
    private readonly signal: AbortSignal,
    private readonly host: HlsEngineHost,
  ) {
    signal.addEventListener('abort', () => this.detach(), { once: true });
  }

  start(): Promise<void> {
    return this.attach();
  }

  dispose(): void {
    this.detach();
  }

  private setState(state: typeof this.state): void {
    this.state = state;
    this.host.setState(state);
  }

  private async attach(): Promise<void> {
    const signal = this.signal;
    try {
      const response = await fetch(this.url, { cache: 'no-store', signal });
      if (response.status === 404 || response.status === 410) return this.waitForBroadcast();
      if (!response.ok) throw new JanusWidgetError('hls-failed', `The HLS playlist answered HTTP ${response.status}.`);
      const text = await response.text();
      if (!text.startsWith('#EXTM3U')) throw new JanusWidgetError('hls-failed', 'The hls URL is not an HLS playlist.');
      if (text.includes('#EXT-X-ENDLIST')) return this.waitForBroadcast();
      if (signal.aborted) return;
      // Safari's native player exposes the program date time (getStartDate); Chromium's does not,
      // and without it the latency behind live is unknown: there hls.js is the better player.
      const native = this.video.canPlayType('application/vnd.apple.mpegurl') !== '' && 'getStartDate' in this.video;
      if (native) this.video.src = this.url;
      else this.attachHlsJs();
      this.watchPlayback();
    } catch (error) {
      if (signal.aborted) return;
      this.failure(error);
    }
  }

  private attachHlsJs(): void {
    if (!Hls.isSupported()) throw new JanusWidgetError('hls-failed', 'This browser cannot play HLS.');
    // Few retries inside hls.js: a missing playlist is the end of a broadcast, which the player
    // reports as `waiting`, not minutes of retries.
    const hls = new Hls({
      liveSyncDurationCount: 2,
      manifestLoadingMaxRetry: 1,
      levelLoadingMaxRetry: 2,
      fragLoadingMaxRetry: 2,
      backBufferLength: 10,
    });
    this.hls = hls;
    hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
      this.loadedBytes += data.frag.stats.loaded;
    });
    hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => {
      const newest = data.details.fragments.at(-1);
      const key = newest ? `${newest.url}@${newest.programDateTime ?? newest.sn}` : '';
      if (key === this.newest.key) return;
      this.newest = { key, at: performance.now() };
      // New media arrives: the stream is healthy again, whatever failed before.
      if (this.state === 'live') this.failures = 0;
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal || this.signal.aborted) return;
      const playlistGone =
        data.response?.code === 404 &&
        (data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR || data.details === Hls.ErrorDetails.LEVEL_LOAD_ERROR);
      // The playlist went away (the publisher left): look again, which waits while it is missing.
      if (playlistGone) {
        this.detach();
        void this.attach();
      } else this.failure(new JanusWidgetError('hls-failed', `HLS playback failed (${data.details}).`));
    });
    hls.loadSource(this.url);
    hls.attachMedia(this.video);
  }

  private watchPlayback(): void {
    const signal = this.signal;
    this.video.requestVideoFrameCallback(() => {
      if (signal.aborted) return;
      // hls.js resets the count on new segments; the native player only tells us about frames.
      if (!this.hls) this.failures = 0;
      this.setState('live');
    });
    this.video.addEventListener('ended', () => !signal.aborted && this.waitForBroadcast(), { signal });
    void this.play();
    const now = performance.now();
    this.last = { time: now, bytes: this.loadedBytes, currentTime: -1, progressAt: now };
    if (!this.newest.at) this.newest.at = now;
    this.sampler = setInterval(() => this.sample(), 1000);
  }

  private async play(): Promise<void> {
    try {
      await this.video.play();
    } catch (error) {
      if ((error as DOMException).name !== 'NotAllowedError') return;
      this.video.muted = true;
      this.host.soundBlocked();
      await this.video.play().catch(() => {});
    }
  }

  private sample(): void {
    if (this.signal.aborted) return;
    const now = performance.now();
    const video = this.video;
    if (video.currentTime !== this.last.currentTime) {
      this.last.currentTime = video.currentTime;
      this.last.progressAt = now;
    }
    const frozen = this.state === 'live' && now - this.last.progressAt > HLS_STALL_MS;
    // A playlist that stopped growing stalls too, even while the old segments still play.
    const starved = this.hls !== undefined && this.state !== 'connecting' && now - this.newest.at > HLS_STALL_MS;
    if (frozen || starved) {
      this.failure(new JanusWidgetError('hls-failed', 'HLS playback stalled: no new segments.'));
      return;
    }
    const seconds = (now - this.last.time) / 1000;
    const bitrate = seconds > 0 ? ((this.loadedBytes - this.last.bytes) * 8) / seconds : 0;
    this.last.time = now;
    this.last.bytes = this.loadedBytes;
    const ranges = video.buffered;
    const buffer = ranges.length ? Math.max(0, ranges.end(ranges.length - 1) - video.currentTime) : 0;
    const level = this.hls?.levels[this.hls.currentLevel];
    // A media playlist without a master (the bridge's) declares no size or bitrate: show what plays.
    const width = level?.width || video.videoWidth;
    const height = level?.height || video.videoHeight;
    this.host.sample({
      engine: this.hls ? 'hls.js' : 'native',
      level: width && height ? { width, height, bitrate: level?.bitrate || Math.round(bitrate) } : undefined,
      bitrate: Math.round(bitrate),
      buffer: round(buffer),
      latency: this.latency(),
    });
  }

  /** Seconds behind live, from the program date time of the frame on screen (same clock as ours). */
  latency(): number | undefined {
    let date: number | undefined;
    if (this.hls) date = this.hls.playingDate?.getTime();
    else {
      const start = (this.video as HTMLVideoElement & { getStartDate?(): Date }).getStartDate?.().getTime();
      if (start !== undefined && Number.isFinite(start)) date = start + this.video.currentTime * 1000;
    }
    return date === undefined || !Number.isFinite(date) ? undefined : round(Math.max(0, (Date.now() - date) / 1000));
  }

  private waitForBroadcast(): void {
    this.detach();
    if (this.signal.aborted) return;
    this.failures = 0;
    this.newest = { key: '', at: 0 };
    this.setState('waiting');
    this.timer = setTimeout(() => void this.attach(), HLS_WAIT_POLL_MS);
  }

  /** A failed attempt: retried after a pause, until the retries run out. */
  private failure(error: unknown): void {
    this.detach();
    const delay = HLS_RETRY_DELAYS_MS[this.failures++];
    if (delay === undefined) {
      this.host.fail(error instanceof JanusWidgetError ? error : new JanusWidgetError('hls-failed', String(error)));
      return;
    }
    if (this.state !== 'connecting') this.setState('reconnecting');
    this.timer = setTimeout(() => void this.attach(), delay);
  }

  private detach(): void {
    clearTimeout(this.timer);
    clearInterval(this.sampler);
    this.sampler = undefined;
    this.hls?.destroy();
    this.hls = undefined;
    if (this.video.getAttribute('src')) {
      this.video.removeAttribute('src');
      this.video.load();
    }
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
