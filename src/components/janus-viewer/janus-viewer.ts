import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
// Lit re-sets an object-valued property on every render; a media element reloads on each set.
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Quality, RoomViewer, ViewerSettings, ViewerState, WatchedFeed } from '../../core/room-viewer.js';
import type { StatsSampler } from '../../core/stats-sampler.js';
import { AutoQualityController } from '../../controllers/auto-quality-controller.js';
import { StatsController } from '../../controllers/stats-controller.js';
import { TilePlaybackController } from '../../controllers/tile-playback-controller.js';
import { ViewerController } from '../../controllers/viewer-controller.js';
import { ControlBarController } from '../../controllers/control-bar-controller.js';
import type { ModeReason } from '../../controllers/hls-controller.js';
import { ModeRouter } from '../../controllers/mode-router.js';
import type { HlsSample } from '../../core/hls-player.js';
import { JanusRoomElement } from '../shared/room-element.js';
import { widgetEvent } from '../shared/events.js';
import { videoFrameStyles } from '../shared/styles.js';
import { viewerStyles } from './styles.js';
import { viewerControls } from './controls.js';
import { CONTROLS_WAIT_MS, VIEWER_STRINGS } from './settings.js';
import type { DegradationMode, LadderChange } from '../../core/types.js';
import {
  numberIn,
  overridden,
  parseViewer,
  parseViewerMode,
  type QualityChoice,
  type ViewerMode,
} from '../../core/validation.js';

export { CONTROLS_WAIT_MS, VIEWER_STRINGS } from './settings.js';
export type { QualityChoice } from '../../core/validation.js';

/**
 * Plays the live video of a Janus VideoRoom: one publisher, or every publisher in a grid.
 *
 * @tag janus-viewer
 * @summary Watches a Janus VideoRoom with one tag.
 *
 * @slot placeholder - Shown while waiting for a publisher.
 * @slot overlay - Content over the video (e.g. `<janus-stats>`).
 * @slot controls - Replaces the built-in control bar (shown, like it, once the video plays).
 * @slot error - Replaces the error message.
 *
 * @fires {CustomEvent<JanusStateDetail>} janus-state - The state changed. `detail: {state, previous}`.
 * @fires {CustomEvent<JanusErrorDetail>} janus-error - A failure. `detail: {code, message, janusCode?}`.
 * @fires {CustomEvent<JanusFeedDetail>} janus-feed-added - A publisher's tile appeared. `detail: {feedId, display}`.
 * @fires {CustomEvent<JanusFeedDetail>} janus-feed-removed - A publisher's tile went away. `detail: {feedId, display}`.
 * @fires {CustomEvent<JanusQualityDetail>} janus-quality - The received layer or the network ladder changed. `detail: {quality, reason, feedId, level, direction?, trigger?, metrics?}`.
 * @fires {CustomEvent<JanusFeedDetail>} janus-playing - A tile rendered its first frame. `detail: {feedId, display}`.
 * @fires {CustomEvent<LiveStatsSample>} janus-stats - A stats sample, at the sampling interval, while sampled. `detail: LiveStatsSample`.
 * @fires {CustomEvent<JanusModeDetail>} janus-mode - The viewer switched between WebRTC and HLS. `detail: {mode, reason}`, reason `forced` | `remembered` | `timeout` | `room-full` | `webrtc-failed` (to HLS) or `recovered` (back to WebRTC).
 *
 * @csspart base - The frame around everything.
 * @csspart grid - The tile grid.
 * @csspart tile - One publisher's tile.
 * @csspart video - A tile's `<video>`.
 * @csspart name - A tile's publisher name.
 * @csspart placeholder - Shown while waiting.
 * @csspart status - The state line.
 * @csspart broadcast-badge - Replaces "Live" while playing HLS: "Broadcast · N s behind".
 * @csspart error - The error message.
 * @csspart controls - The control bar: shown once the first frame plays (at most 1 s after going live), at once when no video is coming (waiting, error).
 * @csspart button - Every control button.
 * @csspart unmute-button - Shown when the browser blocked sound.
 * @csspart mute-button - Sound on/off.
 * @csspart volume - The volume slider.
 * @csspart select - Every menu (today the quality menu).
 * @csspart quality-select - The quality menu.
 * @csspart fullscreen-button - Full screen.
 * @csspart pip-button - Picture in picture.
 * @csspart audio-only - The badge over a tile whose video is paused (audio only); its last frame stays dimmed. `data-reason="publisher"` when the publisher sends audio only for its uplink.
 *
 * @cssprop [--janus-bg=#111] - Shared token: background of the frame (and of tiles).
 * @cssprop [--janus-color=#fff] - Shared token: text colour (buttons, placeholder, `<janus-stats>`).
 * @cssprop [--janus-font=14px/1.4 var(--janus-font-family)] - Shared token: font shorthand of the frame.
 * @cssprop [--janus-font-family=the page's font] - Shared token: font family of every element.
 * @cssprop [--janus-radius=8px] - Shared token: corner radius; buttons and the error box use 0.75 of it.
 * @cssprop [--janus-accent=#4fc3f7] - Shared token: accent colour (focus ring, sliders).
 * @cssprop [--janus-danger=#c62828] - Shared token: live badge and errors (the error box defaults to #b71c1c).
 * @cssprop [--janus-overlay-bg=rgb(0 0 0 / 0.6)] - Shared token: background of labels over the video.
 * @cssprop [--janus-inset=8px] - Shared token: distance of overlays from the edges.
 * @cssprop [--janus-aspect-ratio=16 / 9] - Aspect ratio of the frame.
 * @cssprop [--janus-video-fit=cover] - object-fit of the video.
 * @cssprop [--janus-placeholder-color=var(--janus-color, #bbb)] - Placeholder text colour.
 * @cssprop [--janus-status-bg=var(--janus-overlay-bg)] - Background of the state line.
 * @cssprop [--janus-live-bg=var(--janus-danger, #c62828)] - Background of the state line while live.
 * @cssprop [--janus-error-bg=var(--janus-danger, #b71c1c)] - Error background.
 * @cssprop [--janus-error-color=#fff] - Error text colour.
 * @cssprop [--janus-controls-bg=linear-gradient(transparent, rgb(0 0 0 / 0.7))] - Background of the control bar.
 * @cssprop [--janus-button-bg=rgb(255 255 255 / 0.16)] - Button and picker background.
 * @cssprop [--janus-button-color=var(--janus-color, #fff)] - Button and picker text colour.
 * @cssprop [--janus-button-border=rgb(255 255 255 / 0.3)] - Button and picker border colour.
 * @cssprop [--janus-button-radius=calc(var(--janus-radius) * 0.75)] - Button and picker corner radius.
 * @cssprop [--janus-button-off-bg=rgb(198 40 40 / 0.85)] - Background of a button whose device is off.
 * @cssprop [--janus-focus-ring=var(--janus-accent, #4fc3f7)] - Keyboard focus outline colour.
 * @cssprop [--janus-grid-gap=4px] - Gap between tiles.
 * @cssprop [--janus-tile-bg=var(--janus-bg, #000)] - Tile background.
 * @cssprop [--janus-name-bg=var(--janus-overlay-bg, rgb(0 0 0 / 0.55))] - Background of the name label.
 * @cssprop [--janus-audio-only-opacity=0.35] - Opacity of the last frame under the audio-only badge.
 * @cssprop [--janus-audio-only-bg=var(--janus-name-bg)] - Background of the audio-only badge.
 *
 * @cssstate idle - Not started.
 * @cssstate connecting - Joining the room.
 * @cssstate waiting - Joined; nobody (or not the chosen publisher) is publishing.
 * @cssstate live - Media is flowing.
 * @cssstate reconnecting - Connection lost, retrying.
 * @cssstate error - Failed; see the `error` property.
 * @cssstate closed - Removed or stopped.
 */
