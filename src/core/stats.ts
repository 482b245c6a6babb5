/**
 * Normalises a WebRTC `getStats()` report into a plain, typed {@link StatsSample}.
 *
 * Pure functions only: no timers, no janus.js, no DOM beyond the report itself. Rates are
 * computed against the previous sample's per-stream {@link StatsSample.counters}, so a caller
 * polls with `sample = toStatsSample(await pc.getStats(), 'recv', sample)`.
 */

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type RelayProtocol = 'udp' | 'tcp' | 'tls';
/** 'send' for a publisher's PeerConnection, 'recv' for a viewer's. */
export type Direction = 'send' | 'recv';

/** One entry of an RTCStatsReport, as `[...report.values()]` holds it. */
export interface RawStats {
  readonly id: string;
  readonly type: string;
  readonly timestamp: number;
  readonly [field: string]: unknown;
}

/** A live report, a Map of it, or its values (e.g. a recorded JSON array). */
export type StatsInput = RTCStatsReport | ReadonlyMap<string, RawStats> | Iterable<RawStats>;

/** One simulcast encoding (or the single encoding) of a published video track. */
export interface LayerStats {
  rid?: string;
  mid?: string;
  /** Whether the encoding is enabled; an enabled layer may still be paused by the browser. */
  active: boolean;
  width?: number;
  height?: number;
  fps?: number;
  bitrateKbps: number;
  qualityLimitationReason?: string;
}

/** One received stream (a Janus multistream subscriber has one per `mid`). */
export interface FeedStats {
  kind: 'audio' | 'video';
  mid?: string;
  trackId?: string;
  bitrateKbps: number;
  /** Cumulative packets received. */
  packets: number;
  /** Cumulative packets lost. */
  packetsLost: number;
  /** Loss over the interval since the previous sample (0 without one). */
  lossPercent: number;
  jitterMs?: number;
  level?: number;
  width?: number;
  height?: number;
  fps?: number;
  codec?: string;
  framesDecoded?: number;
  freezeCount?: number;
  jitterBufferDelayMs?: number;
}

export interface CandidatePairInfo {
  local: CandidateType;
  remote: CandidateType;
  /** How the local relay candidate reaches the TURN server. */
  relayProtocol?: RelayProtocol;
  /** Transport of the local candidate ('udp' or 'tcp'). */
  protocol?: string;
}

/** Cumulative counters of one RTP stream, kept so that the next sample can compute rates. */
export interface StreamCounters {
  timestamp: number;
  bytes: number;
  packets: number;
  packetsLost: number;
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
}

export interface StatsSample {
  /** Milliseconds, from the report's own clock. */
  timestamp: number;
  direction: Direction;
  iceState: RTCIceConnectionState | 'unknown';
  candidatePair?: CandidatePairInfo;
  /** The last measured round-trip time; ICE measures it every few seconds and it repeats in between. */
  rttMs?: number;
  /**
   * Whether `rttMs` was measured since the previous sample (the selected pair got a new STUN
   * response); undefined where the browser does not count responses or there is no previous sample.
   */
  rttFresh?: boolean;
  /** Cumulative STUN responses on the selected pair, for the next sample's `rttFresh`. */
  rttResponses?: number;
  /** send: the congestion controller's estimate of what the uplink carries (`availableOutgoingBitrate`), kbit/s. */
  availableOutgoingKbps?: number;
  /** Worst of audio and video jitter. */
  jitterMs?: number;
  /** Cumulative. */
  packetsLost: number;
  /** Loss over the interval since the previous sample; see {@link toStatsSample}. */
  lossPercent: number;
  audio: { bitrateKbps: number; packets: number; jitterMs?: number; level?: number };
  video: {
    /** Sum over all video streams. */
    bitrateKbps: number;
    /** Cumulative, summed over all video streams. */
    packets: number;
    /** Shape of the largest stream (top layer sent, biggest feed received). */
    width?: number;
    height?: number;
    fps?: number;
    codec?: string;
    /** recv: summed over feeds. */
    framesDecoded?: number;
    /** recv: summed over feeds. */
    freezeCount?: number;
    /** recv: average delay per frame of the largest feed. */
    jitterBufferDelayMs?: number;
    /** send: why the encoder is holding back ('none', 'cpu', 'bandwidth', 'other'). */
    qualityLimitationReason?: string;
    /** send: one entry per encoding, in sendEncodings order. */
    layers?: LayerStats[];
  };
  /** recv: every received stream, keyed by `mid` (or track id where there is no mid). */
  feeds?: Record<string, FeedStats>;
  /** Per-stream cumulative counters by stats id: feed these back as `previous`. */
  counters: Record<string, StreamCounters>;
}

