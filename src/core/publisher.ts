import { Emitter } from './emitter.js';
import { JanusWidgetError, throwIfAborted, toWidgetError } from './errors.js';
import type { ConnectOptions, Jsep, PluginData, PluginHandle, TrackOption } from './janus.js';
import { videoSender } from './media.js';
import { acquireSession, type SessionLease } from './session.js';
import {
  AUDIO_ONLY_DESCRIPTION,
  configureBody,
  endOf,
  joinAndConfigureBody,
  leaveBody,
  parseRoomEvent,
} from './videoroom.js';

export type VideoCodec = 'vp8' | 'h264' | 'vp9' | 'av1';

export interface PublishOptions extends Omit<ConnectOptions, 'signal'> {
  room: number | string;
  pin?: string | undefined;
  display?: string | undefined;
  /** Three rid layers h/m/l for camera video. */
  simulcast: boolean;
  /** Bits per second for the whole video; sent to Janus and applied to the encodings. */
  maxBitrate?: number | undefined;
  videoCodec?: VideoCodec | undefined;
  /** The feed id to ask Janus for (the one of a previous publication), so viewers of it keep watching. */
  feedId?: number | string | undefined;
}

export interface PublisherEvents {
  /** The PeerConnection went up (true) or down (false). */
  webrtc: boolean;
  ice: string;
  slowlink: { uplink: boolean; lost: number };
  /** The session or the handle was lost; the publisher is unusable and should be re-created. */
  lost: JanusWidgetError;
  /** Janus ended the publication for good (kicked, room destroyed): publishing again would be refused. */
  ended: JanusWidgetError;
}

/** Per-layer upper bitrates for a total budget, in the 4:2:1 ratio of janus.js's defaults. */
export function simulcastBitrates(total: number | undefined): { high: number; medium: number; low: number } {
  if (!total) return { high: 900_000, medium: 300_000, low: 100_000 };
  const high = Math.round(total * (9 / 13));
  const medium = Math.round(total * (3 / 13));
  return { high, medium, low: Math.max(30_000, total - high - medium) };
}

/** Whether a simulcast encoding is on from the start (see simulcastEncodings). */
const startsActive = (rid: string | undefined) => rid === 'l';

/** How long after the PeerConnection is up the top two encodings wait for Janus to report our video. */
export const STEP_UP_FALLBACK_MS = 2000;

/**
 * The three rid encodings as janus.js would make them, but only the low one active: its small
 * keyframe goes out at once, where with all three on Chromium first encodes the full-size frame
 * (the first video packets left ~50 ms later from a fake 720p camera). The other two are turned
 * on once Janus receives video.
 */
export function simulcastEncodings(total: number | undefined): RTCRtpEncodingParameters[] {
  const bitrates = simulcastBitrates(total);
  const layer = (rid: 'h' | 'm' | 'l', maxBitrate: number, scaleResolutionDownBy: number) => ({
    rid,
    active: startsActive(rid),
    scalabilityMode: 'L1T2',
    maxBitrate,
    scaleResolutionDownBy,
  });
  return [layer('h', bitrates.high, 1), layer('m', bitrates.medium, 2), layer('l', bitrates.low, 4)];
}

/** The codec Janus picked for the first m-line of a kind, read from its answer; undefined if rejected. */
export function answeredCodec(sdp: string | undefined, kind: 'audio' | 'video'): string | undefined {
  const mLine = new RegExp(`^m=${kind} (\\d+) \\S+ (\\d+)`, 'm').exec(sdp ?? '');
  if (!sdp || !mLine || mLine[1] === '0') return undefined;
  const section = sdp.slice(mLine.index).split(/\r?\nm=/)[0]!;
  return new RegExp(`^a=rtpmap:${mLine[2]} ([\\w-]+)/`, 'm').exec(section)?.[1]?.toLowerCase();
}

/**
 * The offer with Opus in-band FEC asked for explicitly (`useinbandfec=1` on every Opus payload
 * type): when the publisher sheds video for a bad uplink, speech still recovers lost packets.
 */
export function withOpusFec(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const types = lines.flatMap((line) => /^a=rtpmap:(\d+) opus\/48000/i.exec(line)?.[1] ?? []);
  for (const pt of types) {
    const fmtp = lines.findIndex((line) => line.startsWith(`a=fmtp:${pt} `));
    if (fmtp < 0) {
      const rtpmap = lines.findIndex((line) => line.startsWith(`a=rtpmap:${pt} `));
      lines.splice(rtpmap + 1, 0, `a=fmtp:${pt} useinbandfec=1`);
    } else if (/useinbandfec=/.test(lines[fmtp]!)) {
      lines[fmtp] = lines[fmtp]!.replace(/useinbandfec=\d/, 'useinbandfec=1');
    } else lines[fmtp] += ';useinbandfec=1';
  }
  return lines.join(eol);
}