export class JanusViewer extends JanusRoomElement<ViewerState> {
  // Declared statically, not with decorators: see JanusRoomElement.properties.
  static override properties: PropertyDeclarations = {
    feed: {},
    display: {},
    maxFeeds: { type: Number, attribute: 'max-feeds' },
    quality: {},
    degradation: {},
    muted: { type: Boolean, reflect: true },
    volume: { type: Number },
    hls: {},
    mode: {},
    currentMode: { attribute: 'current-mode', reflect: true },
    hlsStats: { state: true, attribute: false },
    currentQuality: { attribute: 'current-quality', reflect: true },
    strings: { attribute: false },
    blocked: { state: true, attribute: false },
  };

  static override styles = [videoFrameStyles, viewerStyles];

  /** Read-only: `idle` | `connecting` | `waiting` | `live` | `reconnecting` | `error` | `closed`. */
  declare state: ViewerState;

  /** Watch only this publisher (its feed id); waits for it if it is not publishing yet. */
  feed = '';

  /** Watch only the publisher with this display name. */
  display = '';

  /** At most this many tiles (0 = all). */
  maxFeeds = 0;

  /** `auto` (default: by size, visibility and network), `high`, `medium`, `low` or `audio`. */
  quality: QualityChoice = 'auto';

  /** `audio-first` (default): on a bad downlink step video down, to audio only, and back up; `off`: never. */
  degradation: DegradationMode = 'audio-first';

  /** Start muted on purpose (also set when the browser blocks sound). */
  muted = false;

  /** Sound volume, 0 to 1. */
  volume = 1;