const CANDIDATE_TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];
const RELAY_PROTOCOLS: readonly string[] = ['udp', 'tcp', 'tls'];
const ICE_STATES: readonly string[] = ['new', 'checking', 'connected', 'completed', 'disconnected', 'failed', 'closed'];

/**
 * Turns one stats report into a {@link StatsSample}.
 *
 * `previous` is the sample taken from the same PeerConnection just before; without it every
 * rate (bitrate, interval loss) is 0. `iceState` (from `pc.iceConnectionState`) wins over the
 * transport's own `iceState`, which not every browser reports.
 *
 * Loss: for 'recv' it is lost / (received + lost) between the two samples. For 'send' it is
 * the far end's RTCP `fractionLost`, weighted by packets sent: the receiver already measured
 * the interval, and the sender's `packetsLost` only moves when an RTCP report arrives.
 */
export function toStatsSample(
  report: StatsInput,
  direction: Direction,
  previous?: StatsSample,
  iceState?: RTCIceConnectionState,
): StatsSample {
  const stats = statsEntries(report);
  const byId = new Map(stats.map((s) => [s.id, s]));
  const prev = previous?.direction === direction ? previous.counters : {};
  const counters: Record<string, StreamCounters> = {};
  const pair = selectedCandidatePair(stats, byId);
  const timestamp = stats.reduce((max, s) => Math.max(max, s.timestamp), 0);

  const media = direction === 'send' ? sendMedia(stats, byId, prev, counters) : recvMedia(stats, byId, prev, counters);

  const remoteKind = direction === 'send' ? 'remote-inbound-rtp' : 'remote-outbound-rtp';
  const remoteRtts = stats.filter((s) => s.type === remoteKind).map((s) => num(s, 'roundTripTime'));
  const pairRtt = pair && num(pair, 'currentRoundTripTime');
  const rttSeconds = pairRtt ?? maxOf(remoteRtts);

  const sample: StatsSample = {
    timestamp,
    direction,
    iceState: iceState ?? transportIceState(stats),
    packetsLost: media.packetsLost,
    lossPercent: media.lossPercent,
    audio: media.audio,
    video: media.video,
    counters,
  };
  const candidatePair = pair && describePair(pair, byId);
  if (candidatePair) sample.candidatePair = candidatePair;
  if (rttSeconds !== undefined) sample.rttMs = rttSeconds * 1000;
  const responses = pairRtt !== undefined ? num(pair, 'responsesReceived') : undefined;
  if (responses !== undefined) {
    sample.rttResponses = responses;
    const before = previous?.direction === direction ? previous.rttResponses : undefined;
    if (before !== undefined) sample.rttFresh = responses !== before;
  }
  const available = direction === 'send' && pair ? num(pair, 'availableOutgoingBitrate') : undefined;
  if (available !== undefined) sample.availableOutgoingKbps = available / 1000;
  const jitterMs = maxOf([media.audio.jitterMs, media.videoJitterMs]);
  if (jitterMs !== undefined) sample.jitterMs = jitterMs;
  if (media.feeds) sample.feeds = media.feeds;
  return sample;
}

// ---------------------------------------------------------------------------------------------

type Counters = Record<string, StreamCounters>;

interface MediaPart {
  audio: StatsSample['audio'];
  video: StatsSample['video'];
  videoJitterMs?: number;
  packetsLost: number;
  lossPercent: number;
  feeds?: Record<string, FeedStats>;
}

