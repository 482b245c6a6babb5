// Types shared by the pure policies (degradation, layer choice) and the machines that apply them,
// so that a policy never imports a state machine.

/** What a viewer receives of a feed: a simulcast layer, or `audio` (video paused at Janus). */
export type Quality = 'high' | 'medium' | 'low' | 'audio';

/** Why the received layer changed. */
export type QualityReason = 'size' | 'visibility' | 'network' | 'manual';

/** The viewer's downlink ladder, top to bottom: each level caps what a feed may receive. */
export const LADDER_LEVELS = ['high', 'medium', 'low', 'low-fps', 'audio'] as const;
export type LadderLevel = (typeof LADDER_LEVELS)[number];

/** `degradation`: `audio-first` lets the ladder step video down (to audio only) and back up; `off` never does. */
export type DegradationMode = 'audio-first' | 'off';

/** What moved the ladder: a congestion input going down; a clean run, a timed probe, or a failed probe. */
export type LadderTrigger =
  'loss' | 'rtt' | 'jitter' | 'freeze' | 'stall' | 'bitrate' | 'slowlink' | 'recovered' | 'probe' | 'probe-failed';

/** The measurements behind a ladder move, as they were in the sample that moved it. */
export interface LadderMetrics {
  lossPercent?: number | undefined;
  rttMs?: number | undefined;
  jitterMs?: number | undefined;
  availableKbps?: number | undefined;
  slowlinkLost?: number | undefined;
}

/** One move of the ladder. */
export interface LadderChange {
  level: LadderLevel;
  previous: LadderLevel;
  direction: 'up' | 'down';
  trigger: LadderTrigger;
  metrics: LadderMetrics;
}

/**
 * The publisher's uplink ladder, top to bottom: every layer; the total bitrate capped; the top
 * simulcast layer dropped; only the low layer; the low layer at a lower frame rate; audio only.
 */
export const UPLINK_LEVELS = ['full', 'capped', 'two-layers', 'one-layer', 'low-fps', 'audio'] as const;
export type UplinkLevel = (typeof UPLINK_LEVELS)[number];

/** What moved the publisher's ladder. */
export type UplinkTrigger =
  'bandwidth' | 'loss' | 'rtt' | 'bitrate' | 'slowlink' | 'recovered' | 'probe' | 'probe-failed';

/** The sender-side measurements behind an uplink move. */
export interface UplinkMetrics {
  lossPercent?: number | undefined;
  rttMs?: number | undefined;
  availableKbps?: number | undefined;
  qualityLimitationReason?: string | undefined;
  slowlinkLost?: number | undefined;
}

/** One move of the publisher's ladder. */
export interface UplinkChange {
  level: UplinkLevel;
  previous: UplinkLevel;
  direction: 'up' | 'down';
  trigger: UplinkTrigger;
  metrics: UplinkMetrics;
}
