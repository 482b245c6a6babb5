import { StepLadder, rttReading, type OwnTrigger, type Verdict } from './ladder.js';
import type { DiagnosisCode, QualityLevel } from './quality.js';
import {
  LADDER_LEVELS,
  type LadderChange,
  type LadderLevel,
  type LadderMetrics,
  type LadderTrigger,
  type Quality,
} from './types.js';

export { LADDER_LEVELS, type LadderChange, type LadderLevel } from './types.js';

/**
 * Tuning of the ladder. Stepping up takes a longer clean run than stepping down takes congestion
 * (hysteresis); after a step down the ladder waits for the new layer to arrive and the queues to
 * drain before judging again (layer switches under loss took 1-6 s); a level that is merely lossy
 * is probed upwards now and then. A step up that fails doubles the wait for that level only, and
 * the doubling wears off with time: a marginal link is retried about once a minute, while a link
 * that recovered is not held back by what failed minutes ago.
 */
export const LADDER_THRESHOLDS = Object.freeze({
  /** Congested samples in a row that step down once. */
  downAfter: 2,
  /** Congested samples in a row that step from low-fps to audio only: the last video is worth more evidence. */
  audioAfter: 3,
  /** Loss (percent, averaged) that takes video away altogether: random loss alone rarely reaches it. */
  audioLossPercent: 35,
  /** Clean samples in a row that step up once (times the backoff). */
  upAfter: 6,
  /** After a step down, congestion is not judged for this long. */
  holdAfterDownMs: 2500,
  /** After a step up, stalls, freezes and jitter are not judged for this long: the switch itself causes them. */
  holdAfterUpMs: 6000,
  /**
   * After a step down, freezes are not judged for this long: the switch itself freezes the picture
   * while Janus waits for the new layer's keyframe (1-6 s under loss), which is no evidence that
   * the new layer is too much.
   */
  freezeAfterDownMs: 6000,
  /** Without a clean run, probe one step up after this long at one level (times the backoff). */
  probeAfterMs: 20000,
  /** A step down this soon after a step up means the step up failed: the backoff doubles. */
  failWindowMs: 8000,
  /** The backoff of a level never grows beyond this factor. */
  maxBackoff: 8,
  /** A level's backoff halves for every this long without a failed step up into it. */
  backoffDecayMs: 60000,
  /** A Janus downlink slowlink with at least this many lost packets counts as congestion. */
  slowlinkLost: 20,
  /** A newly measured round-trip time (ms) at or above this counts as congestion (quality's "poor"). */
  rttMs: 300,
  /** What each level needs (kbit/s, video and audio), compared with the estimated available bitrate. */
  levelKbps: Object.freeze({ high: 1200, medium: 450, low: 160, 'low-fps': 90, audio: 0 }),
});
export type LadderThresholds = typeof LADDER_THRESHOLDS;

/** What the ladder reads from one stats sample. */
export interface LadderInput {
  /** Sample time (ms); without it samples count as one second apart. */
  timestamp?: number;
  diagnosis: ReadonlyArray<{ code: DiagnosisCode; severity: QualityLevel; value?: number | undefined }>;
  lossPercent?: number | undefined;
  rttMs?: number | undefined;
  /** Whether `rttMs` was measured since the previous sample (see {@link rttReading}). */
  rttFresh?: boolean | undefined;
  jitterMs?: number | undefined;
  /** An estimate of the bitrate the downlink can carry (kbit/s), where the browser gives one. */
  availableKbps?: number | undefined;
  /** Janus `slowlink` reports since the previous sample. */
  slowLinks?: ReadonlyArray<{ uplink: boolean; lost: number }> | undefined;
}

/** The inputs that step the downlink ladder down. */
type CongestionTrigger = Exclude<LadderTrigger, OwnTrigger>;

const SEVERE: readonly QualityLevel[] = ['poor', 'bad'];

/**
 * The audio-first downlink ladder (a pure state machine over stats samples): high, medium, low,
 * low at the lowest temporal layer, audio only, and back up one step at a time.
 *
 * Congestion (freezes, stalls, poor RTT or jitter, heavy loss, a Janus slowlink, too little
 * available bitrate) steps down. Moderate loss alone holds: random loss does not shrink with the
 * layer, so stepping down for it would end in audio only on a link that carries video fine.
 * Audio only needs stronger evidence than a freeze or jitter, which loss alone can cause.
 */
export class DownlinkLadder extends StepLadder<LadderLevel, CongestionTrigger, LadderInput, LadderMetrics> {
  constructor(private readonly thresholds: LadderThresholds = LADDER_THRESHOLDS) {
    super(LADDER_LEVELS, thresholds);
  }

