import { JanusWidgetError } from '../../core/errors.js';
import type { VideoCodec } from '../../core/publisher.js';

/** Every visible string of `<janus-publisher>`, overridable through its `strings` property (i18n). */
export const PUBLISHER_STRINGS = {
  idle: 'Preview',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  error: 'Error',
  closed: 'Stopped',
  goLive: 'Go live',
  stop: 'Stop',
  micOn: 'Mute microphone',
  micOff: 'Unmute microphone',
  cameraOn: 'Turn camera off',
  cameraOff: 'Turn camera on',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  camera: 'Camera',
  microphone: 'Microphone',
  controls: 'Publisher controls',
  noVideo: 'Camera is off',
};

export type PublisherStrings = typeof PUBLISHER_STRINGS;

export const CODECS: readonly VideoCodec[] = ['vp8', 'h264', 'vp9', 'av1'];

/** Properties whose change rebuilds the publishing machine (and publishes again if it was live). */
export const RESTART_PROPERTIES = [
  'display',
  'resolution',
  'frameRate',
  'facingMode',
  'videoConstraints',
  'audioConstraints',
  'noSimulcast',
  'maxBitrate',
  'videoCodec',
  'audio',
] as const;

function invalid(message: string): JanusWidgetError {
  return new JanusWidgetError('invalid-config', message);
}

/** Parses `resolution`: `WIDTHxHEIGHT`. */
export function parseResolution(value: string): { width: number; height: number } {
  const match = /^\s*(\d{2,5})\s*x\s*(\d{2,5})\s*$/i.exec(value);
  if (!match) throw invalid(`The resolution attribute must look like 1280x720, not "${value}".`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** Checks an enumerated attribute; the error names the attribute and the allowed values. */
export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(`The ${name} attribute must be one of ${allowed.join(', ')}, not "${value}".`);
}

export function checkNumber(name: string, value: number, min: number, max: number): number {
  if (Number.isFinite(value) && value >= min && value <= max) return value;
  throw invalid(`The ${name} attribute must be a number from ${min} to ${max}, not "${value}".`);
}
