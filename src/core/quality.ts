/**
 * Grades a connection from its recent {@link StatsSample}s and says what is wrong, where, and
 * what helps. Pure: the same history always gives the same answer.
 */
import type { Direction, StatsSample } from './stats.js';

export type QualityLevel = 'good' | 'fair' | 'poor' | 'bad';
export type DiagnosisCode =
  'loss' | 'rtt' | 'jitter' | 'ice' | 'relay-tcp' | 'cpu' | 'bandwidth' | 'no-video' | 'freeze';
/** A 'send' sample describes the publisher's uplink, a 'recv' sample the viewer's downlink. */
export type LinkSide = 'uplink' | 'downlink' | 'unknown';

export interface Diagnosis {
  code: DiagnosisCode;
  severity: QualityLevel;
  side: LinkSide;
  message: string;
  /** The measured value the rule compared (percent, ms, count), where there is one. */
  value?: number;
}

export interface QualityAssessment {
  /** Worst severity among the diagnoses; 'good' when there are none. */
  quality: QualityLevel;
  /** Worst first. */
  diagnosis: Diagnosis[];
}

/** Lower bounds (inclusive) for each level of a metric that grows worse as it grows. */
export interface LevelThresholds {
  fair: number;
  poor: number;
  bad: number;
}

export interface QualityThresholds {
  /** Samples (newest last) averaged for loss, RTT and jitter, so one outlier does not flip the level. */
  windowSamples: number;
  /** Interval packet loss, percent. */
  lossPercent: LevelThresholds;
  /** Round-trip time, ms. */
  rttMs: LevelThresholds;
  /** An RTT that never drops across `samples` samples and rises by `minRiseMs` is at least 'fair'. */
  rttRise: { samples: number; minRiseMs: number };
  /** Interarrival jitter, ms. */
  jitterMs: LevelThresholds;
  /** ICE 'disconnected' may recover by itself; 'failed' needs an ICE restart. */
  iceDisconnected: QualityLevel;
  iceFailed: QualityLevel;
  /** TURN over TCP/TLS is a working route with extra latency, never worse than this. */
  relayTcp: QualityLevel;
  /** Encoder limited by CPU or by uplink bandwidth estimation. */
  cpuLimited: QualityLevel;
  bandwidthLimited: QualityLevel;
  /** Video had flowed, then no new packet for `samples` sampling intervals. */
  videoStall: { samples: number; severity: QualityLevel };
  /** A received video freeze (freezeCount grew) within the window. */
  freeze: QualityLevel;
}

/** Defaults: common WebRTC monitoring bounds (ITU-T G.114 puts 150 ms one-way as the comfort limit). */
export const QUALITY_THRESHOLDS: Readonly<QualityThresholds> = Object.freeze({
  windowSamples: 3,
  lossPercent: Object.freeze({ fair: 2, poor: 5, bad: 15 }),
  rttMs: Object.freeze({ fair: 150, poor: 300, bad: 600 }),
  rttRise: Object.freeze({ samples: 5, minRiseMs: 100 }),
  jitterMs: Object.freeze({ fair: 30, poor: 50, bad: 100 }),
  iceDisconnected: 'poor',
  iceFailed: 'bad',
  relayTcp: 'fair',
  cpuLimited: 'fair',
  bandwidthLimited: 'fair',
  videoStall: Object.freeze({ samples: 2, severity: 'poor' }),
  freeze: 'fair',
} satisfies QualityThresholds);

/** Default plain-English messages; replace any of them (e.g. for i18n) through `options.messages`. */
export const DEFAULT_QUALITY_MESSAGES: Readonly<Record<DiagnosisCode, string>> = Object.freeze({
  loss: 'Packets are being lost, likely congestion or unstable Wi-Fi. Lower the bitrate or resolution first.',
  rtt: 'The route is slowing down. Prefer a closer path, check TURN, or reduce video.',
  jitter: 'Packets arrive unevenly. Back off the frame rate or bitrate.',
  ice: 'The network route is broken. Check STUN/TURN and firewalls; retrying.',
  'relay-tcp': 'Media is relayed over TCP. Extra latency is expected.',
  cpu: 'The device is the bottleneck. Its processor cannot encode more video.',
  bandwidth: 'Upload bandwidth is limited. Video is sent at lower quality.',
  'no-video': 'Video has stopped flowing.',
  freeze: 'Video froze for a moment.',
});

export interface AssessOptions {
  /** Replaces some or all messages. */
  messages?: Partial<Record<DiagnosisCode, string>>;
  /** Replaces the thresholds (spread {@link QUALITY_THRESHOLDS} to change a few). */
  thresholds?: QualityThresholds;
}

const ORDER: readonly QualityLevel[] = ['good', 'fair', 'poor', 'bad'];

