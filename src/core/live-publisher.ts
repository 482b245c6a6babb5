import type { ConnectionConfig } from './validation.js';
import { JanusWidgetError, fromMediaError, isAbortError, toWidgetError } from './errors.js';
import { Machine, type MachineState } from './machine.js';
import {
  captureMedia,
  stopStream,
  videoConstraints,
  audioConstraints,
  type CaptureOptions,
  type VideoSource,
} from './media.js';
import { VideoRoomPublisher, type VideoCodec } from './publisher.js';
import { connectOptions, type ResolvedConnectOptions } from './reconnect.js';

export type PublisherState = MachineState;

/** What `switchSource` may change. */
export type SourceChange = Partial<Pick<CaptureOptions, 'video' | 'videoDevice' | 'audioDevice'>>;

export interface PublisherSettings {
  connection: ConnectionConfig;
  capture: CaptureOptions;
  display?: string | undefined;
  simulcast: boolean;
  maxBitrate?: number | undefined;
  videoCodec?: VideoCodec | undefined;
}

export interface LivePublisherEvents {
  state: PublisherState;
  error: JanusWidgetError;
  /** The local stream changed (capture, device switch, camera off). */
  stream: MediaStream | undefined;
  published: { feedId: number | string; room: number | string };
  unpublished: void;
  /** Capture fell back (e.g. to audio only because no camera was found). */
  fallback: { reason: 'audio-only'; error: JanusWidgetError };
  /** The PeerConnection changed (for stats sampling). */
  pc: RTCPeerConnection | undefined;
  /** Janus reported lost packets (`uplink` true: on their way from us to Janus). */
  slowlink: { uplink: boolean; lost: number };
  /** The machine changed the video source on its own (the browser ended a screen share). */
  source: { video: VideoSource; videoDevice?: string | undefined };
}

/**
 * The publishing state machine behind `<janus-publisher>`: capture, publish, mute, switch
 * devices and reconnect on its own. Everything it starts, `dispose()` stops.
 */
export class LivePublisher extends Machine<PublisherState, LivePublisherEvents> {
  stream: MediaStream | undefined;
  feedId: number | string | undefined;
  audioEnabled = true;
  videoEnabled = true;
  /** True when the camera was missing and only audio is captured. */
  audioOnlyFallback = false;
  private publisher: VideoRoomPublisher | undefined;
  /** The capture in progress, so a start() during a preview waits for it instead of capturing twice. */
  private capturing: Promise<MediaStream> | undefined;
  /** The source switch in progress (settled), which the next one waits for. */
  private switching: Promise<void> = Promise.resolve();

  constructor(private settings: PublisherSettings) {
    super('idle');
  }

  /** Replaces the settings used by the next capture or start. */
  configure(settings: PublisherSettings): void {
    this.settings = settings;
  }

  get pc(): RTCPeerConnection | undefined {
    return this.publisher?.pc;
  }

  /** The capture settings now in use (after device or source switches). */
  get capture(): Readonly<CaptureOptions> {
    return this.settings.capture;
  }

  /** The Janus ids, for diagnostics and tests. */
  get ids(): { session?: number | undefined; handle?: string | undefined } {
    return { session: this.publisher?.sessionId, handle: this.publisher?.handleId };
  }

  private setStream(stream: MediaStream | undefined): void {
    this.stream = stream;
    const video = stream?.getVideoTracks()[0];
    if (video && this.settings.capture.video === 'screen') {
      // The browser's own "Stop sharing" ends the track: go back to the camera, as the toggle would.
      video.addEventListener('ended', () => void this.screenEnded(video), { once: true });
    }
    this.emit('stream', stream);
  }

  private async screenEnded(track: MediaStreamTrack): Promise<void> {
    if (this.stream?.getVideoTracks()[0] !== track || this.settings.capture.video !== 'screen') return;
    try {
      await this.switchSource({ video: 'camera' });
      this.emit('source', { video: 'camera', videoDevice: this.settings.capture.videoDevice });
    } catch (error) {
      this.emit('error', toWidgetError(error));
    }
  }

  /** Captures the local preview without publishing. */
  async preview(): Promise<MediaStream> {
    try {
      return await this.captureOnce();
    } catch (error) {
      this.fail(error);
      throw isAbortError(error) ? error : this.error;
    }
  }

  private captureOnce(): Promise<MediaStream> {
    if (this.stream) return Promise.resolve(this.stream);
    const signal = this.signal;
    this.capturing ??= captureMedia(this.settings.capture, signal)
      .then((capture) => {
        this.setStream(capture.stream);
        this.applyEnabled();
        if (capture.fallback) {
          this.audioOnlyFallback = true;
          this.emit('fallback', {
            reason: capture.fallback,
            error: new JanusWidgetError('media-not-found', 'No camera was found: publishing audio only.'),
          });
        }
        return capture.stream;
      })
      .finally(() => {
        this.capturing = undefined;
      });
    return this.capturing;
  }

