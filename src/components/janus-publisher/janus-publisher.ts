import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
// Lit re-sets an object-valued property on every render; a media element reloads on each set.
import { live } from 'lit/directives/live.js';
import type { PublisherSettings, PublisherState, SourceChange } from '../../core/live-publisher.js';
import type { AudioSource, VideoSource } from '../../core/media.js';
import type { VideoCodec } from '../../core/publisher.js';
import { PublisherController } from '../../controllers/publisher-controller.js';
import { StatsController } from '../../controllers/stats-controller.js';
import { UplinkController } from '../../controllers/uplink-controller.js';
import type { StatsSampler } from '../../core/stats-sampler.js';
import type { DegradationMode, UplinkChange } from '../../core/types.js';
import type { UplinkOptions, UplinkTarget } from '../../core/uplink-adapter.js';
import { JanusRoomElement } from '../shared/room-element.js';
import { widgetEvent, type JanusDeviceChangeDetail, type JanusPublisherQualityDetail } from '../shared/events.js';
import { videoFrameStyles } from '../shared/styles.js';
import { overridden, parsePublisher } from '../../core/validation.js';
import { PUBLISHER_STRINGS, RESTART_PROPERTIES } from './settings.js';
import { publisherStyles } from './styles.js';
import { publisherControls } from './controls.js';

export { PUBLISHER_STRINGS } from './settings.js';

/**
 * Captures the camera (or screen) and microphone and publishes them into a Janus VideoRoom.
 *
 * @tag janus-publisher
 * @summary Goes live into a Janus VideoRoom with one tag.
 *
 * @slot overlay - Content over the video (e.g. `<janus-stats>`).
 * @slot placeholder - Shown when there is no local video.
 * @slot controls - Replaces the built-in control bar.
 * @slot error - Replaces the error message.
 *
 * @fires {CustomEvent<JanusStateDetail>} janus-state - The state changed. `detail: {state, previous}`.
 * @fires {CustomEvent<JanusErrorDetail>} janus-error - A failure. `detail: {code, message, janusCode?}`.
 * @fires {CustomEvent<JanusPublishedDetail>} janus-published - Janus accepted the stream. `detail: {feedId, room}`.
 * @fires {CustomEvent<JanusPublishedDetail>} janus-unpublished - Publishing stopped. `detail: {feedId, room}`.
 * @fires {CustomEvent<LiveStatsSample>} janus-stats - A stats sample, at the stats interval while someone listens. `detail: LiveStatsSample`.
 * @fires {CustomEvent<JanusPublisherQualityDetail>} janus-quality - The uplink ladder shed or restored video. `detail: {quality, reason, feedId, level, direction, trigger, metrics}`.
 * @fires {CustomEvent<JanusDeviceChangeDetail>} janus-device-change - The camera, microphone or video source changed. `detail: {kind, deviceId?, source?, fallback?}`.
 *
 * @csspart base - The frame around everything.
 * @csspart video - The local preview `<video>`.
 * @csspart placeholder - Shown when there is no local video.
 * @csspart status - The state line (connecting, live, ...).
 * @csspart error - The error message.
 * @csspart controls - The control bar.
 * @csspart button - Every control button.
 * @csspart mic-button - Microphone on/off.
 * @csspart camera-button - Camera on/off.
 * @csspart screen-button - Screen share on/off.
 * @csspart live-button - Go live / stop.
 * @csspart select - Every device picker.
 * @csspart camera-select - The camera picker.
 * @csspart microphone-select - The microphone picker.
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
 *
 * @cssstate idle - Previewing, not published.
 * @cssstate connecting - Joining the room.
 * @cssstate live - Publishing.
 * @cssstate reconnecting - Connection lost, retrying.
 * @cssstate error - Failed; see the `error` property.
 * @cssstate closed - Removed or stopped for good.
 */