/** Worst of the given levels; 'good' for none. */
export function worstLevel(levels: Iterable<QualityLevel>): QualityLevel {
  let worst: QualityLevel = 'good';
  for (const level of levels) if (ORDER.indexOf(level) > ORDER.indexOf(worst)) worst = level;
  return worst;
}

/** Grades `history` (oldest first, one PeerConnection) and lists what fired, worst first. */
export function assessQuality(history: readonly StatsSample[], options: AssessOptions = {}): QualityAssessment {
  const latest = history.at(-1);
  if (!latest) return { quality: 'good', diagnosis: [] };
  const t = options.thresholds ?? QUALITY_THRESHOLDS;
  const messages = { ...DEFAULT_QUALITY_MESSAGES, ...options.messages };
  const side = sideOf(latest.direction);
  const window = history.slice(-Math.max(1, t.windowSamples));
  const found: Diagnosis[] = [];
  const add = (code: DiagnosisCode, severity: QualityLevel, value?: number) => {
    if (severity === 'good') return;
    const d: Diagnosis = { code, severity, side, message: messages[code] };
    if (value !== undefined) d.value = value;
    found.push(d);
  };

  const loss = mean(window.map((s) => s.lossPercent));
  if (loss !== undefined) add('loss', levelOf(loss, t.lossPercent), loss);

  const rtt = mean(window.map((s) => s.rttMs));
  if (rtt !== undefined) {
    const rising = isRising(
      history.slice(-t.rttRise.samples).map((s) => s.rttMs),
      t.rttRise.samples,
      t.rttRise.minRiseMs,
    );
    add('rtt', worstLevel([levelOf(rtt, t.rttMs), rising ? 'fair' : 'good']), rtt);
  }

  const jitter = mean(window.map((s) => s.jitterMs));
  if (jitter !== undefined) add('jitter', levelOf(jitter, t.jitterMs), jitter);

  if (latest.iceState === 'disconnected') add('ice', t.iceDisconnected);
  if (latest.iceState === 'failed') add('ice', t.iceFailed);

  const pair = latest.candidatePair;
  if (pair?.local === 'relay' && (pair.relayProtocol === 'tcp' || pair.relayProtocol === 'tls')) {
    add('relay-tcp', t.relayTcp);
  }

  if (latest.direction === 'send') {
    const reason = latest.video.qualityLimitationReason;
    if (reason === 'cpu') add('cpu', t.cpuLimited);
    if (reason === 'bandwidth') add('bandwidth', t.bandwidthLimited);
  }

  if (isVideoStalled(history, t.videoStall.samples)) add('no-video', t.videoStall.severity);

  const freezes = window.map((s) => s.video.freezeCount);
  const firstFreezes = freezes[0];
  const lastFreezes = freezes.at(-1);
  if (firstFreezes !== undefined && lastFreezes !== undefined && lastFreezes > firstFreezes) {
    add('freeze', t.freeze, lastFreezes - firstFreezes);
  }

  // Stable sort keeps rule order among equal severities.
  found.sort((a, b) => ORDER.indexOf(b.severity) - ORDER.indexOf(a.severity));
  return { quality: worstLevel(found.map((d) => d.severity)), diagnosis: found };
}

function sideOf(direction: Direction): LinkSide {
  return direction === 'send' ? 'uplink' : direction === 'recv' ? 'downlink' : 'unknown';
}

/** The level of a metric that grows worse as it grows. */
export function levelOf(value: number, t: LevelThresholds): QualityLevel {
  if (value >= t.bad) return 'bad';
  if (value >= t.poor) return 'poor';
  if (value >= t.fair) return 'fair';
  return 'good';
}

function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : undefined;
}

function isRising(values: readonly (number | undefined)[], samples: number, minRise: number): boolean {
  if (values.length < samples || samples < 2) return false;
  const defined = values.filter((v): v is number => v !== undefined);
  if (defined.length !== values.length) return false;
  for (let i = 1; i < defined.length; i++) if (defined[i]! < defined[i - 1]!) return false;
  return defined.at(-1)! - defined[0]! >= minRise;
}

/** True when video had flowed and the packet counter has not moved for `samples` samples. */
function isVideoStalled(history: readonly StatsSample[], samples: number): boolean {
  const recent = history.slice(-(samples + 1));
  if (recent.length < samples + 1 || samples < 1) return false;
  const first = recent[0]!.video.packets;
  return first > 0 && recent.every((s) => s.video.packets === first);
}

/**
 * The quality of HLS playback, from the media buffered ahead of the playhead: segment delivery has
 * no loss or RTT to read, and a buffer running dry is what the viewer sees as stalls.
 */
export function hlsQuality(sample: { buffer: number }): QualityLevel {
  if (sample.buffer >= 1) return 'good';
  if (sample.buffer >= 0.5) return 'fair';
  return sample.buffer > 0 ? 'poor' : 'bad';
}
