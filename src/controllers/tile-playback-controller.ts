import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { WatchedFeed } from '../core/room-viewer.js';
import { safeVolume } from '../core/validation.js';

/** What the controller needs from its element. */
export interface TilePlaybackHost extends ReactiveControllerHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly feeds: WatchedFeed[];
  readonly muted: boolean;
  readonly volume: number;
  /** The HLS player's video, while HLS plays (it plays on its own). */
  readonly hlsVideo: HTMLVideoElement | undefined;
  /** The browser refused to play sound without a user gesture: the element goes muted. */
  soundBlocked(): void;
  /** A tile rendered its first frame. */
  tilePlaying(feed: WatchedFeed): void;
}

/**
 * Plays the tiles' video elements after each render: volume and mute, the first rendered frame,
 * and playback that survives the browser's autoplay rules (muted, with an unmute button, never a failure).
 */
export class TilePlaybackController implements ReactiveController {
  /** Video elements whose playback is already being looked after. */
  private readonly playing = new WeakSet<HTMLVideoElement>();

  constructor(private readonly host: TilePlaybackHost) {
    host.addController(this);
  }

  hostUpdated(): void {
    const { hlsVideo } = this.host;
    if (hlsVideo) hlsVideo.muted = this.host.muted;
    for (const video of this.host.renderRoot.querySelectorAll('video')) {
      video.volume = safeVolume(this.host.volume);
      if (video === hlsVideo) continue;
      const feed = this.host.feeds.find((f) => String(f.feedId) === video.dataset['feed']);
      if (feed && !this.playing.has(video) && readyToPlay(video, feed)) this.play(video, feed);
    }
  }

  /** Starts watching a new video element: first-frame event, and playback that survives autoplay rules. */
  private play(video: HTMLVideoElement, feed: WatchedFeed): void {
    this.playing.add(video);
    // The first frame actually rendered, not just the play() promise.
    video.requestVideoFrameCallback(() => {
      // A tile removed meanwhile (the hand-off to HLS) did not play.
      if (video.isConnected) this.host.tilePlaying(feed);
    });
    // Chromium pauses a playing element when an audio track joins its stream without a user
    // gesture; nobody else pauses ours, so a pause means: play again, muted if need be.
    video.addEventListener('pause', () => void this.resume(video));
    void this.resume(video);
  }

  /** Plays with sound when allowed; otherwise muted (the element shows an unmute button). */
  private async resume(video: HTMLVideoElement): Promise<void> {
    if (!video.isConnected) return;
    try {
      await video.play();
    } catch (error) {
      if ((error as DOMException).name !== 'NotAllowedError') return;
      this.host.soundBlocked();
      video.muted = true;
      await video.play().catch(() => {});
    }
  }
}

/**
 * Whether a tile's stream has every track it will get: a stream that starts video-only may
 * autoplay with sound allowed, and then be paused by the browser when its audio arrives.
 */
function readyToPlay(video: HTMLVideoElement, feed: WatchedFeed): boolean {
  if (video.srcObject !== feed.stream) return false;
  return feed.audioMid === undefined || feed.stream.getAudioTracks().length > 0;
}