export class JanusPublisher extends JanusRoomElement<PublisherState> {
  // Declared statically, not with decorators: see JanusRoomElement.properties.
  static override properties: PropertyDeclarations = {
    display: {},
    autostart: { type: Boolean },
    video: {},
    audio: {},
    videoDevice: { attribute: 'video-device' },
    audioDevice: { attribute: 'audio-device' },
    resolution: {},
    frameRate: { type: Number, attribute: 'frame-rate' },
    facingMode: { attribute: 'facing-mode' },
    videoConstraints: { attribute: false },
    audioConstraints: { attribute: false },
    noSimulcast: { type: Boolean, attribute: 'no-simulcast' },
    maxBitrate: { type: Number, attribute: 'max-bitrate' },
    videoCodec: { attribute: 'video-codec' },
    degradation: {},
    muted: { type: Boolean, reflect: true },
    cameraOff: { type: Boolean, reflect: true, attribute: 'camera-off' },
    strings: { attribute: false },
    feedId: { attribute: false },
    devices: { state: true, attribute: false },
  };

  static override styles = [videoFrameStyles, publisherStyles];

  /** Read-only: `idle` | `connecting` | `live` | `reconnecting` | `error` | `closed`. */
  declare state: PublisherState;

  /** The name other participants see. */
  display = '';

  /** Publish as soon as the element is connected (otherwise: preview and a "Go live" button). */
  autostart = false;

  /** Video source: `camera` (default), `screen` or `none`. */
  video: VideoSource = 'camera';

  /** Audio source: `microphone` (default) or `none`. */
  audio: AudioSource = 'microphone';

  /** deviceId of the camera to use. */
  videoDevice = '';

  /** deviceId of the microphone to use. */
  audioDevice = '';

  /** Capture size, `WIDTHxHEIGHT`. */
  resolution = '1280x720';

  /** Capture frame rate. */
  frameRate = 30;

  /** `user` (front) or `environment` (back) camera. */
  facingMode = '';

  /** Overrides every video capture attribute. */
  videoConstraints: MediaTrackConstraints | undefined;

  /** Overrides every audio capture attribute (echo cancellation, noise suppression, auto gain are on by default). */
  audioConstraints: MediaTrackConstraints | undefined;

  /** Turns simulcast off (it is on for camera video: three layers). */
  noSimulcast = false;

  /** Upper video bitrate in bits per second, sent to Janus and applied to the encodings. */
  maxBitrate = 0;

  /** `vp8` (default), `h264`, `vp9` or `av1`; the room must allow it. */
  videoCodec: VideoCodec = 'vp8';

  /**
   * `audio-first` (default): on a congested uplink, cap the bitrate, drop the top simulcast layers,
   * lower the frame rate, then send audio only (viewers are told why), and restore in reverse;
   * `off`: never.
   */
  degradation: DegradationMode = 'audio-first';

  /** Reflects (and sets) whether the microphone is muted. */
  muted = false;

  /** Reflects (and sets) whether the camera is off. */
  cameraOff = false;

  /** Overrides for the visible strings. */
  strings: Partial<typeof PUBLISHER_STRINGS> = {};

  /** Read-only: the feed id Janus gave this publisher, once live. */
  feedId: number | string | undefined;

  private devices: MediaDeviceInfo[] = [];

  private readonly controller = new PublisherController(this, {
    published: (detail) => {
      this.feedId = detail.feedId;
      this.dispatchEvent(widgetEvent('janus-published', detail));
    },
    unpublished: (detail) => {
      this.feedId = undefined;
      this.dispatchEvent(widgetEvent('janus-unpublished', detail));
    },
    fallback: (reason) =>
      this.dispatchEvent(widgetEvent('janus-device-change', { kind: 'video', source: 'none', fallback: reason })),
    source: ({ video, videoDevice }) => {
      this.video = video;
      this.videoDevice = videoDevice ?? '';
      this.announceSource('video');
    },
  });

