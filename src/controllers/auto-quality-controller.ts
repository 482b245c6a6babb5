import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DownlinkLadder, capQuality, type LadderInput } from '../core/degradation.js';
import { autoQuality } from '../core/layer-policy.js';
import { QUALITY_THRESHOLDS, levelOf } from '../core/quality.js';
import type { Quality, RoomViewer, WatchedFeed } from '../core/room-viewer.js';
import type { LiveStatsSample, StatsSampler } from '../core/stats-sampler.js';
import type { DegradationMode, LadderChange, LadderLevel } from '../core/types.js';

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
 */
export class AutoQualityController implements ReactiveController {
  private readonly widths = new Map<string, number>();
  private readonly visible = new Map<string, boolean>();
  private readonly playing = new Set<string>();
  /** What was last asked per feed, and whether the downlink capped it. */
  private readonly asked = new Map<string, { quality: Quality; temporal: number; capped: boolean }>();
  private readonly ladder = new DownlinkLadder();
  private resizeObserver: ResizeObserver | undefined;
  private intersectionObserver: IntersectionObserver | undefined;
  private releaseSampling: (() => void) | undefined;

  constructor(private readonly host: AutoQualityHost) {
    host.addController(this);
    host.sampler.on('sample', (sample) => {
      if (this.host.degradation === 'off') return;
      // Video the publisher paused on purpose (its uplink) is no evidence about our downlink.
      if (this.host.feeds.length > 0 && this.host.feeds.every((feed) => feed.videoPaused)) return;
      const change = this.ladder.observe(ladderInput(sample));
      if (!change) return;
      host.sampler.setDegradation(change.level === 'high' ? undefined : `${change.level} (${change.trigger})`);
      this.apply();
      const first = this.host.feeds[0];
      const quality = first ? (this.asked.get(String(first.feedId))?.quality ?? this.ceiling()) : this.ceiling();
      host.ladderChanged(change, quality);
    });
  }

  /** The ladder's level (`high` when nothing is held down). */
  get level(): LadderLevel {
    return this.ladder.level;
  }

  hostConnected(): void {
    const key = (entry: ResizeObserverEntry | IntersectionObserverEntry) =>
      (entry.target as HTMLElement).dataset['feed']!;
    this.resizeObserver = new ResizeObserver((entries) => {
      for (const entry of entries) this.widths.set(key(entry), entry.contentRect.width);
      this.apply();
    });
    this.intersectionObserver = new IntersectionObserver((entries) => {
      for (const entry of entries) this.visible.set(key(entry), entry.isIntersecting);
      this.apply();
    });
    document.addEventListener('visibilitychange', this.apply);
    this.qualityChanged();
  }

  hostDisconnected(): void {
    this.resizeObserver?.disconnect();
    this.intersectionObserver?.disconnect();
    document.removeEventListener('visibilitychange', this.apply);
    this.releaseSampling?.();
    this.releaseSampling = undefined;
    this.ladder.reset();
    this.asked.clear();
  }

  hostUpdated(): void {
    for (const tile of this.host.renderRoot.querySelectorAll<HTMLElement>('[part~="tile"]')) {
      this.resizeObserver?.observe(tile);
      this.intersectionObserver?.observe(tile);
    }
  }

  /** `quality` or `degradation` changed: sample the downlink while either needs it, and re-decide. */
  qualityChanged(): void {
    this.asked.clear();
    const ladderOn = this.host.degradation !== 'off';
    if (!ladderOn) {
      this.ladder.reset();
      this.host.sampler.setDegradation(undefined);
    }
    if (this.host.quality === 'auto' || ladderOn) {
      this.releaseSampling ??= this.host.sampler.retain();
      this.apply();
    } else {
      this.releaseSampling?.();
      this.releaseSampling = undefined;
    }
  }

  /**
   * The element switched between WebRTC and HLS: what was learnt about the tiles it had (sizes,
   * visibility of removed tiles, first frames) says nothing about the ones that come next, and
   * acting on it would pause the video of a feed that has the same id.
   */
  reset(): void {
    for (const perFeed of [this.widths, this.visible, this.asked]) perFeed.clear();
    this.playing.clear();
    this.ladder.reset();
    this.host.sampler.setDegradation(undefined);
  }

  /** A tile rendered its first frame: from now on its layer may change. */
  firstFrame(feedId: number | string): void {
    this.playing.add(String(feedId));
    this.apply();
  }

  /** A feed went away. */
  forget(feedId: number | string): void {
    const key = String(feedId);
    for (const perFeed of [this.widths, this.visible, this.asked]) perFeed.delete(key);
    this.playing.delete(key);
  }

  /** A manual `quality`, else `high`: what the ladder caps. */
  private ceiling(): Quality {
    return this.host.quality === 'auto' ? 'high' : (this.host.quality as Quality);
  }

  private readonly apply = (): void => {
    const viewer = this.host.viewer;
    if (!viewer) return;
    const auto = this.host.quality === 'auto';
    const level = this.host.degradation === 'off' ? 'high' : this.ladder.level;
    for (const feed of this.host.feeds) {
      const key = String(feed.feedId);
      const width = this.widths.get(key);
      if (!this.playing.has(key) || (auto && width === undefined)) continue;
      const inView = document.visibilityState !== 'hidden' && this.visible.get(key) !== false;
      const fits = auto ? autoQuality(width!, devicePixelRatio, inView) : this.ceiling();
      const { quality, temporal } = capQuality(fits, level);
      const previous = this.asked.get(key);
      const capped = quality !== fits || temporal !== 2;
      // A manual quality is applied by the element itself; the controller only steps below it.
      if (!previous && !auto && !capped) {
        this.asked.set(key, { quality, temporal, capped });
        continue;
      }
      if (quality === previous?.quality && temporal === previous.temporal) continue;
      this.asked.set(key, { quality, temporal, capped });
      const reason =
        capped || previous?.capped
          ? 'network'
          : !auto
            ? 'manual'
            : quality === 'audio' || previous?.quality === 'audio'
              ? 'visibility'
              : 'size';
      void viewer.setQuality(feed.feedId, quality, reason, temporal).catch(() => {});
    }
  };
}

/**
 * The ladder's view of a stats sample. Jitter is judged on audio alone: when Janus drops temporal
 * layers (low-fps) or switches layers, RTP timestamps of video jump and its interarrival jitter
 * climbs on a clean link, which would keep the ladder from ever climbing back.
 */
function ladderInput(sample: LiveStatsSample): LadderInput {
  const audioJitter = sample.audio.jitterMs;
  const diagnosis =
    audioJitter === undefined
      ? sample.diagnosis
      : [
          ...sample.diagnosis.filter((d) => d.code !== 'jitter'),
          { code: 'jitter' as const, severity: levelOf(audioJitter, QUALITY_THRESHOLDS.jitterMs), value: audioJitter },
        ];
  return {
    timestamp: sample.timestamp,
    diagnosis,
    lossPercent: sample.lossPercent,
    rttMs: sample.rttMs,
    rttFresh: sample.rttFresh,
    jitterMs: audioJitter ?? sample.jitterMs,
    slowLinks: sample.slowLinks,
  };
}
