import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Quality, RoomViewer, WatchedFeed } from '../core/room-viewer.js';
import type { LiveStatsSample, StatsSampler } from '../core/stats-sampler.js';
import type { DegradationMode, LadderChange, LadderLevel } from '../core/types.js';
import type { AutoQuality } from './auto-quality.js';

/** What `quality="auto"` and the downlink ladder need from their viewer element. */
export interface AutoQualityHost extends ReactiveControllerHost {
  readonly quality: string;
  readonly degradation: DegradationMode;
  readonly feeds: readonly WatchedFeed[];
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly viewer: RoomViewer | undefined;
  readonly sampler: StatsSampler;
  /** The ladder moved (fired as `janus-quality` with direction, trigger and metrics). */
  ladderChanged(change: LadderChange, quality: Quality): void;
}

/**
 * `quality="auto"`: each tile gets the smallest simulcast layer that fills it, no video while it
 * is out of view or the tab is hidden. With `degradation="audio-first"` (the default) the measured
 * downlink caps every tile, a manual `quality` included (it is a ceiling): high, medium, low, low
 * at half the frame rate, audio only, and back. Switching waits for a tile's first frame, so it
 * never delays that frame.
 *
 * This controller keeps the downlink sampled while either needs it; the policy ({@link AutoQuality},
 * a chunk of the CDN build) is loaded at the first sample or first frame, and hears what happened
 * before it arrived.
 */
export class AutoQualityController implements ReactiveController {
  private policy: AutoQuality | undefined;
  private loading = false;
  private connected = false;
  /** Until the policy is here: samples to hand it, and the feeds that already play. */
  private early: { samples: LiveStatsSample[]; playing: Set<string> } = { samples: [], playing: new Set() };
  private releaseSampling: (() => void) | undefined;

  constructor(private readonly host: AutoQualityHost) {
    host.addController(this);
    host.sampler.on('sample', (sample) => {
      if (this.policy) return this.policy.sample(sample);
      this.early.samples.push(sample);
      this.load();
    });
  }

  /** The ladder's level (`high` when nothing is held down). */
  get level(): LadderLevel {
    return this.policy?.level ?? 'high';
  }

  hostConnected(): void {
    this.connected = true;
    this.retain();
    this.policy?.connect();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.releaseSampling?.();
    this.releaseSampling = undefined;
    this.early = { samples: [], playing: new Set() };
    this.policy?.disconnect();
  }

  hostUpdated(): void {
    this.policy?.observeTiles();
  }

  /** `quality` or `degradation` changed: sample the downlink while either needs it, and re-decide. */
  qualityChanged(): void {
    this.retain();
    this.policy?.qualityChanged();
  }

  /** The element switched between WebRTC and HLS: forget the tiles it had (see {@link AutoQuality.reset}). */
  reset(): void {
    this.early = { samples: [], playing: new Set() };
    if (this.policy) this.policy.reset();
    else this.host.sampler.setDegradation(undefined);
  }

  /** A tile rendered its first frame: from now on its layer may change. */
  firstFrame(feedId: number | string): void {
    if (this.policy) return this.policy.firstFrame(feedId);
    this.early.playing.add(String(feedId));
    this.load();
  }

  /** A feed went away. */
  forget(feedId: number | string): void {
    this.early.playing.delete(String(feedId));
    this.policy?.forget(feedId);
  }

  private retain(): void {
    const ladderOn = this.host.degradation !== 'off';
    if (!ladderOn) this.host.sampler.setDegradation(undefined);
    if (this.host.quality === 'auto' || ladderOn) {
      this.releaseSampling ??= this.host.sampler.retain();
    } else {
      this.releaseSampling?.();
      this.releaseSampling = undefined;
    }
  }

  private load(): void {
    if (this.loading) return;
    this.loading = true;
    void import('./auto-quality.js').then(
      ({ AutoQuality }) => {
        const policy = new AutoQuality(this.host);
        this.policy = policy;
        const { samples, playing } = this.early;
        this.early = { samples: [], playing: new Set() };
        if (!this.connected) return; // hostConnected connects it
        policy.connect();
        policy.observeTiles();
        for (const sample of samples) policy.sample(sample);
        for (const feedId of playing) policy.firstFrame(feedId);
      },
      () => {
        this.loading = false; // tried again at the next sample or first frame
      },
    );
  }
}