/**
 * One VideoRoom publisher: joins a room and publishes a MediaStream, once.
 * Reconnection is done by creating a new one (see the controller), so this stays a plain sequence.
 */
export class VideoRoomPublisher extends Emitter<PublisherEvents> {
  private lease: SessionLease | undefined;
  private handle: PluginHandle | undefined;
  private disposed = false;
  private readonly offTeardown: Array<() => void> = [];
  private mids: Partial<Record<'audio' | 'video', string>> = {};
  /** The feed id Janus gave this publisher. */
  feedId: number | string | undefined;
  /** The Janus session and handle ids, for diagnostics and tests. */
  sessionId: number | undefined;
  handleId: string | undefined;

  constructor(readonly options: PublishOptions) {
    super();
  }

  /** The PeerConnection once publishing. */
  get pc(): RTCPeerConnection | undefined {
    return this.handle?.pc;
  }

  /** Joins the session and attaches the handle, so it can overlap capture; `publish` does it if needed. */
  async connect(signal?: AbortSignal): Promise<void> {
    if (this.handle || this.disposed) return;
    try {
      this.lease = await acquireSession({ ...this.options, signal });
      const connection = this.lease.connection;
      this.sessionId = connection.sessionId;
      this.offTeardown.push(connection.on('lost', (error) => this.emit('lost', error)));
      this.handle = await connection.attach(signal);
      this.handleId = this.handle.id;
      this.watch(this.handle);
      throwIfAborted(signal);
    } catch (error) {
      await this.dispose();
      throw error;
    }
  }

  /** Joins the room and publishes the stream's tracks; resolves once Janus answered and media is up. */
  async publish(stream: MediaStream, signal?: AbortSignal): Promise<{ feedId: number | string }> {
    const { options } = this;
    await this.connect(signal);
    if (!this.handle) throw new JanusWidgetError('session-lost', 'The publisher was disposed.');
    try {
      const audio = stream.getAudioTracks()[0];
      const video = stream.getVideoTracks()[0];
      const tracks: TrackOption[] = [];
      // dontStop: the caller owns the tracks (a preview outlives stop()); janus.js would stop them on hangup.
      if (audio) tracks.push({ type: 'audio', capture: audio, recv: false, dontStop: true });
      if (video) {
        const isScreen =
          /screen|window|tab|monitor/i.test(video.label) || video.getSettings().displaySurface !== undefined;
        const videoTrack: TrackOption & { codec?: string } = {
          type: isScreen ? 'screen' : 'video',
          capture: video,
          recv: false,
          dontStop: true,
          simulcast: options.simulcast && !isScreen,
        };
        if (videoTrack.simulcast) videoTrack.sendEncodings = simulcastEncodings(options.maxBitrate);
        if (options.videoCodec) videoTrack.codec = options.videoCodec;
        tracks.push(videoTrack);
      }
      const offer = await this.handle.createOffer(tracks, { customizeSdp: withOpusFec });
      throwIfAborted(signal);
      const message = joinAndConfigureBody({
        room: options.room,
        pin: options.pin,
        display: options.display,
        // Asking for the previous feed id keeps `<janus-viewer feed="...">` watching after a re-publish.
        id: options.feedId,
        audio: Boolean(audio),
        video: Boolean(video),
        bitrate: options.maxBitrate,
        videocodec: options.videoCodec,
      });
      const mediaUp = this.handle.whenConnected(signal);
      mediaUp.catch(() => {});
      const stepUp = video && options.simulcast ? this.stepUpWhenVideoFlows(this.handle) : undefined;
      const { data, jsep } = await this.handle
        .request(message, (reply, answer) => reply['videoroom'] === 'joined' && Boolean(answer), {
          jsep: offer,
          signal,
        })
        .catch((error: unknown) => {
          throw this.explain(error, Boolean(video));
        });
      await this.handle.handleRemoteJsep(jsep as Jsep);
      this.checkCodec(jsep, Boolean(video));
      this.rememberMids();
      this.feedId = data['id'] as number | string;
      if (options.maxBitrate && !options.simulcast) this.capBitrate(options.maxBitrate);
      // Subscribers can only see a feed once its PeerConnection is up.
      await mediaUp;
      stepUp?.armFallback();
      return { feedId: this.feedId };
    } catch (error) {
      await this.dispose();
      throw error;
    }
  }