function sendMedia(stats: RawStats[], byId: Map<string, RawStats>, prev: Counters, counters: Counters): MediaPart {
  const outbound = stats.filter((s) => s.type === 'outbound-rtp');
  const remote = stats.filter((s) => s.type === 'remote-inbound-rtp');
  const sentInInterval = new Map<string, number>();

  const rates = new Map<string, number>();
  for (const s of outbound) {
    const now = countersOf(s, 'bytesSent', 'packetsSent');
    counters[s.id] = now;
    rates.set(s.id, bitrateKbps(now, prev[s.id]));
    const before = prev[s.id];
    sentInInterval.set(s.id, before && now.packets >= before.packets ? now.packets - before.packets : now.packets);
  }

  const audioOut = outbound.filter((s) => kindOf(s) === 'audio');
  const videoOut = outbound.filter((s) => kindOf(s) === 'video');
  const remoteOf = (kind: string) => remote.filter((s) => kindOf(s) === kind);

  const audio: StatsSample['audio'] = {
    bitrateKbps: sum(audioOut.map((s) => rates.get(s.id) ?? 0)),
    packets: sum(audioOut.map((s) => num(s, 'packetsSent') ?? 0)),
  };
  setIfDefined(audio, 'jitterMs', msOf(maxOf(remoteOf('audio').map((s) => num(s, 'jitter')))));
  const levels = audioOut.map((s) => num(linked(s, 'mediaSourceId', byId), 'audioLevel'));
  setIfDefined(audio, 'level', maxOf(levels));

  const layers = sortLayers(videoOut).map((s) => {
    const layer: LayerStats = { active: s['active'] !== false, bitrateKbps: rates.get(s.id) ?? 0 };
    setIfDefined(layer, 'rid', str(s, 'rid'));
    setIfDefined(layer, 'mid', str(s, 'mid'));
    setIfDefined(layer, 'width', num(s, 'frameWidth'));
    setIfDefined(layer, 'height', num(s, 'frameHeight'));
    setIfDefined(layer, 'fps', num(s, 'framesPerSecond'));
    setIfDefined(layer, 'qualityLimitationReason', str(s, 'qualityLimitationReason'));
    return layer;
  });
  const video: StatsSample['video'] = {
    bitrateKbps: sum(layers.map((l) => l.bitrateKbps)),
    packets: sum(videoOut.map((s) => num(s, 'packetsSent') ?? 0)),
  };
  const top = largest(videoOut);
  if (top) {
    setIfDefined(video, 'width', num(top, 'frameWidth'));
    setIfDefined(video, 'height', num(top, 'frameHeight'));
    setIfDefined(video, 'fps', num(top, 'framesPerSecond'));
  }
  setIfDefined(video, 'codec', codecName(videoOut, byId));
  // Simulcast layers share one encoder, so one limited layer means the encoder is limited.
  const reasons = layers.map((l) => l.qualityLimitationReason).filter(isDefined);
  setIfDefined(video, 'qualityLimitationReason', reasons.find((r) => r !== 'none') ?? reasons[0]);
  if (layers.length > 0) video.layers = layers;

  let weightedLoss = 0;
  let weight = 0;
  for (const r of remote) {
    const fraction = num(r, 'fractionLost');
    const localId = str(r, 'localId');
    if (fraction === undefined) continue;
    const w = (localId && sentInInterval.get(localId)) || 0;
    weightedLoss += fraction * w;
    weight += w;
  }

  return {
    audio,
    video,
    videoJitterMs: msOf(maxOf(remoteOf('video').map((s) => num(s, 'jitter')))),
    packetsLost: sum(remote.map((s) => Math.max(0, num(s, 'packetsLost') ?? 0))),
    lossPercent: weight > 0 ? clampPercent((weightedLoss / weight) * 100) : 0,
  };
}