  /** Captures (if needed), joins the room and publishes; resolves when Janus accepted the stream. */
  async start(): Promise<void> {
    if (this.state === 'connecting' || this.state === 'live' || this.state === 'reconnecting') return;
    if (this.isDisposed) return;
    const signal = this.state === 'error' ? this.newRun() : this.signal;
    this.error = undefined;
    this.setState('connecting');
    try {
      // The session and handle are set up while the camera starts: capture is the slow part, so it is asked first.
      const captured = this.captureOnce();
      const options = connectOptions(this.settings.connection, signal);
      const connect = (resolved: ResolvedConnectOptions) => this.preparePublisher(resolved).connect(signal);
      const connected = options instanceof Promise ? options.then(connect) : connect(options);
      const [stream, resolved] = await Promise.all([captured, options, connected]);
      await this.publishOnce(stream, resolved, signal);
    } catch (error) {
      this.fail(error);
      if (!isAbortError(error)) throw this.error;
    }
  }

  private preparePublisher(options: ResolvedConnectOptions): VideoRoomPublisher {
    if (this.publisher) return this.publisher;
    const { settings } = this;
    const publisher = new VideoRoomPublisher({
      ...options,
      room: settings.connection.room,
      pin: settings.connection.pin,
      display: settings.display,
      simulcast: settings.simulcast,
      maxBitrate: settings.maxBitrate,
      videoCodec: settings.videoCodec,
      feedId: this.feedId,
    });
    this.publisher = publisher;
    publisher.on('lost', () => void this.recover(options));
    publisher.on('ice', (state) => {
      if (state === 'failed') void this.recover(options);
    });
    // Janus hung up the PeerConnection (its ICE or DTLS failed, or an operator's hangup_webrtc).
    publisher.on('webrtc', (up) => {
      if (!up) void this.recover(options);
    });
    publisher.on('ended', (error) => this.fail(error));
    publisher.on('slowlink', (report) => this.emit('slowlink', report));
    return publisher;
  }

  private async publishOnce(stream: MediaStream, options: ResolvedConnectOptions, signal: AbortSignal): Promise<void> {
    const { settings } = this;
    let publisher = this.preparePublisher(options);
    const { feedId } = await publisher.publish(stream, signal).catch(async (error: unknown) => {
      // Our previous participant still holds the feed id (its old session has not timed out yet).
      if (toWidgetError(error).janusCode !== ID_IN_USE || this.feedId === undefined) throw error;
      this.feedId = undefined;
      await this.dropPublisher();
      publisher = this.preparePublisher(options);
      return publisher.publish(stream, signal);
    });
    this.feedId = feedId;
    this.emit('pc', publisher.pc);
    await this.syncSending();
    this.setState('live');
    this.emit('published', { feedId, room: settings.connection.room });
  }

  protected isEstablished(): boolean {
    return this.state === 'live';
  }

  /** Re-publishes the same stream on a fresh session after the connection dropped. */
  private recover(options: ResolvedConnectOptions): Promise<void> {
    return this.reconnect(
      (signal) => this.republish(options, signal),
      () => this.dropPublisher(),
    );
  }

  /**
   * Publishes the stream again. With the camera off the stream has no video track (the camera was
   * released), so a blank stand-in is published and released at once: the video transceiver must
   * exist for the camera to come back without renegotiating.
   */
  private async republish(options: ResolvedConnectOptions, signal: AbortSignal): Promise<void> {
    const stream = this.stream!;
    const needsStandIn =
      !this.videoEnabled &&
      this.settings.capture.video !== 'none' &&
      !this.audioOnlyFallback &&
      stream.getVideoTracks().length === 0;
    const standIn = needsStandIn ? blankVideoTrack(this.settings.capture) : undefined;
    if (standIn) {
      standIn.enabled = false;
      stream.addTrack(standIn);
    }
    try {
      await this.publishOnce(stream, options, signal);
    } finally {
      // Normally already gone: publishing with the camera off releases the video track.
      if (standIn && stream.getTracks().includes(standIn)) {
        standIn.stop();
        stream.removeTrack(standIn);
      }
    }
  }

  /** Tells the room that video stopped on purpose (the uplink ladder sends audio only), or resumed. */
  announceVideoPaused(paused: boolean): Promise<void> {
    return this.publisher?.describeVideo(paused) ?? Promise.resolve();
  }

  /** Stops publishing (the preview stays). */
  async stop(): Promise<void> {
    const wasLive = this.state === 'live' || this.state === 'reconnecting';
    this.newRun();
    this.feedId = undefined;
    await this.dropPublisher();
    this.setState('idle');
    if (wasLive) this.emit('unpublished', undefined);
  }

  private applyEnabled(): void {
    for (const track of this.stream?.getAudioTracks() ?? []) track.enabled = this.audioEnabled;
    for (const track of this.stream?.getVideoTracks() ?? []) track.enabled = this.videoEnabled;
  }

  /** Janus stops forwarding muted media, so subscribers really receive nothing. */
  private async syncSending(): Promise<void> {
    if (!this.audioEnabled) await this.publisher?.setSending('audio', false);
    if (!this.videoEnabled) {
      // Published with a disabled track so the transceiver exists; now release the camera.
      this.videoEnabled = true;
      await this.setVideoEnabled(false);
    }
  }