  /** Turns all simulcast encodings on when Janus first receives our video, or a while after media is up. */
  private stepUpWhenVideoFlows(handle: PluginHandle): { armFallback(): void } {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      offMedia();
      clearTimeout(timer);
    };
    const stepUp = () => {
      stop();
      void this.activateEncodings();
    };
    const offMedia = handle.on('media', ({ kind, receiving }) => {
      if (kind === 'video' && receiving) stepUp();
    });
    this.offTeardown.push(stop);
    return { armFallback: () => (timer ??= setTimeout(stepUp, STEP_UP_FALLBACK_MS)) };
  }

  private async activateEncodings(): Promise<void> {
    // Not by mid: Janus may report video before the answer's mids are read.
    const sender = videoSender(this.pc);
    const parameters = sender?.getParameters();
    // Only as publish() set them: once the uplink ladder has changed them, they are its call.
    if (!sender || !parameters?.encodings.every((e) => e.active === startsActive(e.rid))) return;
    for (const encoding of parameters.encodings) encoding.active = true;
    await sender.setParameters(parameters).catch(() => {});
  }

  private watch(handle: PluginHandle): void {
    this.offTeardown.push(
      handle.on('webrtc', ({ up }) => this.emit('webrtc', up)),
      handle.on('ice', ({ state }) => this.emit('ice', state)),
      handle.on('slowlink', ({ uplink, lost }) => this.emit('slowlink', { uplink, lost })),
      handle.on('event', ({ data }) => {
        const end = endOf(parseRoomEvent(data));
        if (end) this.emit('ended', end);
      }),
      handle.on('detached', () => {
        if (!this.disposed) this.emit('lost', new JanusWidgetError('session-lost', 'Janus detached the publisher'));
      }),
    );
  }

  /** Janus says only "Video codec unavailable in this room": name the codec for the site owner. */
  private explain(error: unknown, sentVideo: boolean): unknown {
    if (!(error instanceof JanusWidgetError) || error.code !== 'codec-refused' || !sentVideo) return error;
    const codec = (this.options.videoCodec ?? 'vp8').toUpperCase();
    return new JanusWidgetError(
      'codec-refused',
      `The room does not accept ${codec} video: set video-codec to a codec the room allows (Janus: ${error.message}).`,
      { janusCode: error.janusCode, cause: error },
    );
  }

  private checkCodec(jsep: Jsep | undefined, sentVideo: boolean): void {
    if (!sentVideo) return;
    const codec = answeredCodec(jsep?.sdp, 'video');
    const wanted = this.options.videoCodec;
    if (!codec || (wanted && codec !== wanted)) {
      throw new JanusWidgetError(
        'codec-refused',
        `The room does not accept ${wanted ? wanted.toUpperCase() : 'this'} video${codec ? ` (it offered ${codec.toUpperCase()})` : ''}.`,
      );
    }
  }

  private rememberMids(): void {
    for (const transceiver of this.pc?.getTransceivers() ?? []) {
      const kind = transceiver.sender.track?.kind as 'audio' | 'video' | undefined;
      if (kind && transceiver.mid && !this.mids[kind]) this.mids[kind] = transceiver.mid;
    }
  }

  private capBitrate(bitrate: number): void {
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === 'video');
    if (!sender) return;
    const parameters = sender.getParameters();
    for (const encoding of parameters.encodings ?? []) encoding.maxBitrate = bitrate;
    void sender.setParameters(parameters).catch(() => {});
  }

  /** Tells Janus to relay (or stop relaying) one kind of media; Janus stops forwarding at once. */
  async setSending(kind: 'audio' | 'video', send: boolean): Promise<void> {
    const mid = this.mids[kind];
    if (!this.handle || mid === undefined) return;
    await this.handle.request(configureBody({ streams: [{ mid, send }] }), isConfigured);
  }

  /**
   * Tells the room whether video stopped on purpose (the uplink ladder sends audio only): the video
   * stream's description changes, and Janus announces the publisher again to every participant.
   */
  async describeVideo(paused: boolean): Promise<void> {
    const mid = this.mids.video;
    if (!this.handle || mid === undefined) return;
    const description = paused ? AUDIO_ONLY_DESCRIPTION : '';
    await this.handle.request(configureBody({ descriptions: [{ mid, description }] }), isConfigured);
  }

  /** Swaps the track of one kind without renegotiating (device switch, camera <-> screen). */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const sender = this.pc?.getTransceivers().find((t) => t.mid === this.mids[kind])?.sender;
    if (!sender) throw new JanusWidgetError('negotiation-failed', `Nothing to replace: no ${kind} is being published.`);
    await sender.replaceTrack(track).catch((error: unknown) => {
      throw toWidgetError(error, 'negotiation-failed');
    });
  }

  /** Stops publishing, leaves the room, detaches and releases the session. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const off of this.offTeardown.splice(0)) off();
    const handle = this.handle;
    this.handle = undefined;
    if (handle && !handle.detached) {
      // Best effort: the handle's detach below also makes Janus drop the publisher.
      await handle.send(leaveBody()).catch(() => {});
      await handle.detach();
    }
    this.lease?.release();
    this.lease = undefined;
    this.removeAllListeners();
  }
}

function isConfigured(data: PluginData): boolean {
  return data['configured'] === 'ok';
}
