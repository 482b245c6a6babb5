// Every attribute and property of the three elements is parsed here, and nowhere else: one
// place decides what is valid, and every refusal is the same `invalid-config` error naming the
// attribute. Messages quote values only when they cannot be secret, and URLs only as origin+path.
import { JanusWidgetError } from './errors.js';
import type { PublisherSettings } from './live-publisher.js';
import type { AudioSource, VideoSource } from './media.js';
import type { VideoCodec } from './publisher.js';
import type { Quality, ViewerSettings } from './room-viewer.js';
import type { FeedId } from './subscriber.js';
import type { DegradationMode } from './types.js';

/** The connection attributes shared by `<janus-publisher>` and `<janus-viewer>`, as written. */
export interface ConnectionAttributes {
  server?: string | null | undefined;
  room?: string | number | null | undefined;
  pin?: string | null | undefined;
  token?: string | null | undefined;
  iceServersJson?: string | null | undefined;
  iceServers?: unknown;
  iceTransportPolicy?: string | null | undefined;
  turnCredentials?: string | null | undefined;
}

/** The validated form. */
export interface ConnectionConfig {
  servers: string[];
  room: number | string;
  pin?: string | undefined;
  token?: string | undefined;
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  turnCredentials?: string | undefined;
}

function invalid(message: string): JanusWidgetError {
  return new JanusWidgetError('invalid-config', message);
}

/**
 * A value fit for a message: short, one line; never used for secrets. Anything that looks like a
 * URL is described by origin and path, in case a URL with a key landed in the wrong attribute.
 */
function quote(value: unknown): string {
  if (typeof value === 'string' && /^[a-z][\w+.-]*:|[?#]/i.test(value.trim()))
    return JSON.stringify(describeUrl(value.trim()));
  const text = String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * A URL as it may appear in a message: origin and path, never the user info, query or fragment
 * (TURN REST keys and Janus tokens travel there).
 */
export function describeUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url, globalThis.location?.href);
  } catch {
    return 'an invalid URL';
  }
  const origin = parsed.origin !== 'null' ? parsed.origin : parsed.protocol;
  const path = parsed.origin !== 'null' ? parsed.pathname : '';
  const text = `${origin}${path}`;
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Replaces every occurrence of the secrets in a message (a last line of defence for third-party messages). */
export function redact(message: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let result = message;
  for (const secret of secrets) {
    // Very short secrets (a 1-digit PIN) would blank out ordinary digits and words.
    if (secret && secret.length >= 3) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** An enumerated attribute; the error names the attribute and the allowed values. */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(`The ${name} attribute must be one of ${allowed.join(', ')}, not ${quote(value)}.`);
}

/** A number attribute within bounds (`integer`: whole numbers only). */
export function numberIn(name: string, value: unknown, min: number, max: number, integer = false): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number) && number >= min && number <= max) {
    if (!integer || Number.isInteger(number)) return number;
  }
  const kind = integer ? 'a whole number' : 'a number';
  throw invalid(`The ${name} attribute must be ${kind} from ${min} to ${max}, not ${quote(value)}.`);
}

/** A free-text attribute, capped; `secret` keeps the value out of the message. */
export function textUpTo(name: string, value: unknown, max: number, secret = false): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw invalid(`The ${name} attribute must be text.`);
  if (value.length > max) {
    throw invalid(`The ${name} attribute is too long (${value.length} characters, at most ${max}).`);
  }
  if (secret && /[\u0000-\u001f\u007f]/.test(value))
    throw invalid(`The ${name} attribute contains control characters.`);
  return value;
}

/** Parses a URL attribute of the given schemes; no fragment, no user:password. Returns it resolved. */
function urlOf(name: string, value: string, schemes: readonly string[], allowRelative: boolean): URL {
  let parsed: URL;
  try {
    parsed = allowRelative ? new URL(value, location.href) : new URL(value);
  } catch {
    const hint = allowRelative ? '' : ': give a full URL such as wss://janus.example.com/ws';
    throw invalid(`The ${name} attribute has an invalid URL${hint}.`);
  }
  const names = schemes.map((s) => s.replace(':', '')).join(', ');
  if (!schemes.includes(parsed.protocol)) {
    throw invalid(`The ${name} attribute needs ${names} URLs, not ${quote(parsed.protocol)}.`);
  }
  if (value.includes('#')) throw invalid(`The ${name} attribute URL ${describeUrl(parsed)} must not have a #fragment.`);
  if (parsed.username || parsed.password) {
    throw invalid(`The ${name} attribute URL ${describeUrl(parsed)} must not contain a user name or password.`);
  }
  if (value.length > 2048) throw invalid(`The ${name} attribute URL is too long.`);
  return parsed;
}

