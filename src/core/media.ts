import { JanusWidgetError, fromMediaError, throwIfAborted } from './errors.js';

export type VideoSource = 'camera' | 'screen' | 'none';
export type AudioSource = 'microphone' | 'none';

export interface CaptureOptions {
  video: VideoSource;
  audio: AudioSource;
  videoDevice?: string | undefined;
  audioDevice?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  frameRate?: number | undefined;
  facingMode?: string | undefined;
  /** Override everything above for video. */
  videoConstraints?: MediaTrackConstraints | undefined;
  /** Override everything above for audio. */
  audioConstraints?: MediaTrackConstraints | undefined;
}

export interface Capture {
  stream: MediaStream;
  /** Set when the camera was missing and the capture fell back to audio only. */
  fallback?: 'audio-only';
}

export function videoConstraints(options: CaptureOptions): MediaTrackConstraints {
  if (options.videoConstraints) return options.videoConstraints;
  const constraints: MediaTrackConstraints = {};
  if (options.width) constraints.width = { ideal: options.width };
  if (options.height) constraints.height = { ideal: options.height };
  if (options.frameRate) constraints.frameRate = { ideal: options.frameRate };
  if (options.videoDevice) constraints.deviceId = { exact: options.videoDevice };
  else if (options.facingMode) constraints.facingMode = options.facingMode;
  return constraints;
}

export function audioConstraints(options: CaptureOptions): MediaTrackConstraints {
  if (options.audioConstraints) return options.audioConstraints;
  const constraints: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  if (options.audioDevice) constraints.deviceId = { exact: options.audioDevice };
  return constraints;
}

/** The video sender of a publishing PeerConnection, also while the camera is off (no track). */
export function videoSender(pc: RTCPeerConnection | undefined): RTCRtpSender | undefined {
  return pc?.getTransceivers().find((t) => t.receiver.track.kind === 'video' && t.direction !== 'inactive')?.sender;
}

/** Stops every track of a stream (the camera light goes off). */
export function stopStream(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export async function withAbort(capture: Promise<MediaStream>, signal: AbortSignal | undefined): Promise<MediaStream> {
  const stream = await capture;
  if (signal?.aborted) {
    stopStream(stream);
    throwIfAborted(signal);
  }
  return stream;
}

/**
 * The permissions a cross-origin iframe must be granted by its embedder (`allow="camera; ..."`) for
 * this capture and was not: the browser would only say NotAllowedError, which reads like a user's refusal.
 */
function blockedByFrame(options: CaptureOptions): string[] {
  const policy = (document as Document & { featurePolicy?: { allowsFeature(feature: string): boolean } }).featurePolicy;
  if (!policy || window.top === window.self) return [];
  const needed = [
    options.video === 'camera' ? 'camera' : options.video === 'screen' ? 'display-capture' : undefined,
    options.audio === 'none' ? undefined : 'microphone',
  ];
  return needed.filter((feature): feature is string => feature !== undefined && !policy.allowsFeature(feature));
}

/**
 * Captures what a publisher sends. When only the camera is missing, it falls back to an
 * audio-only capture (audio first) and says so in `fallback`.
 */
export async function captureMedia(options: CaptureOptions, signal?: AbortSignal): Promise<Capture> {
  throwIfAborted(signal);
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new JanusWidgetError(
      'media-not-found',
      'This browser cannot capture media (a secure https page is required).',
    );
  }
  if (options.video === 'none' && options.audio === 'none') {
    throw new JanusWidgetError('invalid-config', 'Nothing to publish: both video and audio are "none".');
  }
  const blocked = blockedByFrame(options);
  if (blocked.length > 0) {
    throw new JanusWidgetError(
      'media-denied',
      `This page is inside an iframe that does not allow the ${blocked.join(' and ')}: add ` +
        `allow="${blocked.join('; ')}" to the <iframe> (with autoplay; fullscreen; picture-in-picture for viewers).`,
    );
  }
  if (options.video === 'screen') {
    // Screen sharing is a chunk of the CDN build: only publishers with video="screen" fetch it.
    const { captureScreen } = await import('./screen.js');
    return { stream: await captureScreen(options, signal) };
  }
  const audio = options.audio === 'none' ? false : audioConstraints(options);
  const video = options.video === 'none' ? false : videoConstraints(options);
  try {
    return { stream: await withAbort(navigator.mediaDevices.getUserMedia({ audio, video }), signal) };
  } catch (error) {
    if (signal?.aborted) throw error;
    const failure = fromMediaError(error);
    if (failure.code !== 'media-not-found' || !audio || !video) throw failure;
    try {
      const stream = await withAbort(navigator.mediaDevices.getUserMedia({ audio }), signal);
      return { stream, fallback: 'audio-only' };
    } catch {
      throw failure;
    }
  }
}
