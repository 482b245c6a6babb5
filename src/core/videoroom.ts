// The VideoRoom protocol (Janus 1.x multistream): the request bodies we send and the replies and
// events we read. Pure functions, no Lit, no janus.js. Everything that comes from the server is
// treated as untrusted: a malformed or hostile message yields less, never an exception.

import { JanusWidgetError } from './errors.js';
export type FeedId = number | string;
export type RoomId = number | string;
type Body = Record<string, unknown>;

/** At most this many publishers or streams are read from one message; the rest is ignored. */
export const MAX_LIST_ENTRIES = 1000;
/** Display names longer than this are cut: they end up in the DOM and in `title` attributes. */
export const MAX_DISPLAY_LENGTH = 256;

/** Adds `key` only when `value` is set: Janus rejects some fields that are present but empty. */
function withOptional(body: Body, optional: Body): Body {
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined && value !== '' && value !== null) body[key] = value;
  }
  return body;
}

export interface RoomAccess {
  room: RoomId;
  pin?: string | undefined;
}

/** Joins as a participant that does not publish yet (the viewer's lobby, or before `configure`). */
export function joinPublisherBody(options: RoomAccess & { display?: string | undefined }): Body {
  return withOptional(
    { request: 'join', ptype: 'publisher', room: options.room },
    { pin: options.pin, display: options.display },
  );
}

/** Janus answers it at once, where a join waits its turn in the plugin's queue. */
export function listParticipantsBody(room: RoomId): Body {
  return { request: 'listparticipants', room };
}

export interface PublishSettings {
  audio?: boolean | undefined;
  video?: boolean | undefined;
  /** Bits per second Janus announces via REMB. */
  bitrate?: number | undefined;
  videocodec?: string | undefined;
}

/** Joins and publishes in one round trip (send it with the offer). */
export function joinAndConfigureBody(
  options: RoomAccess & { display?: string | undefined; id?: FeedId | undefined } & PublishSettings,
): Body {
  const body = withOptional(
    { request: 'joinandconfigure', ptype: 'publisher', room: options.room },
    { pin: options.pin, display: options.display, id: options.id },
  );
  return withOptional(body, {
    audio: options.audio,
    video: options.video,
    bitrate: options.bitrate || undefined,
    videocodec: options.videocodec,
  });
}

/** One stream of a subscription to add or remove: a whole feed, or one of its mids. */
export interface StreamRef {
  feed: FeedId;
  mid?: string | undefined;
  /** The simulcast layer to relay first (Janus's default is the top one). */
  substream?: 0 | 1 | 2 | undefined;
}

function streamRefs(streams: readonly StreamRef[]): Body[] {
  return streams.map(({ feed, mid, substream }) => withOptional({ feed }, { mid, substream }));
}

/** Joins as a multistream subscriber to the given feeds. */
export function joinSubscriberBody(
  options: RoomAccess & { streams: readonly StreamRef[]; privateId?: number | undefined },
): Body {
  return withOptional(
    { request: 'join', ptype: 'subscriber', room: options.room, streams: streamRefs(options.streams) },
    { pin: options.pin, private_id: options.privateId || undefined },
  );
}

export function subscribeBody(streams: readonly StreamRef[]): Body {
  return { request: 'subscribe', streams: streamRefs(streams) };
}

/** What a `configure` may change on one mid (publisher: `send`; subscriber: also the layers). */
export interface StreamSettings {
  mid: string;
  send?: boolean | undefined;
  substream?: number | undefined;
  temporal?: number | undefined;
}

/**
 * A publisher's or subscriber's `configure`: per-stream settings and/or a bitrate; a publisher's
 * stream `descriptions` too (Janus then announces the publisher again to the room).
 */