  /** Feeds one sample; returns the move when the level changed, else undefined. */
  override observe(sample: LadderInput): LadderChange | undefined {
    return super.observe(sample);
  }

  protected override downAfter(): number {
    return this.level === 'low-fps' ? this.thresholds.audioAfter : this.thresholds.downAfter;
  }

  protected override metricsOf(sample: LadderInput): LadderMetrics {
    return metricsOf(sample);
  }

  protected override judge(sample: LadderInput): Verdict<CongestionTrigger> {
    const t = this.thresholds;
    const severity = (code: DiagnosisCode) => sample.diagnosis.find((d) => d.code === code)?.severity ?? 'good';
    const toAudio = this.level === 'low-fps';
    const justUp = this.justUp;
    // The video we stopped ourselves (audio only), or whose new layer is still on its way, is no stall.
    if (this.level !== 'audio' && !justUp && SEVERE.includes(severity('no-video'))) {
      return { kind: 'congested', trigger: 'stall' };
    }
    const loss = sample.diagnosis.find((d) => d.code === 'loss');
    const heavy = toAudio ? (loss?.value ?? sample.lossPercent ?? 0) >= t.audioLossPercent : loss?.severity === 'bad';
    if (loss && heavy) return { kind: 'congested', trigger: 'loss' };
    // The sample's own RTT, not the diagnosis' average, which mixes in repeated measurements.
    const rtt =
      sample.rttMs === undefined
        ? SEVERE.includes(severity('rtt'))
          ? 'high'
          : 'ok'
        : rttReading(sample.rttMs, sample.rttFresh, t.rttMs);
    if (rtt === 'high') return { kind: 'congested', trigger: 'rtt' };
    const lost = (sample.slowLinks ?? []).filter((s) => !s.uplink).reduce((sum, s) => sum + s.lost, 0);
    if (lost >= t.slowlinkLost) return { kind: 'congested', trigger: 'slowlink' };
    const need = t.levelKbps[this.level];
    if (sample.availableKbps !== undefined && need > 0 && sample.availableKbps < need) {
      return { kind: 'congested', trigger: 'bitrate' };
    }
    if (!toAudio && this.level !== 'audio' && !justUp) {
      if (SEVERE.includes(severity('jitter'))) return { kind: 'congested', trigger: 'jitter' };
      // A freeze on a link without loss, delay or jitter is the device's (decoder, CPU): it holds.
      const linkTrouble = (['loss', 'rtt', 'jitter'] as const).some((code) => severity(code) !== 'good');
      const switching = this.lastChange?.direction === 'down' && this.now - this.changedAt < t.freezeAfterDownMs;
      if (severity('freeze') !== 'good' && linkTrouble && !switching) return { kind: 'congested', trigger: 'freeze' };
    }
    if (rtt === 'repeated') return { kind: 'wait' };
    // What the switch itself causes is not judged, but it is no evidence of a clean link either.
    if (justUp && (['no-video', 'freeze'] as const).some((code) => severity(code) !== 'good')) return { kind: 'hold' };
    const network: DiagnosisCode[] = ['loss', 'rtt', 'jitter', 'freeze'];
    if (network.some((code) => severity(code) !== 'good')) return { kind: 'hold' };
    return { kind: 'clean' };
  }
}

function metricsOf(sample: LadderInput): LadderMetrics {
  const metrics: LadderMetrics = {};
  if (sample.lossPercent !== undefined) metrics.lossPercent = round(sample.lossPercent);
  if (sample.rttMs !== undefined) metrics.rttMs = round(sample.rttMs);
  if (sample.jitterMs !== undefined) metrics.jitterMs = round(sample.jitterMs);
  if (sample.availableKbps !== undefined) metrics.availableKbps = round(sample.availableKbps);
  const lost = (sample.slowLinks ?? []).filter((s) => !s.uplink).reduce((sum, s) => sum + s.lost, 0);
  if (lost > 0) metrics.slowlinkLost = lost;
  return metrics;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

const ORDER: readonly Quality[] = ['audio', 'low', 'medium', 'high'];

/** What a feed receives under a ladder level: the lower of what it wants and what the level allows. */
export function capQuality(wanted: Quality, level: LadderLevel): { quality: Quality; temporal: 0 | 1 | 2 } {
  const allowed: Quality = level === 'low-fps' ? 'low' : level;
  const quality = ORDER[Math.min(ORDER.indexOf(wanted), ORDER.indexOf(allowed))]!;
  return { quality, temporal: level === 'low-fps' && quality === 'low' ? 0 : 2 };
}
