import { StepLadder, rttReading, type OwnTrigger, type StepThresholds, type Verdict } from './ladder.js';
import { UPLINK_LEVELS, type UplinkChange, type UplinkLevel, type UplinkMetrics, type UplinkTrigger } from './types.js';

export { UPLINK_LEVELS, type UplinkChange, type UplinkLevel } from './types.js';

/**
 * Tuning of the publisher's ladder. Chromium already lowers the encoders under a congested uplink
 * (`qualityLimitationReason: bandwidth`); the ladder decides what to shed in which order, so that
 * audio is never what gets cut: fewer layers first, then frames, then video.
 */
export const UPLINK_THRESHOLDS = Object.freeze({
  downAfter: 2,
  upAfter: 6,
  holdAfterDownMs: 3000,
  holdAfterUpMs: 4000,
  probeAfterMs: 20000,
  failWindowMs: 8000,
  maxBackoff: 8,
  backoffDecayMs: 60000,
  /** Loss reported by Janus in RTCP (percent) that counts as congestion. */
  lossPercent: 10,
  /** Round-trip time (ms) that counts as congestion. */
  rttMs: 300,
  /** A Janus uplink slowlink with at least this many lost packets counts as congestion. */
  slowlinkLost: 20,
  /** What each level sends (kbit/s, video and audio), compared with the available outgoing bitrate. */
  levelKbps: Object.freeze({ full: 1800, capped: 1000, 'two-layers': 500, 'one-layer': 200, 'low-fps': 110, audio: 0 }),
} satisfies StepThresholds & Record<string, unknown>);
export type UplinkThresholds = typeof UPLINK_THRESHOLDS;

/** What the publisher's ladder reads from one sender-side sample. */
export interface UplinkInput {
  timestamp?: number;
  /** The video encoder's limitation, from outbound-rtp (`bandwidth`, `cpu`, `none`, ...). */
  qualityLimitationReason?: string | undefined;
  /** Loss Janus reported for what we send (RTCP, remote-inbound-rtp). */
  lossPercent?: number | undefined;
  rttMs?: number | undefined;
  /** Whether `rttMs` was measured since the previous sample (see {@link rttReading}). */
  rttFresh?: boolean | undefined;
  /** The congestion controller's estimate (candidate-pair `availableOutgoingBitrate`), kbit/s. */
  availableKbps?: number | undefined;
  /** Janus `slowlink` reports since the previous sample (`uplink` true: lost on their way to Janus). */
  slowLinks?: ReadonlyArray<{ uplink: boolean; lost: number }> | undefined;
}

/**
 * The publisher's audio-first ladder (pure): sheds the total bitrate, the top layer, the middle
 * layer, frames, then video, and restores them in reverse, with the shared hysteresis, hold times,
 * probes and backoff of {@link StepLadder}. A CPU-limited encoder is no reason to shed anything
 * for the network, and it holds the ladder instead of counting as clean.
 */
export class UplinkLadder extends StepLadder<
  UplinkLevel,
  Exclude<UplinkTrigger, OwnTrigger>,
  UplinkInput,
  UplinkMetrics