export function configureBody(options: {
  streams?: readonly StreamSettings[];
  bitrate?: number | undefined;
  descriptions?: ReadonlyArray<{ mid: string; description: string }>;
}): Body {
  const body: Body = { request: 'configure' };
  if (options.streams)
    body['streams'] = options.streams.map((s) => withOptional({ mid: s.mid }, { ...s, mid: undefined }));
  if (options.descriptions) body['descriptions'] = options.descriptions.map((d) => ({ ...d }));
  // 0 is meaningful here ("no cap"), so it is kept.
  if (options.bitrate !== undefined) body['bitrate'] = options.bitrate;
  return body;
}

/** Completes a subscription: send it with the SDP answer. */
export function startBody(): Body {
  return { request: 'start' };
}

export function leaveBody(): Body {
  return { request: 'leave' };
}

// --- Replies and events ---------------------------------------------------------------------

export interface Publisher {
  id: FeedId;
  display?: string | undefined;
  /** `network`: the publisher sends audio only on purpose, for its congested uplink. */
  videoPaused?: 'network' | undefined;
}

/** The description a publisher gives its video stream while it sends audio only for its uplink. */
export const AUDIO_ONLY_DESCRIPTION = 'audio-only:network';

/** Whether a publisher entry's video stream says it is paused on purpose (see {@link AUDIO_ONLY_DESCRIPTION}). */
function videoPausedOf(entry: Record<string, unknown>): Publisher['videoPaused'] {
  const paused = records(entry, 'streams').some(
    (s) => s['type'] === 'video' && s['description'] === AUDIO_ONLY_DESCRIPTION,
  );
  return paused ? 'network' : undefined;
}

/** One stream of a subscription, as Janus describes it. */
export interface SubscribedStream {
  mid: string;
  type: 'audio' | 'video' | 'data';
  feedId: FeedId;
  feedMid: string;
  display?: string | undefined;
  active: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Janus id: a finite number or a non-empty string (rooms and feeds may use `string_ids`). */
export function toId(value: unknown): FeedId | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return value.length > 0 && value.length <= MAX_DISPLAY_LENGTH ? value : undefined;
  return undefined;
}

function toDisplay(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_DISPLAY_LENGTH) : undefined;
}

/** The first entries of `data[key]` that are objects, or none if it is not an array. */
function records(data: unknown, key: string): Record<string, unknown>[] {
  const list = isRecord(data) ? data[key] : undefined;
  if (!Array.isArray(list)) return [];
  const out: Record<string, unknown>[] = [];
  // Walk only as far as needed: a 100k-entry list costs no more than MAX_LIST_ENTRIES good ones.
  for (let i = 0; i < list.length && out.length < MAX_LIST_ENTRIES; i++) {
    const entry: unknown = list[i];
    if (isRecord(entry)) out.push(entry);
  }
  return out;
}

/** The `publishers` of a `joined` reply or a publishers event; malformed entries are skipped. */
export function toPublishers(data: unknown): Publisher[] {
  const out: Publisher[] = [];
  for (const entry of records(data, 'publishers')) {
    const id = toId(entry['id']);
    if (id === undefined) continue;
    const publisher: Publisher = { id, display: toDisplay(entry['display']) };
    const videoPaused = videoPausedOf(entry);
    if (videoPaused) publisher.videoPaused = videoPaused;
    out.push(publisher);
  }
  return out;
}

/** The publishing participants of a `listparticipants` answer (attendees left out). */
export function toParticipatingPublishers(data: unknown): Publisher[] {
  const out: Publisher[] = [];
  for (const entry of records(data, 'participants')) {
    const id = toId(entry['id']);
    if (id !== undefined && entry['publisher'] === true) out.push({ id, display: toDisplay(entry['display']) });
  }
  return out;
}

const STREAM_TYPES = new Set(['audio', 'video', 'data']);

