import { DownlinkLadder, capQuality, ladderInput } from '../core/analysis.js';
import { autoQuality } from '../core/layer-policy.js';
import type { Quality } from '../core/room-viewer.js';
import type { LiveStatsSample } from '../core/stats-sampler.js';
import type { LadderLevel } from '../core/types.js';
import type { AutoQualityHost } from './auto-quality-controller.js';

/**
 * `quality="auto"`: each tile gets the smallest simulcast layer that fills it, no video while it
 * is out of view or the tab is hidden. With `degradation="audio-first"` (the default) the measured
 * downlink caps every tile, a manual `quality` included (it is a ceiling): high, medium, low, low
 * at half the frame rate, audio only, and back. Switching waits for a tile's first frame, so it
 * never delays that frame. What {@link AutoQualityController} loads (a chunk of the CDN build) at
 * the first sample or first frame, whichever comes first; sampling itself it keeps retained.
 */
export class AutoQuality {
  private readonly widths = new Map<string, number>();
  private readonly visible = new Map<string, boolean>();
  private readonly playing = new Set<string>();
  /** What was last asked per feed, and whether the downlink capped it. */
  private readonly asked = new Map<string, { quality: Quality; temporal: number; capped: boolean }>();
  private readonly ladder = new DownlinkLadder();
  private resizeObserver: ResizeObserver | undefined;
  private intersectionObserver: IntersectionObserver | undefined;

  constructor(private readonly host: AutoQualityHost) {}

  /** A stats sample of the host's downlink. */
  sample(sample: LiveStatsSample): void {
    if (this.host.degradation === 'off') return;
    // Video the publisher paused on purpose (its uplink) is no evidence about our downlink.
    if (this.host.feeds.length > 0 && this.host.feeds.every((feed) => feed.videoPaused)) return;
    const change = this.ladder.observe(ladderInput(sample));
    if (!change) return;
    this.host.sampler.setDegradation(change.level === 'high' ? undefined : `${change.level} (${change.trigger})`);
    this.apply();
    const first = this.host.feeds[0];
    const quality = first ? (this.asked.get(String(first.feedId))?.quality ?? this.ceiling()) : this.ceiling();
    this.host.ladderChanged(change, quality);
  }

  /** The ladder's level (`high` when nothing is held down). */
  get level(): LadderLevel {
    return this.ladder.level;
  }

  connect(): void {
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

  disconnect(): void {
    this.resizeObserver?.disconnect();
    this.intersectionObserver?.disconnect();
    document.removeEventListener('visibilitychange', this.apply);
    this.ladder.reset();
    this.asked.clear();
  }

  observeTiles(): void {
    for (const tile of this.host.renderRoot.querySelectorAll<HTMLElement>('[part~="tile"]')) {
      this.resizeObserver?.observe(tile);
      this.intersectionObserver?.observe(tile);
    }
  }

  /** `quality` or `degradation` changed: re-decide (the controller keeps the sampling retained). */
  qualityChanged(): void {
    this.asked.clear();
    const ladderOn = this.host.degradation !== 'off';
    if (!ladderOn) this.ladder.reset();
    if (this.host.quality === 'auto' || ladderOn) this.apply();
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
      // A feed whose video is paused (a choice the viewer re-applied to a fresh subscription after a
      // reconnect) shows no first frame until it is resumed: waiting for one would hold it paused.
      const paused = feed.quality === 'audio';
      const switchable = this.playing.has(key) || paused;
      if (!switchable || (auto && width === undefined)) continue;
      const inView = document.visibilityState !== 'hidden' && this.visible.get(key) !== false;
      const fits = auto ? autoQuality(width!, devicePixelRatio, inView) : this.ceiling();
      const { quality, temporal } = capQuality(fits, level);
      const previous = this.asked.get(key);
      const capped = quality !== fits || temporal !== 2;
      // A manual quality is applied by the element itself; the controller only steps below it.
      if (!previous && !auto && !capped && !paused) {
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
