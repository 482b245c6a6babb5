import { JanusWidgetError } from './errors.js';
import { Machine, type MachineEvents } from './machine.js';
import type { ViewerState } from './room-viewer.js';
import type { HlsEngine } from './hls-engine.js';

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

/** What the lazily loaded engine reports to its player. */
export interface HlsEngineHost {
  setState(state: ViewerState): void;
  fail(error: JanusWidgetError): void;
  sample(sample: HlsSample): void;
  soundBlocked(): void;
}

/**
 * Plays an HLS playlist in its own `<video>` with the viewer's states: `connecting`, `live` from
 * the first frame, `waiting` while the playlist is missing or ended, `reconnecting` during retries,
 * `error` (`hls-failed`) when they run out. Everything that plays (playlist checks, hls.js, stats)
 * is in a chunk imported when a player starts: pages that never need HLS never download it, and
 * the main bundle carries only this shell.
 */
export class HlsPlayer extends Machine<ViewerState, HlsPlayerEvents> {
  readonly video: HTMLVideoElement = document.createElement('video');
  private engine: HlsEngine | undefined;
  latest: HlsSample | undefined;

  constructor(
    readonly url: string,
    private readonly loadEngine: () => Promise<typeof import('./hls-engine.js')> = () => import('./hls-engine.js'),
  ) {
    super('idle');
    this.video.playsInline = true;
    this.video.autoplay = true;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'error') return;
    this.setState('connecting');
    const signal = this.newRun();
    let module: typeof import('./hls-engine.js');
    try {
      module = await this.loadEngine();
    } catch (cause) {
      if (!signal.aborted)
        this.fail(new JanusWidgetError('hls-failed', 'The HLS player could not be loaded.', { cause }));
      return;
    }
    if (signal.aborted) return;
    this.engine = new module.HlsEngine(this.url, this.video, signal, {
      setState: (state) => !signal.aborted && this.setState(state),
      fail: (error) => !signal.aborted && this.fail(error),
      sample: (sample) => {
        if (signal.aborted) return;
        this.latest = sample;
        this.emit('sample', sample);
      },
      soundBlocked: () => !signal.aborted && this.emit('sound-blocked', undefined),
    });
    await this.engine.start();
  }

  /** Seconds behind live, from the program date time of the frame on screen. */
  latency(): number | undefined {
    return this.engine?.latency();
  }

  protected isEstablished(): boolean {
    return this.state === 'live';
  }

  protected async teardown(): Promise<void> {
    this.engine?.dispose();
    this.engine = undefined;
    this.latest = undefined;
  }
}