> {
  constructor(private readonly thresholds: UplinkThresholds = UPLINK_THRESHOLDS) {
    super(UPLINK_LEVELS, thresholds);
  }

  override observe(sample: UplinkInput): UplinkChange | undefined {
    return super.observe(sample);
  }

  protected override judge(sample: UplinkInput): Verdict<Exclude<UplinkTrigger, OwnTrigger>> {
    const t = this.thresholds;
    const lost = uplinkLost(sample);
    if (lost >= t.slowlinkLost) return { kind: 'congested', trigger: 'slowlink' };
    if ((sample.lossPercent ?? 0) >= t.lossPercent) return { kind: 'congested', trigger: 'loss' };
    const rtt = rttReading(sample.rttMs, sample.rttFresh, t.rttMs);
    if (rtt === 'high') return { kind: 'congested', trigger: 'rtt' };
    // The estimate grows only with what is sent: an encoder that sends little (few layers, a low
    // frame rate, just after a step up) keeps it low on a link with room to spare. So a low
    // estimate is congestion only while the encoder says bandwidth holds it back (or says nothing).
    const need = t.levelKbps[this.level];
    const reason = sample.qualityLimitationReason;
    const squeezed = reason === undefined || reason === 'bandwidth';
    const low = sample.availableKbps !== undefined && need > 0 && sample.availableKbps < need;
    if (!this.justUp && squeezed && low) {
      return { kind: 'congested', trigger: 'bitrate' };
    }
    // At audio only there is no encoder to be limited; after a step up it ramps up by itself.
    const video = this.level !== 'audio' && !this.justUp;
    if (video && sample.qualityLimitationReason === 'bandwidth') return { kind: 'congested', trigger: 'bandwidth' };
    if (rtt === 'repeated') return { kind: 'wait' };
    if (sample.qualityLimitationReason === 'cpu' || (sample.lossPercent ?? 0) >= 2) return { kind: 'hold' };
    // Stepping up needs room for the next level, where the browser says how much room there is.
    const next = UPLINK_LEVELS[UPLINK_LEVELS.indexOf(this.level) - 1];
    if (next && sample.availableKbps !== undefined && sample.availableKbps < t.levelKbps[next]) return { kind: 'hold' };
    return { kind: 'clean' };
  }

  protected override metricsOf(sample: UplinkInput): UplinkMetrics {
    const metrics: UplinkMetrics = {};
    if (sample.lossPercent !== undefined) metrics.lossPercent = Math.round(sample.lossPercent * 10) / 10;
    if (sample.rttMs !== undefined) metrics.rttMs = Math.round(sample.rttMs);
    if (sample.availableKbps !== undefined) metrics.availableKbps = Math.round(sample.availableKbps);
    if (sample.qualityLimitationReason !== undefined) metrics.qualityLimitationReason = sample.qualityLimitationReason;
    const lost = uplinkLost(sample);
    if (lost > 0) metrics.slowlinkLost = lost;
    return metrics;
  }
}

function uplinkLost(sample: UplinkInput): number {
  return (sample.slowLinks ?? []).filter((s) => s.uplink).reduce((sum, s) => sum + s.lost, 0);
}

/** The top layer a publisher sends at a level (what a viewer can receive at most). */
export function topLayerAt(level: UplinkLevel): 'high' | 'medium' | 'low' | 'audio' {
  if (level === 'audio') return 'audio';
  if (level === 'one-layer' || level === 'low-fps') return 'low';
  return level === 'two-layers' ? 'medium' : 'high';
}

/** One simulcast encoding as `RTCRtpSender.setParameters` takes it (rid `h`, `m`, `l` as janus.js names them). */
export interface EncodingPlan {
  rid: 'h' | 'm' | 'l';
  active: boolean;
  maxBitrate?: number;
  maxFramerate?: number;
}

/**
 * What each encoding sends at a level, given the publisher's own bitrate ceiling (`max-bitrate`,
 * bps, 0 = none) and frame rate. Audio is not in the plan: it is never touched.
 */
export function encodingsFor(
  level: UplinkLevel,
  options: { maxBitrate?: number; frameRate?: number } = {},
): EncodingPlan[] {
  const frameRate = options.frameRate ?? 30;
  const cap = (bps: number) => (options.maxBitrate ? Math.min(bps, options.maxBitrate) : bps);
  const on = { h: true, m: true, l: true };
  if (level === 'two-layers') on.h = false;
  if (level === 'one-layer' || level === 'low-fps') on.h = on.m = false;
  if (level === 'audio') on.h = on.m = on.l = false;
  // Capped: the top layer gets about half of what it would take, which is most of the total.
  const limit = (rid: EncodingPlan['rid']) => (rid === 'h' && level === 'capped' ? cap(600_000) : options.maxBitrate);
  const plan = (['h', 'm', 'l'] as const).map((rid) => {
    const encoding: EncodingPlan = { rid, active: on[rid] };
    const maxBitrate = limit(rid);
    if (maxBitrate) encoding.maxBitrate = maxBitrate;
    return encoding;
  });
  if (level === 'low-fps') plan[2]!.maxFramerate = Math.max(1, Math.min(10, Math.round(frameRate / 3)));
  return plan;
}