  /** Microphone on/off: the track is disabled and Janus stops forwarding audio. */
  async setAudioEnabled(enabled: boolean): Promise<void> {
    this.audioEnabled = enabled;
    this.applyEnabled();
    await this.publisher?.setSending('audio', enabled).catch((error: unknown) => {
      // A publisher lost meanwhile is re-created by recover(), which applies audioEnabled again.
      if (this.state === 'live') throw toWidgetError(error);
    });
  }

  /**
   * Camera on/off. While publishing, off stops the camera (its light goes out) and Janus stops
   * forwarding video; before publishing the track is only disabled, so the video transceiver
   * still gets negotiated.
   */
  async setVideoEnabled(enabled: boolean): Promise<void> {
    if (this.videoEnabled === enabled) return;
    this.videoEnabled = enabled;
    const stream = this.stream;
    if (!stream || this.settings.capture.video === 'none') return;
    if (enabled) {
      const disabled = stream.getVideoTracks().find((track) => track.readyState === 'live');
      if (disabled) disabled.enabled = true;
      else {
        try {
          await this.replaceVideo(this.settings.capture);
        } catch (error) {
          this.videoEnabled = false;
          throw fromMediaError(error, this.settings.capture.video === 'screen' ? 'screen' : 'camera');
        }
      }
      await this.publisher?.setSending('video', true);
    } else if (this.publisher) {
      await this.publisher.setSending('video', false);
      for (const track of stream.getVideoTracks()) {
        track.stop();
        stream.removeTrack(track);
      }
      await this.publisher.replaceTrack('video', null).catch(() => {});
    } else {
      for (const track of stream.getVideoTracks()) track.enabled = false;
    }
    this.setStream(stream);
  }

  private async replaceVideo(capture: CaptureOptions): Promise<void> {
    const fresh =
      capture.video === 'screen'
        ? await navigator.mediaDevices.getDisplayMedia({
            video: capture.videoConstraints ?? { frameRate: { ideal: capture.frameRate ?? 30 } },
          })
        : await navigator.mediaDevices.getUserMedia({ video: videoConstraints(capture) });
    const track = fresh.getVideoTracks()[0]!;
    const stream = this.stream;
    // Stopped or disposed while the browser was capturing: nothing may keep running.
    if (!stream || this.state === 'closed') {
      stopStream(fresh);
      return;
    }
    for (const old of stream.getVideoTracks()) {
      old.stop();
      stream.removeTrack(old);
    }
    stream.addTrack(track);
    await this.publisher?.replaceTrack('video', track);
    this.setStream(stream);
  }

  /**
   * Switches the camera or microphone (or camera <-> screen) without renegotiating. When the new
   * video source fails (a cancelled screen picker), the previous source stays (`capture` says so).
   * Switches run one after the other: two captures racing could leave the older one sending.
   */
  switchSource(change: SourceChange): Promise<void> {
    const switched = this.switching.then(() => this.switchNow(change));
    this.switching = switched.catch(() => {});
    return switched;
  }

  private async switchNow(change: SourceChange): Promise<void> {
    const previous = this.settings.capture;
    const capture = { ...previous, ...change };
    this.settings = { ...this.settings, capture };
    if (!this.stream) return;
    try {
      if ('audioDevice' in change) {
        const fresh = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(capture) });
        const track = fresh.getAudioTracks()[0]!;
        track.enabled = this.audioEnabled;
        const stream = this.stream;
        if (!stream || this.state === 'closed') return stopStream(fresh);
        const old = stream.getAudioTracks();
        stream.addTrack(track);
        await this.publisher?.replaceTrack('audio', track);
        for (const previous of old) {
          previous.stop();
          stream.removeTrack(previous);
        }
        this.setStream(stream);
      }
      if (('video' in change || 'videoDevice' in change) && this.videoEnabled) {
        try {
          await this.replaceVideo(capture);
        } catch (error) {
          this.settings = {
            ...this.settings,
            capture: { ...capture, video: previous.video, videoDevice: previous.videoDevice },
          };
          throw error;
        }
      }
    } catch (error) {
      throw fromMediaError(error, capture.video === 'screen' ? 'screen' : 'camera');
    }
  }

  private async dropPublisher(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return;
    this.publisher = undefined;
    this.emit('pc', undefined);
    await publisher.dispose();
  }

  /** Stops everything: tracks, publishing, handle, session share. */
  protected async teardown(): Promise<void> {
    stopStream(this.stream);
    this.setStream(undefined);
    await this.dropPublisher();
  }
}

/** VideoRoom's "User ID already exists". */
const ID_IN_USE = 436;

/** A video track without frames, the size of the camera it stands in for. */
function blankVideoTrack(capture: CaptureOptions): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.width = capture.width ?? 1280;
  canvas.height = capture.height ?? 720;
  return canvas.captureStream(0).getVideoTracks()[0]!;
}