  constructor() {
    super('idle');
  }

  // --- stats (see <janus-stats>) ---
  /** Samples the publishing PeerConnection; `<janus-stats>` and `janus-stats` listeners use it. */
  readonly statsController = new StatsController(this, 'send');

  /** Latest stats sample (updated while a `<janus-stats>` or a `janus-stats` listener needs it). */
  get stats() {
    return this.statsController.latest;
  }
  // --- end stats ---

  private readonly uplink = new UplinkController(this);

  /** @internal The stats sampler, for the uplink ladder. */
  get sampler(): StatsSampler {
    return this.statsController.sampler;
  }

  /** @internal The publishing machine, for the uplink ladder. */
  get uplinkTarget(): UplinkTarget | undefined {
    return this.controller.publisher;
  }

  /** @internal */
  uplinkOptions(): UplinkOptions {
    return { maxBitrate: Number(this.maxBitrate) || undefined, frameRate: Number(this.frameRate) || undefined };
  }

  /** @internal The uplink ladder moved. */
  uplinkChanged(
    { level, direction, trigger, metrics }: UplinkChange,
    quality: 'high' | 'medium' | 'low' | 'audio',
  ): void {
    const detail: JanusPublisherQualityDetail = {
      quality,
      reason: 'network',
      feedId: this.feedId,
      level,
      direction,
      trigger,
      metrics,
    };
    this.dispatchEvent(widgetEvent('janus-quality', detail));
  }

  /** The local stream (preview), if captured. */
  get stream(): MediaStream | undefined {
    return this.controller.stream;
  }

  /** The publishing PeerConnection, for stats. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.controller.publisher?.pc;
  }

  /** Goes live; rejects with the error on failure. */
  start(): Promise<void> {
    return this.controller.start();
  }

  /** Stops publishing (the preview stays). */
  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** @internal Builds the core settings from the attributes; throws `invalid-config`. */
  publisherSettings(): PublisherSettings {
    return { ...parsePublisher(this), connection: this.connectionConfig() };
  }

