import { JanusWidgetError } from './errors.js';
import { Machine, type MachineEvents } from './machine.js';
import type { ViewerState } from './room-viewer.js';

/** What `<janus-stats>` and the badge show while playing HLS. */
export interface HlsSample {
  engine: 'hls.js' | 'native';
  /** The variant playing, when the playlist says. */
  level?: { width: number; height: number; bitrate: number } | undefined;
  /** Bits per second actually downloaded over the last interval. */
  bitrate: number;
  /** Seconds of media buffered ahead of the playhead. */
  buffer: number;
  /** Seconds behind live: now minus the EXT-X-PROGRAM-DATE-TIME of the frame on screen. */
  latency: number | undefined;
}

export interface HlsPlayerEvents extends MachineEvents<ViewerState> {
  sample: HlsSample;
  /** The browser refused sound without a user gesture; playback continues muted. */
  'sound-blocked': void;
}

/** A 404 (or an ended playlist) means "no broadcast now": poll this often for the next one. */
export const HLS_WAIT_POLL_MS = 2000;
/** Pauses before the retries of a failed playlist, segment or stall; then `hls-failed`. */
export const HLS_RETRY_DELAYS_MS = [1000, 2000, 4000];
/** No progress of the playhead for this long, while live, counts as a failure. */
export const HLS_STALL_MS = 8000;

type HlsModule = typeof import('hls.js');
type Hls = InstanceType<HlsModule['default']>;

/**
 * Plays an HLS playlist in its own `<video>` with the viewer's states: `connecting`, `live` from
 * the first frame, `waiting` while the playlist is missing or ended, `reconnecting` during retries,
 * `error` (`hls-failed`) when they run out. hls.js is imported only when a player starts, so pages
 * that never need HLS never download it.
 */
export class HlsPlayer extends Machine<ViewerState, HlsPlayerEvents> {
  readonly video: HTMLVideoElement = document.createElement('video');
  private hls: Hls | undefined;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sampler: ReturnType<typeof setInterval> | undefined;
  private loadedBytes = 0;
  private lastSample = { time: 0, bytes: 0, currentTime: -1, progressAt: 0 };
  latest: HlsSample | undefined;

  constructor(
    readonly url: string,
    private readonly loadHls: () => Promise<HlsModule> = () => import('hls.js'),
  ) {
    super('idle');
    this.video.playsInline = true;
    this.video.autoplay = true;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'error') return;
    this.failures = 0;
    this.setState('connecting');
    await this.attach(this.newRun());
  }

  private async attach(signal: AbortSignal): Promise<void> {
    try {
      const response = await fetch(this.url, { cache: 'no-store', signal });
      if (response.status === 404 || response.status === 410) return this.waitForBroadcast(signal);
      if (!response.ok) throw new JanusWidgetError('hls-failed', `The HLS playlist answered HTTP ${response.status}.`);
      const text = await response.text();
      if (!text.startsWith('#EXTM3U')) throw new JanusWidgetError('hls-failed', 'The hls URL is not an HLS playlist.');
      if (text.includes('#EXT-X-ENDLIST')) return this.waitForBroadcast(signal);
      if (signal.aborted) return;
      // Safari's native player exposes the program date time (getStartDate); Chromium's does not,
      // and without it the latency behind live is unknown: there hls.js is the better player.
      const native = this.video.canPlayType('application/vnd.apple.mpegurl') !== '' && 'getStartDate' in this.video;
      if (native) this.video.src = this.url;
      else await this.attachHlsJs(signal);
      this.watchPlayback(signal);
    } catch (error) {
      if (signal.aborted) return;
      this.failure(error);
    }
  }

  private async attachHlsJs(signal: AbortSignal): Promise<void> {
    const { default: Hls } = await this.loadHls();
    if (signal.aborted) return;
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
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal || signal.aborted) return;
      const status = data.response?.code;
      if (status === 404 && data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        this.detach();
        void this.attach(signal);
      } else this.failure(new JanusWidgetError('hls-failed', `HLS playback failed (${data.details}).`));
    });
    hls.loadSource(this.url);
    hls.attachMedia(this.video);
  }

  private watchPlayback(signal: AbortSignal): void {
    this.video.requestVideoFrameCallback(() => {
      if (signal.aborted) return;
      this.failures = 0;
      this.setState('live');
    });
    this.video.addEventListener('ended', () => !signal.aborted && this.waitForBroadcast(signal), { signal });
    void this.play();
    this.lastSample = {
      time: performance.now(),
      bytes: this.loadedBytes,
      currentTime: -1,
      progressAt: performance.now(),
    };
    this.sampler = setInterval(() => this.sample(signal), 1000);
  }

  private async play(): Promise<void> {
    try {
      await this.video.play();
    } catch (error) {
      if ((error as DOMException).name !== 'NotAllowedError') return;
      this.video.muted = true;
      this.emit('sound-blocked', undefined);
      await this.video.play().catch(() => {});
    }
  }

  private sample(signal: AbortSignal): void {
    if (signal.aborted) return;
    const now = performance.now();
    const video = this.video;
    if (video.currentTime !== this.lastSample.currentTime) {
      this.lastSample.currentTime = video.currentTime;
      this.lastSample.progressAt = now;
    } else if (this.state === 'live' && now - this.lastSample.progressAt > HLS_STALL_MS) {
      this.failure(new JanusWidgetError('hls-failed', 'HLS playback stalled.'));
      return;
    }
    const seconds = (now - this.lastSample.time) / 1000;
    const bitrate = seconds > 0 ? ((this.loadedBytes - this.lastSample.bytes) * 8) / seconds : 0;
    this.lastSample.time = now;
    this.lastSample.bytes = this.loadedBytes;
    const ranges = video.buffered;
    const buffer = ranges.length ? Math.max(0, ranges.end(ranges.length - 1) - video.currentTime) : 0;
    const level = this.hls?.levels[this.hls.currentLevel];
    this.latest = {
      engine: this.hls ? 'hls.js' : 'native',
      level: level ? { width: level.width, height: level.height, bitrate: level.bitrate } : undefined,
      bitrate: Math.round(bitrate),
      buffer: round(buffer),
      latency: this.latency(),
    };
    this.emit('sample', this.latest);
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

  private waitForBroadcast(signal: AbortSignal): void {
    this.detach();
    if (signal.aborted) return;
    this.failures = 0;
    this.setState('waiting');
    this.timer = setTimeout(() => void this.attach(signal), HLS_WAIT_POLL_MS);
  }

  /** A failed attempt: retried after a pause, until the retries run out. */
  private failure(error: unknown): void {
    this.detach();
    const delay = HLS_RETRY_DELAYS_MS[this.failures++];
    if (delay === undefined) {
      this.fail(error instanceof JanusWidgetError ? error : new JanusWidgetError('hls-failed', String(error)));
      return;
    }
    const signal = this.signal;
    if (this.state !== 'connecting') this.setState('reconnecting');
    this.timer = setTimeout(() => void this.attach(signal), delay);
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

  protected isEstablished(): boolean {
    return this.state === 'live';
  }

  protected async teardown(): Promise<void> {
    this.detach();
    this.latest = undefined;
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