  /** URL of the room's HLS playlist (see demo/server/hls-bridge.mjs); enables `mode`. */
  hls = '';

  /** `auto` (default with `hls`: WebRTC first, HLS when it cannot connect within 8 s), `webrtc` or `hls`. */
  mode: ViewerMode | '' = '';

  /** Read-only: what plays now, `webrtc` or `hls`. */
  currentMode: 'webrtc' | 'hls' = 'webrtc';

  /** Read-only: the latest HLS figures (level, bitrate, buffer, latency behind live), while on HLS. */
  hlsStats: HlsSample | undefined;

  /** Read-only: the layer actually received (of the first tile). */
  currentQuality: Quality | '' = '';

  /** Overrides for the visible strings. */
  strings: Partial<typeof VIEWER_STRINGS> = {};

  /** True when the browser refused to play sound without a user gesture. */
  private blocked = false;

  private readonly controlBar = new ControlBarController(this, CONTROLS_WAIT_MS);

  private readonly controller = new ViewerController(this, {
    feedAdded: (feed) => this.dispatchEvent(widgetEvent('janus-feed-added', feedDetail(feed))),
    feedRemoved: (feed) => {
      this.autoQuality.forget(feed.feedId);
      this.dispatchEvent(widgetEvent('janus-feed-removed', feedDetail(feed)));
    },
    quality: (detail) => {
      if (detail.feedId === this.feeds[0]?.feedId) this.currentQuality = detail.quality;
      this.requestUpdate();
      this.dispatchEvent(widgetEvent('janus-quality', { ...detail, level: this.autoQuality.level }));
    },
    peerConnection: (pc) => this.statsController.setPeerConnection(pc),
    slowlink: (report) => this.statsController.sampler.addSlowLink(report),
    layer: ({ feedId, substream, temporal }) => {
      if (feedId === this.feeds[0]?.feedId) this.statsController.sampler.setLayer({ substream, temporal });
    },
  });

  /** WebRTC or HLS, and the HLS player. */
  private readonly hlsController = new ModeRouter(this, this.controller);

  /** Samples the receiving PeerConnection for `<janus-stats>` and `janus-stats` listeners. */
  readonly statsController = new StatsController(this, 'recv');

  /** `quality="auto"`: layers by tile size, visibility and the measured downlink. */
  private readonly autoQuality = new AutoQualityController(this);

  constructor() {
    super('idle');
    // Plays the tiles' videos after each render (volume, first frame, autoplay rules).
    new TilePlaybackController(this);
  }

  /** The feeds shown, in arrival order. */
  get feeds(): WatchedFeed[] {
    return this.controller.feeds;
  }

  /** The latest stats sample (sampled for `<janus-stats>`, `janus-stats` listeners and `quality="auto"`). */
  get stats() {
    return this.statsController.latest;
  }

  /** @internal The room viewer, for the auto-quality controller. */
  get viewer(): RoomViewer | undefined {
    return this.controller.viewer;
  }

  /** @internal The stats sampler, for the auto-quality controller. */
  get sampler(): StatsSampler {
    return this.statsController.sampler;
  }

  /** The receiving PeerConnection, for stats. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.controller.viewer?.pc;
  }

  /** @internal The network ladder moved. */
  ladderChanged(change: LadderChange, quality: Quality): void {
    const { level, direction, trigger, metrics } = change;
    const feedId = this.feeds[0]?.feedId;
    this.dispatchEvent(
      widgetEvent('janus-quality', { quality, reason: 'network', feedId, level, direction, trigger, metrics }),
    );
  }

  /** Connects again from scratch. */
  async reconnect(): Promise<void> {
    this.controller.restart();
  }

  /** @internal Builds the core settings from the attributes; throws `invalid-config`. */
  viewerSettings(): ViewerSettings {
    return { ...parseViewer(this), connection: this.connectionConfig() };
  }

  /** @internal The validated `hls` and `mode`, for the HLS controller; throws `invalid-config`. */
  hlsSettings(): { hls?: string; mode: ViewerMode } {
    numberIn('volume', this.volume ?? 1, 0, 1);
    return parseViewerMode(this);
  }

  /** @internal Whose WebRTC failure is remembered for the session. */
  webrtcKey(): string {
    return JSON.stringify([this.server, this.room]);
  }

  /** @internal */
  modeChanged(detail: { mode: 'webrtc' | 'hls'; reason: ModeReason }): void {
    this.currentMode = detail.mode;
    this.autoQuality.reset();
    this.dispatchEvent(widgetEvent('janus-mode', detail));
  }

  /** @internal */
  hlsSample(sample: HlsSample): void {
    this.hlsStats = sample;
    this.statsController.setHls(sample);
  }

  /** @internal */
  soundBlocked(): void {
    this.blocked = true;
    this.muted = true;
  }