function recvMedia(stats: RawStats[], byId: Map<string, RawStats>, prev: Counters, counters: Counters): MediaPart {
  const inbound = stats.filter((s) => s.type === 'inbound-rtp');
  const feeds: Record<string, FeedStats> = {};
  let lostInInterval = 0;
  let receivedInInterval = 0;

  const feedOf = new Map<RawStats, FeedStats>();
  for (const s of inbound) {
    const now = countersOf(s, 'bytesReceived', 'packetsReceived');
    setIfDefined(now, 'jitterBufferDelay', num(s, 'jitterBufferDelay'));
    setIfDefined(now, 'jitterBufferEmittedCount', num(s, 'jitterBufferEmittedCount'));
    counters[s.id] = now;
    const before = prev[s.id];
    const comparable = before !== undefined && now.packets >= before.packets && now.timestamp > before.timestamp;
    const received = comparable ? now.packets - before.packets : 0;
    const lost = comparable ? Math.max(0, now.packetsLost - before.packetsLost) : 0;
    receivedInInterval += received;
    lostInInterval += lost;

    const kind = kindOf(s) === 'audio' ? 'audio' : 'video';
    const feed: FeedStats = {
      kind,
      bitrateKbps: bitrateKbps(now, before),
      packets: now.packets,
      packetsLost: now.packetsLost,
      lossPercent: received + lost > 0 ? (lost / (received + lost)) * 100 : 0,
    };
    setIfDefined(feed, 'mid', str(s, 'mid'));
    setIfDefined(feed, 'trackId', str(s, 'trackIdentifier'));
    setIfDefined(feed, 'jitterMs', msOf(num(s, 'jitter')));
    if (kind === 'audio') {
      setIfDefined(feed, 'level', num(s, 'audioLevel'));
    } else {
      setIfDefined(feed, 'width', num(s, 'frameWidth'));
      setIfDefined(feed, 'height', num(s, 'frameHeight'));
      setIfDefined(feed, 'fps', num(s, 'framesPerSecond'));
      setIfDefined(feed, 'codec', codecName([s], byId));
      setIfDefined(feed, 'framesDecoded', num(s, 'framesDecoded'));
      setIfDefined(feed, 'freezeCount', num(s, 'freezeCount'));
      setIfDefined(feed, 'jitterBufferDelayMs', jitterBufferDelayMs(now, comparable ? before : undefined));
    }
    feeds[feed.mid ?? feed.trackId ?? s.id] = feed;
    feedOf.set(s, feed);
  }

  const all = [...feedOf.values()];
  const audioFeeds = all.filter((f) => f.kind === 'audio');
  const videoFeeds = all.filter((f) => f.kind === 'video');

  const audio: StatsSample['audio'] = {
    bitrateKbps: sum(audioFeeds.map((f) => f.bitrateKbps)),
    packets: sum(audioFeeds.map((f) => f.packets)),
  };
  setIfDefined(audio, 'jitterMs', maxOf(audioFeeds.map((f) => f.jitterMs)));
  setIfDefined(audio, 'level', maxOf(audioFeeds.map((f) => f.level)));

  const video: StatsSample['video'] = {
    bitrateKbps: sum(videoFeeds.map((f) => f.bitrateKbps)),
    packets: sum(videoFeeds.map((f) => f.packets)),
  };
  const topRaw = largest(inbound.filter((s) => kindOf(s) !== 'audio'));
  const top = topRaw && feedOf.get(topRaw);
  if (top) {
    setIfDefined(video, 'width', top.width);
    setIfDefined(video, 'height', top.height);
    setIfDefined(video, 'fps', top.fps);
    setIfDefined(video, 'codec', top.codec);
    setIfDefined(video, 'jitterBufferDelayMs', top.jitterBufferDelayMs);
  }
  setIfDefined(video, 'framesDecoded', sumDefined(videoFeeds.map((f) => f.framesDecoded)));
  setIfDefined(video, 'freezeCount', sumDefined(videoFeeds.map((f) => f.freezeCount)));

  const part: MediaPart = {
    audio,
    video,
    packetsLost: sum(all.map((f) => Math.max(0, f.packetsLost))),
    lossPercent:
      receivedInInterval + lostInInterval > 0 ? (lostInInterval / (receivedInInterval + lostInInterval)) * 100 : 0,
  };
  setIfDefined(part, 'videoJitterMs', maxOf(videoFeeds.map((f) => f.jitterMs)));
  if (all.length > 0) part.feeds = feeds;
  return part;
}

// ---------------------------------------------------------------------------------------------

function statsEntries(report: StatsInput): RawStats[] {
  // RTCStatsReport and Map iterate as [key, value] pairs, so read their values(); arrays also
  // have values(), which keeps recorded fixtures and live reports on one path.
  const withValues = report as { values?: unknown };
  const source: Iterable<unknown> =
    typeof withValues.values === 'function'
      ? (report as { values(): Iterable<unknown> }).values()
      : (report as Iterable<unknown>);
  return [...source].filter(isRawStats);
}

function isRawStats(value: unknown): value is RawStats {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['id'] === 'string' && typeof v['type'] === 'string' && typeof v['timestamp'] === 'number';
}

function selectedCandidatePair(stats: RawStats[], byId: Map<string, RawStats>): RawStats | undefined {
  const fromTransports = stats
    .filter((s) => s.type === 'transport')
    .map((t) => linked(t, 'selectedCandidatePairId', byId))
    .filter(isDefined);
  // Firefox has no transport stats but flags the pair itself.
  const flagged = stats.filter((s) => s.type === 'candidate-pair' && s['selected'] === true);
  const candidates = fromTransports.length > 0 ? fromTransports : flagged;
  if (candidates.length > 0) return busiest(candidates);
  const nominated = stats.filter(
    (s) => s.type === 'candidate-pair' && s['nominated'] === true && s['state'] === 'succeeded',
  );
  return nominated.length > 0 ? busiest(nominated) : undefined;
}

function busiest(pairs: RawStats[]): RawStats | undefined {
  const traffic = (s: RawStats) => (num(s, 'bytesSent') ?? 0) + (num(s, 'bytesReceived') ?? 0);
  return pairs.reduce<RawStats | undefined>((best, s) => (best && traffic(best) >= traffic(s) ? best : s), undefined);
}