/** Parses `server`: one or more ws/wss/http/https URLs separated by spaces, tried in order. */
export function parseServers(server: string | null | undefined): string[] {
  const servers = String(server ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (servers.length === 0)
    throw invalid('The server attribute is missing: give the Janus URL, e.g. wss://janus.example.com/ws.');
  if (servers.length > 8) throw invalid('The server attribute lists too many URLs (at most 8).');
  // Absolute URLs only: `janus.example.com/ws` without a scheme would otherwise be taken as a path on this page.
  for (const url of servers) urlOf('server', url, ['ws:', 'wss:', 'http:', 'https:'], false);
  return servers;
}

/** A Janus id: a positive safe integer, or a string id (rooms created with `string_ids`). */
function parseId(name: string, value: unknown, example: string): number | string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!text) return undefined;
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    if (Number.isSafeInteger(id) && id > 0) return id;
  } else if (/^[A-Za-z_][\w.-]{0,127}$/.test(text)) {
    return text;
  }
  throw invalid(
    `The ${name} attribute ${quote(text)} is not a valid id: use a positive whole number or a name, e.g. ${example}.`,
  );
}

/** Parses `room`: a positive integer, or a string id for rooms created with `string_ids`. */
export function parseRoom(room: string | number | null | undefined): number | string {
  const id = parseId('room', room, 'room="1234"');
  if (id === undefined) throw invalid('The room attribute is missing: give the VideoRoom room id, e.g. room="1234".');
  return id;
}

/** Parses the viewer's `feed`: a publisher id like a room id; empty means every publisher. */
export function parseFeed(feed: unknown): FeedId | undefined {
  return parseId('feed', feed, 'feed="4321"');
}

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]{1,512}$/;

/**
 * Validates ICE servers: the `ice-servers` attribute (JSON text) or the `iceServers` property (an
 * array), by the same rules. Returns a copy, so later changes to the author's array do not leak in.
 */
export function parseIceServers(value: unknown, name = 'ice-servers attribute'): RTCIceServer[] {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      throw invalid(`The ${name} is not valid JSON.`);
    }
  }
  if (!Array.isArray(list)) throw invalid(`The ${name} must be an array of {urls, username?, credential?}.`);
  if (list.length > 32) throw invalid(`The ${name} lists too many servers (at most 32).`);
  return list.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw invalid(`The ${name}: entry ${index + 1} is not an object.`);
    }
    const { urls, username, credential } = entry as Record<string, unknown>;
    const all = typeof urls === 'string' ? [urls] : urls;
    const ok =
      Array.isArray(all) &&
      all.length > 0 &&
      all.length <= 16 &&
      all.every((u) => typeof u === 'string' && ICE_URL.test(u));
    if (!ok) throw invalid(`The ${name}: entry ${index + 1} needs "urls" of stun:, stuns:, turn: or turns: URLs.`);
    // Never quoted: these are the TURN secrets.
    if (username !== undefined && (typeof username !== 'string' || username.length > 1024)) {
      throw invalid(`The ${name}: entry ${index + 1} has a username that is not text.`);
    }
    if (credential !== undefined && (typeof credential !== 'string' || credential.length > 1024)) {
      throw invalid(`The ${name}: entry ${index + 1} has a credential that is not text.`);
    }
    const server: RTCIceServer = { urls: typeof urls === 'string' ? urls : [...(all as string[])] };
    if (username !== undefined) server.username = username as string;
    if (credential !== undefined) server.credential = credential as string;
    return server;
  });
}

/** Parses `turn-credentials`: an http(s) URL, relative ones resolved against the page. */
export function parseTurnCredentialsUrl(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) return undefined;
  return urlOf('turn-credentials', text, ['http:', 'https:'], true).href;
}

