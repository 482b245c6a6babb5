import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveStatsSample, StatsSampler } from '../core/stats-sampler.js';
import type { DegradationMode, UplinkChange, UplinkLevel } from '../core/types.js';
import { once } from '../core/analysis-loader.js';
import type { UplinkAdapter, UplinkOptions, UplinkTarget } from '../core/uplink-adapter.js';

/** What the uplink ladder needs from its publisher element. */
export interface UplinkHost extends ReactiveControllerHost {
  readonly degradation: DegradationMode;
  readonly sampler: StatsSampler;
  /** The publishing machine, which owns the sender and speaks to the room. */
  readonly uplinkTarget: UplinkTarget | undefined;
  uplinkOptions(): UplinkOptions;
  /** The ladder moved (fired as `janus-quality`); `quality` is the top layer still sent. */
  uplinkChanged(change: UplinkChange, quality: 'high' | 'medium' | 'low' | 'audio'): void;
}

/**
 * `<janus-publisher degradation="audio-first">` (the default): samples the publishing
 * PeerConnection while connected and lets the {@link UplinkAdapter} shed and restore video for a
 * congested uplink; `off` restores everything and stops judging.
 */
export class UplinkController implements ReactiveController {
  /** The ladder, a lazy chunk of the CDN build: loaded with the first sample (one interval after live). */
  private ladder: UplinkAdapter | undefined;
  private readonly load = once(async () => {
    const host = this.host;
    const { UplinkAdapter, topLayerAt } = await import('../core/uplink-adapter.js');
    this.ladder = new UplinkAdapter(
      {
        get pc() {
          return host.uplinkTarget?.pc;
        },
        announceVideoPaused: (paused) => host.uplinkTarget?.announceVideoPaused(paused) ?? Promise.resolve(),
      },
      () => host.uplinkOptions(),
    );
    return { ladder: this.ladder, topLayerAt };
  });
  private release: (() => void) | undefined;
  private connected = false;

  constructor(private readonly host: UplinkHost) {
    host.addController(this);
    host.sampler.on('sample', this.observe);
  }

  /** The ladder's level (`full` when nothing is shed). */
  get level(): UplinkLevel {
    return this.ladder?.level ?? 'full';
  }

  hostConnected(): void {
    this.connected = true;
    this.degradationChanged();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.degradationChanged();
  }

  /** `degradation` changed (or the element came or went): sample while the ladder is on. */
  degradationChanged(): void {
    const on = this.connected && this.host.degradation !== 'off';
    if (on) {
      this.release ??= this.host.sampler.retain();
      return;
    }
    this.release?.();
    this.release = undefined;
    this.host.sampler.setDegradation(undefined);
    void this.ladder?.reset();
  }

  private readonly observe = (sample: LiveStatsSample): void => {
    if (!this.release || !this.host.uplinkTarget?.pc) return;
    void this.load()
      .then(({ ladder, topLayerAt }) => {
        if (!this.release) return;
        const change = ladder.observe(sample);
        if (!change) return;
        this.host.sampler.setDegradation(change.level === 'full' ? undefined : `${change.level} (${change.trigger})`);
        this.host.uplinkChanged(change, topLayerAt(change.level));
      })
      .catch(() => {}); // a failed chunk fetch is tried again at the next sample
  };
}