  /** @internal The HLS player's video, while HLS plays. */
  get hlsVideo(): HTMLVideoElement | undefined {
    return this.hlsController.player?.video;
  }

  /** @internal A tile rendered its first frame. */
  tilePlaying(feed: WatchedFeed): void {
    this.dispatchEvent(widgetEvent('janus-playing', feedDetail(feed)));
    this.controlBar.firstFrame();
    this.autoQuality.firstFrame(feed.feedId);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const has = (names: readonly string[]) => names.some((name) => (changed as Map<PropertyKey, unknown>).has(name));
    // quality and volume apply live, unless they are (or were) invalid: then a rebuild reports or clears it.
    const revalidate =
      this.hasUpdated && has(['quality', 'volume', 'degradation']) && this.mustRevalidate(() => this.viewerSettings());
    const settingsChanged = this.hasUpdated && has(['feed', 'display', 'maxFeeds', 'hls', 'mode']);
    this.hlsController.route(this.connectionChanged(changed) || settingsChanged || revalidate);
    if (this.hlsController.mode === 'webrtc' && (this.currentMode !== 'webrtc' || this.hlsStats)) {
      this.currentMode = 'webrtc';
      this.hlsStats = undefined;
      this.statsController.setHls(undefined);
    }
    if ((changed.has('quality') || changed.has('degradation')) && this.hasUpdated && !revalidate) {
      this.autoQuality.qualityChanged();
      if (changed.has('quality') && this.quality !== 'auto') {
        void this.controller.viewer?.setQuality(undefined, this.quality, 'manual');
      }
    }
    if (changed.has('muted') && !this.muted) this.blocked = false;
  }

  private text(key: keyof typeof VIEWER_STRINGS): string {
    return overridden(this.strings, key, VIEWER_STRINGS[key] ?? '');
  }

  private renderStatus() {
    if (this.currentMode === 'hls' && this.state === 'live') {
      const seconds = this.hlsStats?.latency === undefined ? '…' : String(Math.round(this.hlsStats.latency));
      return html`<span part="broadcast-badge">${this.text('broadcast').replace('{seconds}', seconds)}</span>`;
    }
    return this.text(this.state);
  }

  override render() {
    const player = this.hlsController.mode === 'hls' ? this.hlsController.player : undefined;
    const feeds = player ? [] : this.feeds;
    const empty = player ? this.state !== 'live' : feeds.length === 0;
    // A subscribed feed (or the HLS player) renders at once: its video must be ready for the first frame.
    if (this.stillQuiet(Boolean(player) || feeds.length > 0)) return nothing;
    return html`<div part="base">
      <div part="grid" style="--janus-tiles: ${Math.max(1, Math.ceil(Math.sqrt(feeds.length)))}">
        ${player ? html`<div part="tile">${player.video}</div>` : nothing}
        ${repeat(
          feeds,
          (feed) => feed.feedId,
          (feed) =>
            html`<div
              part="tile"
              data-feed=${String(feed.feedId)}
              ?data-audio-only=${feed.quality === 'audio' || feed.videoPaused !== undefined}
            >
              <video
                part="video"
                data-feed=${String(feed.feedId)}
                .srcObject=${live(feed.stream)}
                .muted=${this.muted}
                playsinline
                autoplay
                aria-label=${feed.display ?? String(feed.feedId)}
              ></video>
              ${feed.display ? html`<span part="name">${feed.display}</span>` : nothing}
              ${
                feed.videoPaused
                  ? html`<span part="audio-only" role="status" data-reason="publisher"
                      >${this.text('audioOnlyPublisher')}</span
                    >`
                  : feed.quality === 'audio'
                    ? html`<span part="audio-only" role="status">${this.text('audioOnly')}</span>`
                    : nothing
              }
            </div>`,
        )}
      </div>
      ${
        empty && this.state !== 'error'
          ? html`<div part="placeholder"><slot name="placeholder">${this.text(this.state)}</slot></div>`
          : nothing
      }
      <div part="status" role="status" data-state=${this.state}>${this.renderStatus()}</div>
      ${this.error ? html`<div part="error" role="alert"><slot name="error">${this.error.message}</slot></div>` : nothing}
      ${
        this.blocked
          ? html`<button part="button unmute-button" class="unmute" @click=${() => (this.muted = false)}>
              ${this.text('unmute')}
            </button>`
          : nothing
      }
      <slot name="overlay"></slot>
      ${this.noControls || !this.controlBar.visible ? nothing : viewerControls(this, (key) => this.text(key))}
    </div>`;
  }
}

function feedDetail(feed: WatchedFeed): { feedId: number | string; display?: string | undefined } {
  return { feedId: feed.feedId, display: feed.display };
}

declare global {
  interface HTMLElementTagNameMap {
    'janus-viewer': JanusViewer;
  }
}
