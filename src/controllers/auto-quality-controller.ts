import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DownlinkLadder, capQuality } from '../core/degradation.js';
import { autoQuality } from '../core/layer-policy.js';
import type { Quality, RoomViewer, WatchedFeed } from '../core/room-viewer.js';
import type { StatsSampler } from '../core/stats-sampler.js';

/** What `quality="auto"` needs from its viewer element. */
export interface AutoQualityHost extends ReactiveControllerHost {
  readonly quality: string;
  readonly feeds: readonly WatchedFeed[];
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly viewer: RoomViewer | undefined;
  readonly sampler: StatsSampler;
}

/**
 * `quality="auto"`: each tile gets the smallest simulcast layer that fills it, no video while it
 * is out of view or the tab is hidden, and at most what the measured downlink allows (audio first,
 * with hysteresis). Switching waits for a tile's first frame, so it never delays that frame.
 */
export class AutoQualityController implements ReactiveController {
  private readonly widths = new Map<string, number>();
  private readonly visible = new Map<string, boolean>();
  private readonly playing = new Set<string>();
  /** What was last asked per feed, and whether the downlink capped it. */
  private readonly asked = new Map<string, { quality: Quality; capped: boolean }>();
  private readonly ladder = new DownlinkLadder();
  private resizeObserver: ResizeObserver | undefined;
  private intersectionObserver: IntersectionObserver | undefined;
  private releaseSampling: (() => void) | undefined;

  constructor(private readonly host: AutoQualityHost) {
    host.addController(this);
    host.sampler.on('sample', (sample) => {
      if (this.host.quality !== 'auto' || !this.ladder.observe(sample)) return;
      host.sampler.setDegradation(this.ladder.step === 'none' ? undefined : this.ladder.step);
      this.apply();
    });
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

  /** The element's `quality` changed: auto samples the downlink (for the ladder) and re-decides. */
  qualityChanged(): void {
    this.asked.clear();
    if (this.host.quality === 'auto') {
      this.releaseSampling ??= this.host.sampler.retain();
      this.apply();
    } else {
      this.releaseSampling?.();
      this.releaseSampling = undefined;
      this.ladder.reset();
      this.host.sampler.setDegradation(undefined);
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

  private readonly apply = (): void => {
    const viewer = this.host.viewer;
    if (!viewer || this.host.quality !== 'auto') return;
    for (const feed of this.host.feeds) {
      const key = String(feed.feedId);
      const width = this.widths.get(key);
      if (width === undefined || !this.playing.has(key)) continue;
      const inView = document.visibilityState !== 'hidden' && this.visible.get(key) !== false;
      const fits = autoQuality(width, devicePixelRatio, inView);
      const quality = capQuality(fits, this.ladder.step);
      const previous = this.asked.get(key);
      if (quality === previous?.quality) continue;
      const capped = quality !== fits;
      this.asked.set(key, { quality, capped });
      const reason =
        capped || previous?.capped
          ? 'network'
          : quality === 'audio' || previous?.quality === 'audio'
            ? 'visibility'
            : 'size';
      void viewer.setQuality(feed.feedId, quality, reason);
    }
  };
}
