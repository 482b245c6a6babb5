import type { DiagnosisCode, QualityLevel } from './quality.js';
import type { Quality } from './types.js';

/**
 * How far a viewer's downlink holds video down, one step at a time: no cap, then at most the
 * medium layer, then the low layer, then audio only. Speech keeps flowing on every step.
 */
export const DOWNLINK_STEPS = ['none', 'medium', 'low', 'audio'] as const;
export type DownlinkStep = (typeof DOWNLINK_STEPS)[number];

/** Samples in a row that move the ladder; stepping up takes longer, so it does not flap. */
export const LADDER_THRESHOLDS = Object.freeze({ downAfter: 2, upAfter: 8 });

/** The diagnosis codes that mean the network towards the viewer is struggling. */
const NETWORK_CODES: readonly DiagnosisCode[] = ['loss', 'rtt', 'jitter', 'freeze'];

/** What the ladder reads from one stats sample. */
export interface LadderInput {
  diagnosis: ReadonlyArray<{ code: DiagnosisCode; severity: QualityLevel }>;
}

/** The worst severity among the network diagnoses of a sample. */
function networkSeverity(sample: LadderInput): QualityLevel {
  const severities = sample.diagnosis.filter((d) => NETWORK_CODES.includes(d.code)).map((d) => d.severity);
  return (['bad', 'poor', 'fair'] as const).find((level) => severities.includes(level)) ?? 'good';
}

/**
 * The audio-first ladder with hysteresis (a pure state machine): `downAfter` samples in a row with
 * poor or bad network diagnoses step down once, `upAfter` in a row without any network diagnosis
 * step up once; fair ones hold. Other diagnoses (cpu, the video we stopped ourselves) do not count.
 */
export class DownlinkLadder {
  step: DownlinkStep = 'none';
  private bad = 0;
  private good = 0;

  constructor(private readonly thresholds = LADDER_THRESHOLDS) {}

  /** Feeds one sample; returns the new step when it changed, else undefined. */
  observe(sample: LadderInput): DownlinkStep | undefined {
    const index = DOWNLINK_STEPS.indexOf(this.step);
    const severity = networkSeverity(sample);
    if (severity === 'poor' || severity === 'bad') {
      this.good = 0;
      if (++this.bad < this.thresholds.downAfter || index === DOWNLINK_STEPS.length - 1) return undefined;
      this.bad = 0;
      return (this.step = DOWNLINK_STEPS[index + 1]!);
    }
    this.bad = 0;
    if (severity === 'fair') {
      this.good = 0;
      return undefined;
    }
    if (++this.good < this.thresholds.upAfter || index === 0) return undefined;
    this.good = 0;
    return (this.step = DOWNLINK_STEPS[index - 1]!);
  }

  reset(): void {
    this.step = 'none';
    this.bad = 0;
    this.good = 0;
  }
}

const ORDER: readonly Quality[] = ['audio', 'low', 'medium', 'high'];

/** The lower of what the tile wants and what the downlink allows. */
export function capQuality(wanted: Quality, step: DownlinkStep): Quality {
  if (step === 'none') return wanted;
  return ORDER[Math.min(ORDER.indexOf(wanted), ORDER.indexOf(step))]!;
}