/** The `streams` of an `attached` or `updated` reply, keeping only streams that belong to a feed. */
export function toStreams(data: unknown): SubscribedStream[] {
  const out: SubscribedStream[] = [];
  for (const s of records(data, 'streams')) {
    const feedId = toId(s['feed_id']);
    const mid = s['mid'];
    if (feedId === undefined || (typeof mid !== 'string' && typeof mid !== 'number')) continue;
    if (typeof s['type'] !== 'string' || !STREAM_TYPES.has(s['type'])) continue;
    out.push({
      mid: String(mid),
      type: s['type'] as SubscribedStream['type'],
      feedId,
      feedMid: typeof s['feed_mid'] === 'string' || typeof s['feed_mid'] === 'number' ? String(s['feed_mid']) : '',
      display: toDisplay(s['feed_display']),
      active: s['active'] !== false,
    });
  }
  return out;
}

/** What a participant handle can hear from the room, already validated. */
export type RoomEvent =
  | { type: 'joined'; id: FeedId | undefined; privateId: number | undefined; publishers: Publisher[] }
  | { type: 'publishers'; publishers: Publisher[] }
  /** `self`: it was our own feed (Janus answers 'ok'). */
  | { type: 'unpublished'; self: true }
  | { type: 'unpublished'; self: false; id: FeedId }
  /** `self`: we left (or were made to: `reason` is then e.g. 'kicked'). */
  | { type: 'leaving'; self: true; reason: string | undefined }
  | { type: 'leaving'; self: false; id: FeedId }
  | { type: 'kicked'; id: FeedId }
  | { type: 'destroyed'; room: FeedId | undefined }
  | { type: 'error'; code: number; message: string }
  | { type: 'unknown' };

/**
 * Reads one message of a participant (publisher-type) handle. Anything it does not understand is
 * `unknown`, for the caller to ignore.
 */
export function parseRoomEvent(data: unknown): RoomEvent {
  if (!isRecord(data)) return { type: 'unknown' };
  if (typeof data['error_code'] === 'number' || typeof data['error'] === 'string') {
    const code = typeof data['error_code'] === 'number' ? data['error_code'] : 0;
    const message = typeof data['error'] === 'string' ? data['error'].slice(0, 1024) : 'Unknown plugin error';
    return { type: 'error', code, message };
  }
  const kind = data['videoroom'];
  if (kind === 'destroyed') return { type: 'destroyed', room: toId(data['room']) };
  if (kind === 'joined') {
    const privateId = data['private_id'];
    return {
      type: 'joined',
      id: toId(data['id']),
      privateId: typeof privateId === 'number' && Number.isFinite(privateId) ? privateId : undefined,
      publishers: toPublishers(data),
    };
  }
  if (kind !== 'event') return { type: 'unknown' };
  if (Array.isArray(data['publishers'])) return { type: 'publishers', publishers: toPublishers(data) };
  if ('unpublished' in data) {
    if (data['unpublished'] === 'ok') return { type: 'unpublished', self: true };
    const id = toId(data['unpublished']);
    return id === undefined ? { type: 'unknown' } : { type: 'unpublished', self: false, id };
  }
  if ('leaving' in data) {
    if (data['leaving'] === 'ok') {
      return { type: 'leaving', self: true, reason: typeof data['reason'] === 'string' ? data['reason'] : undefined };
    }
    const id = toId(data['leaving']);
    return id === undefined ? { type: 'unknown' } : { type: 'leaving', self: false, id };
  }
  if ('kicked' in data) {
    const id = toId(data['kicked']);
    return id === undefined ? { type: 'unknown' } : { type: 'kicked', id };
  }
  return { type: 'unknown' };
}

/**
 * The end an event announces for our own participant: a moderator's `kick`, the room's `destroy`,
 * or our feed unpublished by someone else. These are final: joining again would only be refused.
 */
export function endOf(event: RoomEvent): JanusWidgetError | undefined {
  if (event.type === 'destroyed') return new JanusWidgetError('room-destroyed', 'The room was closed by its owner.');
  if (event.type === 'leaving' && event.self && event.reason === 'kicked') {
    return new JanusWidgetError('kicked', 'A moderator removed this participant from the room.');
  }
  if (event.type === 'unpublished' && event.self) {
    return new JanusWidgetError('unpublished', 'A moderator stopped this broadcast.');
  }
  return undefined;
}