function describePair(pair: RawStats, byId: Map<string, RawStats>): CandidatePairInfo | undefined {
  const local = linked(pair, 'localCandidateId', byId);
  const remote = linked(pair, 'remoteCandidateId', byId);
  const localType = str(local, 'candidateType');
  const remoteType = str(remote, 'candidateType');
  if (!isCandidateType(localType) || !isCandidateType(remoteType)) return undefined;
  const info: CandidatePairInfo = { local: localType, remote: remoteType };
  const relayProtocol = str(local, 'relayProtocol');
  if (localType === 'relay' && relayProtocol && RELAY_PROTOCOLS.includes(relayProtocol)) {
    info.relayProtocol = relayProtocol as RelayProtocol;
  }
  setIfDefined(info, 'protocol', str(local, 'protocol'));
  return info;
}

function isCandidateType(value: string | undefined): value is CandidateType {
  return value !== undefined && CANDIDATE_TYPES.includes(value);
}

function transportIceState(stats: RawStats[]): StatsSample['iceState'] {
  for (const s of stats) {
    const state = s.type === 'transport' ? str(s, 'iceState') : undefined;
    if (state && ICE_STATES.includes(state)) return state as RTCIceConnectionState;
  }
  return 'unknown';
}

function countersOf(s: RawStats, bytesField: string, packetsField: string): StreamCounters {
  return {
    timestamp: s.timestamp,
    bytes: num(s, bytesField) ?? 0,
    packets: num(s, packetsField) ?? 0,
    packetsLost: num(s, 'packetsLost') ?? 0,
  };
}

function bitrateKbps(now: StreamCounters, before: StreamCounters | undefined): number {
  if (!before) return 0;
  const ms = now.timestamp - before.timestamp;
  const bytes = now.bytes - before.bytes;
  // A negative delta means the stream was recreated (new PC or SSRC): no rate this time.
  if (ms <= 0 || bytes < 0) return 0;
  return (bytes * 8) / ms; // bits per millisecond is kbit/s
}

function jitterBufferDelayMs(now: StreamCounters, before: StreamCounters | undefined): number | undefined {
  const delay = now.jitterBufferDelay;
  const count = now.jitterBufferEmittedCount;
  if (delay === undefined || count === undefined) return undefined;
  const prevDelay = before?.jitterBufferDelay;
  const prevCount = before?.jitterBufferEmittedCount;
  // Prefer the recent average: the lifetime one hides a buffer that is growing now.
  if (prevDelay !== undefined && prevCount !== undefined && count > prevCount) {
    return ((delay - prevDelay) / (count - prevCount)) * 1000;
  }
  return count > 0 ? (delay / count) * 1000 : undefined;
}

function sortLayers(outbound: RawStats[]): RawStats[] {
  return [...outbound].sort(
    (a, b) =>
      (str(a, 'mid') ?? '').localeCompare(str(b, 'mid') ?? '') ||
      (num(a, 'encodingIndex') ?? 0) - (num(b, 'encodingIndex') ?? 0),
  );
}

function largest(streams: RawStats[]): RawStats | undefined {
  const pixels = (s: RawStats) => (num(s, 'frameWidth') ?? 0) * (num(s, 'frameHeight') ?? 0);
  return streams.reduce<RawStats | undefined>((best, s) => (best && pixels(best) >= pixels(s) ? best : s), undefined);
}

function codecName(streams: RawStats[], byId: Map<string, RawStats>): string | undefined {
  for (const s of streams) {
    const mime = str(linked(s, 'codecId', byId), 'mimeType');
    if (mime) return mime.slice(mime.indexOf('/') + 1);
  }
  return undefined;
}

function kindOf(s: RawStats): string | undefined {
  return str(s, 'kind') ?? str(s, 'mediaType');
}

function linked(s: RawStats | undefined, field: string, byId: Map<string, RawStats>): RawStats | undefined {
  const id = str(s, field);
  return id === undefined ? undefined : byId.get(id);
}

function num(s: RawStats | undefined, field: string): number | undefined {
  const v = s?.[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(s: RawStats | undefined, field: string): string | undefined {
  const v = s?.[field];
  return typeof v === 'string' ? v : undefined;
}

function msOf(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}

function maxOf(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter(isDefined);
  return defined.length > 0 ? Math.max(...defined) : undefined;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function sumDefined(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter(isDefined);
  return defined.length > 0 ? sum(defined) : undefined;
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** Optional fields stay absent rather than `undefined`, so samples compare and serialise cleanly. */
function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