export function parseConnection(attributes: ConnectionAttributes): ConnectionConfig {
  const policy = oneOf('ice-transport-policy', attributes.iceTransportPolicy?.trim() || 'all', [
    'all',
    'relay',
  ] as const);
  const iceServers =
    attributes.iceServers !== undefined && attributes.iceServers !== null
      ? parseIceServers(attributes.iceServers, 'iceServers property')
      : attributes.iceServersJson
        ? parseIceServers(attributes.iceServersJson)
        : [];
  const turnCredentials = parseTurnCredentialsUrl(attributes.turnCredentials);
  if (policy === 'relay' && iceServers.length === 0 && !turnCredentials) {
    throw invalid('The ice-transport-policy attribute "relay" needs a TURN server in ice-servers or turn-credentials.');
  }
  const servers = parseServers(attributes.server);
  const room = parseRoom(attributes.room);
  const pin = textUpTo('pin', attributes.pin, 256, true);
  const token = textUpTo('token', attributes.token, 4096, true);
  return {
    servers,
    room,
    pin: pin || undefined,
    token: token || undefined,
    iceServers,
    iceTransportPolicy: policy,
    turnCredentials,
  };
}

/** Parses `resolution`: `WIDTHxHEIGHT`, each side 16 to 4096 and at most 8.3 megapixels (4K UHD). */
export function parseResolution(value: unknown): { width: number; height: number } {
  const match = typeof value === 'string' ? /^\s*(\d{1,5})\s*[x×]\s*(\d{1,5})\s*$/i.exec(value) : null;
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 16 || height < 16 || width > 4096 || height > 4096 || width * height > 8_300_000) {
    throw invalid(
      `The resolution attribute must look like 1280x720 (16 to 4096 a side, at most 3840x2160), not ${quote(value)}.`,
    );
  }
  return { width, height };
}

const CODECS: readonly VideoCodec[] = ['vp8', 'h264', 'vp9', 'av1'];
const FACING_MODES = ['', 'user', 'environment', 'left', 'right'] as const;

function constraintsProperty(name: string, value: unknown): MediaTrackConstraints | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid(`The ${name} property must be a MediaTrackConstraints object.`);
  return value as MediaTrackConstraints;
}

/** `<janus-publisher>`'s own attributes and properties, as written. */
export interface PublisherAttributes {
  display?: unknown;
  video?: unknown;
  audio?: unknown;
  videoDevice?: unknown;
  audioDevice?: unknown;
  resolution?: unknown;
  frameRate?: unknown;
  facingMode?: unknown;
  videoConstraints?: unknown;
  audioConstraints?: unknown;
  noSimulcast?: unknown;
  maxBitrate?: unknown;
  videoCodec?: unknown;
  degradation?: unknown;
}

/** The publisher's settings without the connection (see {@link parseConnection}). */
export function parsePublisher(a: PublisherAttributes): Omit<PublisherSettings, 'connection'> {
  // A removed attribute reads as null: it means the default again.
  const video: VideoSource = oneOf('video', a.video ?? 'camera', ['camera', 'screen', 'none'] as const);
  const audio: AudioSource = oneOf('audio', a.audio ?? 'microphone', ['microphone', 'none'] as const);
  if (video === 'none' && audio === 'none') {
    throw invalid('Nothing to publish: the video and audio attributes are both "none".');
  }
  const videoCodec = oneOf('video-codec', a.videoCodec ?? 'vp8', CODECS);
  const { width, height } = parseResolution(a.resolution ?? '1280x720');
  const frameRate = numberIn('frame-rate', a.frameRate ?? 30, 1, 120);
  const maxBitrate = numberIn('max-bitrate', a.maxBitrate ?? 0, 0, 100_000_000, true);
  const facingMode = oneOf('facing-mode', a.facingMode ?? '', FACING_MODES);
  const display = textUpTo('display', a.display, 256);
  const videoDevice = textUpTo('video-device', a.videoDevice, 512);
  const audioDevice = textUpTo('audio-device', a.audioDevice, 512);
  oneOf('degradation', a.degradation ?? 'audio-first', DEGRADATIONS);
  return {
    capture: {
      video,
      audio,
      width,
      height,
      frameRate,
      videoDevice: videoDevice || undefined,
      audioDevice: audioDevice || undefined,
      facingMode: facingMode || undefined,
      videoConstraints: constraintsProperty('videoConstraints', a.videoConstraints),
      audioConstraints: constraintsProperty('audioConstraints', a.audioConstraints),
    },
    display: display || undefined,
    simulcast: !a.noSimulcast && video === 'camera',
    maxBitrate: maxBitrate || undefined,
    videoCodec,
  };
}