  /** Whether the device list is being kept: from the first capture (labels need the permission) on. */
  private listingDevices = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.listingDevices = false;
    navigator.mediaDevices?.removeEventListener('devicechange', this.refreshDevices);
  }

  protected override updated(): void {
    // Not before: enumerating while the camera starts delays getUserMedia (the browser serves them in turn).
    if (this.listingDevices || !this.stream) return;
    this.listingDevices = true;
    navigator.mediaDevices?.addEventListener('devicechange', this.refreshDevices);
    void this.refreshDevices();
  }

  private readonly refreshDevices = async (): Promise<void> => {
    this.devices = (await navigator.mediaDevices?.enumerateDevices?.().catch(() => [])) ?? [];
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    const has = (names: readonly string[]) => names.some((name) => (changed as Map<PropertyKey, unknown>).has(name));
    const sources = ['video', 'videoDevice', 'audioDevice'];
    // Adding or removing the video m-line needs a new negotiation: rebuild rather than replace.
    const videoNone = changed.has('video') && (this.video === 'none' || changed.get('video') === 'none');
    const rebuild =
      this.hasUpdated &&
      (this.connectionChanged(changed) ||
        has(RESTART_PROPERTIES) ||
        videoNone ||
        (!this.controller.publisher && has(sources)) ||
        // Sources switch live, unless the value is (or was) invalid: a rebuild reports or clears it.
        (has([...sources, 'degradation']) && this.mustRevalidate(() => this.publisherSettings())));
    if (changed.has('degradation')) this.uplink.degradationChanged();
    if (this.controller.update(rebuild)) return;
    const publisher = this.controller.publisher;
    if (!publisher) return;
    if (changed.has('muted') && publisher.audioEnabled === this.muted) {
      publisher.setAudioEnabled(!this.muted).catch((error: unknown) => this.controller.report(error));
    }
    if (changed.has('cameraOff') && publisher.videoEnabled === this.cameraOff) void this.toggleCamera(!this.cameraOff);
    // Only what the page changed: the machine's capture runs ahead of these while it switches.
    const now = publisher.capture;
    const change: SourceChange = {};
    if (changed.has('video') && this.video !== now.video) change.video = this.video;
    const videoDevice = this.videoDevice || undefined;
    if (changed.has('videoDevice') && videoDevice !== now.videoDevice) change.videoDevice = videoDevice;
    const audioDevice = this.audioDevice || undefined;
    if (changed.has('audioDevice') && audioDevice !== now.audioDevice) change.audioDevice = audioDevice;
    if (Object.keys(change).length > 0) void this.switchSource(change);
  }

  private async toggleCamera(enabled: boolean): Promise<void> {
    try {
      await this.controller.publisher?.setVideoEnabled(enabled);
    } catch (error) {
      if (enabled) this.cameraOff = true;
      this.controller.report(error);
    }
  }

  private async switchSource(change: SourceChange): Promise<void> {
    const publisher = this.controller.publisher;
    try {
      await publisher?.switchSource(change);
      if (publisher !== this.controller.publisher) return;
      if (this.state !== 'error') this.error = undefined;
      this.announceSource(
        'audioDevice' in change && !('video' in change) && !('videoDevice' in change) ? 'audio' : 'video',
      );
    } catch (error) {
      // The previous source stays: the attributes say so again.
      if (publisher && publisher === this.controller.publisher) {
        this.video = publisher.capture.video;
        this.videoDevice = publisher.capture.videoDevice ?? '';
      }
      this.controller.report(error);
    }
  }

  private announceSource(kind: 'audio' | 'video'): void {
    const capture = this.controller.publisher?.capture;
    const detail: JanusDeviceChangeDetail = { kind };
    const deviceId = kind === 'audio' ? capture?.audioDevice : capture?.videoDevice;
    if (deviceId) detail.deviceId = deviceId;
    if (kind === 'video') detail.source = capture?.video;
    this.dispatchEvent(widgetEvent('janus-device-change', detail));
  }

  private text(key: keyof typeof PUBLISHER_STRINGS): string {
    return overridden(this.strings, key, PUBLISHER_STRINGS[key] ?? '');
  }

  override render() {
    // The preview waits too: it would be rendered between the capture and the offer.
    if (this.stillQuiet(false)) return nothing;
    const stream = this.controller.stream;
    const hasVideo = Boolean(stream?.getVideoTracks().some((t) => t.readyState === 'live' && t.enabled));
    const mirrored = hasVideo && this.video === 'camera' && this.facingMode !== 'environment';
    // No <video> before there is a stream: the first one on a page makes Chromium parse its media
    // style sheet (~12 ms), which would sit on the way to the first packets.
    return html`<div part="base">
      ${
        stream
          ? html`<video
            part="video"
            class=${mirrored ? 'mirrored' : ''}
            .srcObject=${live(stream)}
            ?hidden=${!hasVideo}
            .muted=${true}
            autoplay
            playsinline
            aria-hidden="true"
          ></video>`
          : nothing
      }
      ${hasVideo ? nothing : html`<div part="placeholder"><slot name="placeholder">${this.text('noVideo')}</slot></div>`}
      <div part="status" role="status" data-state=${this.state}>${this.text(this.state as PublisherState)}</div>
      ${this.error ? html`<div part="error" role="alert"><slot name="error">${this.error.message}</slot></div>` : nothing}
      <slot name="overlay"></slot>
      ${
        this.noControls
          ? nothing
          : publisherControls(this, {
              text: (key) => this.text(key),
              devices: this.devices,
              noVideo: this.video === 'none' || Boolean(this.controller.publisher?.audioOnlyFallback),
            })
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'janus-publisher': JanusPublisher;
  }
}