export type QualityChoice = 'auto' | Quality;
export const QUALITIES: readonly QualityChoice[] = ['auto', 'high', 'medium', 'low', 'audio'];

/** `degradation` values (`<janus-viewer>` and `<janus-publisher>`). */
export const DEGRADATIONS: readonly DegradationMode[] = ['audio-first', 'off'];

/** `<janus-viewer>`'s own attributes, as written. */
export interface ViewerAttributes {
  feed?: unknown;
  display?: unknown;
  maxFeeds?: unknown;
  quality?: unknown;
  volume?: unknown;
  hls?: unknown;
  mode?: unknown;
  degradation?: unknown;
}

export type ViewerMode = 'auto' | 'webrtc' | 'hls';
export const VIEWER_MODES: readonly ViewerMode[] = ['auto', 'webrtc', 'hls'];

/**
 * Parses `hls` (an http(s) playlist URL, relative to the page is fine) and `mode`. Without `hls`
 * the mode can only be `webrtc`; with it, `auto` is the default.
 */
export function parseViewerMode(a: Pick<ViewerAttributes, 'hls' | 'mode'>): { hls?: string; mode: ViewerMode } {
  const text = typeof a.hls === 'string' ? a.hls.trim() : a.hls === null || a.hls === undefined ? '' : String(a.hls);
  const hls = text ? urlOf('hls', text, ['http:', 'https:'], true).href : undefined;
  const written = a.mode === null || a.mode === undefined || a.mode === '' ? undefined : a.mode;
  const mode = oneOf('mode', written ?? (hls ? 'auto' : 'webrtc'), VIEWER_MODES);
  if (mode !== 'webrtc' && !hls) throw invalid(`The mode attribute is "${mode}" but the hls attribute is missing.`);
  return hls ? { hls, mode } : { mode };
}

/** The viewer's settings without the connection; `volume` is checked too, though not a setting. */
export function parseViewer(a: ViewerAttributes): Omit<ViewerSettings, 'connection'> {
  // A removed attribute reads as null: it means the default again.
  const quality = oneOf('quality', a.quality ?? 'auto', QUALITIES);
  const feed = parseFeed(a.feed);
  const display = textUpTo('display', a.display, 256);
  const maxFeeds = numberIn('max-feeds', a.maxFeeds ?? 0, 0, 100, true);
  numberIn('volume', a.volume ?? 1, 0, 1);
  parseViewerMode(a);
  oneOf('degradation', a.degradation ?? 'audio-first', DEGRADATIONS);
  return {
    feed,
    display: display || undefined,
    maxFeeds: maxFeeds || undefined,
    quality: quality === 'auto' ? undefined : quality,
  };
}

/** A volume a media element accepts, whatever was written (invalid ones are reported by {@link parseViewer}). */
export function safeVolume(value: unknown): number {
  const number = value === null || value === undefined ? 1 : Number(value);
  return Number.isFinite(number) ? Math.min(1, Math.max(0, number)) : 1;
}

/** `<janus-stats>`'s attributes, as written. */
export interface StatsAttributes {
  for?: unknown;
  interval?: unknown;
}

/** Parses `<janus-stats>`'s attributes: `interval` 100 ms to 60 s, `for` an id. */
export function parseStats(a: StatsAttributes): { for: string; interval: number } {
  return { for: textUpTo('for', a.for, 256).trim(), interval: numberIn('interval', a.interval ?? 1000, 100, 60_000) };
}

/** A string override (i18n) if the author gave one, else the default; never throws, whatever `strings` is. */
export function overridden<K extends string>(strings: unknown, key: K, fallback: string): string {
  const value = typeof strings === 'object' && strings !== null ? (strings as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : fallback;
}
