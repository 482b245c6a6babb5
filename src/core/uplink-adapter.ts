import { videoSender } from './media.js';
import type { LiveStatsSample } from './stats-sampler.js';
import type { UplinkChange, UplinkLevel } from './types.js';
import { UPLINK_THRESHOLDS, UplinkLadder, encodingsFor, type UplinkInput } from './uplink-degradation.js';

export { topLayerAt } from './uplink-degradation.js';

/** What the adapter drives: the publishing PeerConnection's video sender, and the room. */
export interface UplinkTarget {
  /** The publishing PeerConnection, while there is one. */
  readonly pc: RTCPeerConnection | undefined;
  /** Tells the room that video stopped on purpose (audio only), or resumed. */
  announceVideoPaused(paused: boolean): Promise<void>;
}

export interface UplinkOptions {
  /** The publisher's own bitrate ceiling (bps, `max-bitrate`; 0 or undefined: none). */
  maxBitrate?: number | undefined;
  /** The capture frame rate. */
  frameRate?: number | undefined;
}

/**
 * Chromium's bandwidth estimate starts low and ramps up over the first seconds of a connection:
 * the encoder reads `bandwidth`-limited then on any link. The ladder is not fed until the encoder
 * is no longer limited, or this long after the first sample of a connection.
 */
export const RAMP_UP_MS = 8000;

/** What one encoding was sending before the ladder touched it, to restore it. */
interface Original {
  maxBitrate?: number | undefined;
  maxFramerate?: number | undefined;
}

/**
 * The publisher's uplink ladder applied to its sender: feeds send-side stats samples (encoder
 * limitation, RTCP loss and RTT, available outgoing bitrate, Janus uplink slowlinks) to an
 * {@link UplinkLadder} and turns each move into `RTCRtpSender.setParameters`: a lower bitrate,
 * fewer simulcast encodings, a lower frame rate, no video at all (announced to the room), and back
 * in reverse. Audio is never touched. No Lit, no timers: its owner feeds it samples.
 */
export class UplinkAdapter {
  private readonly ladder = new UplinkLadder();
  /** The connection (see {@link LiveStatsSample.connection}) the ladder is judging, and when it began. */
  private connection: number | undefined;
  private rampUntil = 0;
  private rampedUp = false;
  private originals = new Map<string, Original>();
  private announced = false;
  /** Moves are applied one after the other: setParameters must see the previous one's result. */
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: UplinkTarget,
    private readonly options: () => UplinkOptions,
  ) {}

  /** The ladder's level (`full` when nothing is shed). */
  get level(): UplinkLevel {
    return this.ladder.level;
  }

  /** Feeds one sample of the publishing PeerConnection; returns the move when the level changed. */
  observe(sample: LiveStatsSample): UplinkChange | undefined {
    if (sample.connection !== this.connection) {
      // A new PeerConnection (a new publication) starts with every encoding as published, undescribed.
      this.connection = sample.connection;
      this.ladder.reset();
      this.originals.clear();
      this.announced = false;
      this.rampedUp = false;
      this.rampUntil = sample.timestamp + RAMP_UP_MS;
    }
    if (!this.rampedUp) {
      const limited = sample.video.qualityLimitationReason === 'bandwidth';
      if (limited && sample.timestamp < this.rampUntil) return undefined;
      this.rampedUp = true;
    }
    const change = this.ladder.observe(uplinkInput(sample));
    if (change) void this.queue(change.level);
    return change;
  }

  /** Restores everything the ladder shed (the policy was turned off) and forgets the connection. */
  async reset(): Promise<void> {
    const shed = this.ladder.level !== 'full';
    this.ladder.reset();
    this.connection = undefined;
    if (shed) await this.queue('full');
    this.originals.clear();
  }

  /** Applies a level after the moves before it; a failure (a closed PeerConnection) is dropped. */
  private queue(level: UplinkLevel): Promise<void> {
    this.applying = this.applying.then(() => this.apply(level)).catch(() => {});
    return this.applying;
  }

  private async apply(level: UplinkLevel): Promise<void> {
    const paused = level === 'audio';
    // Announced before the video stops, so viewers never take the stop for a frozen network.
    if (paused && !this.announced) {
      this.announced = true;
      await this.target.announceVideoPaused(true).catch(() => {});
    }
    const sender = videoSender(this.target.pc);
    if (sender) await this.setEncodings(sender, level);
    if (!paused && this.announced) {
      this.announced = false;
      await this.target.announceVideoPaused(false).catch(() => {});
    }
  }

  private async setEncodings(sender: RTCRtpSender, level: UplinkLevel): Promise<void> {
    const parameters = sender.getParameters();
    const encodings = parameters.encodings ?? [];
    if (encodings.length === 0) return;
    const plan = encodingsFor(level, this.options());
    encodings.forEach((encoding, index) => {
      const key = encoding.rid ?? String(index);
      if (!this.originals.has(key)) {
        this.originals.set(key, { maxBitrate: encoding.maxBitrate, maxFramerate: encoding.maxFramerate });
      }
      const original = this.originals.get(key)!;
      // One encoding (no simulcast): the level's budget caps it, and it stops only at audio only.
      const planned =
        encodings.length > 1
          ? plan.find((p) => p.rid === encoding.rid)
          : {
              active: level !== 'audio',
              maxBitrate: singleBitrate(level),
              maxFramerate: plan.find((p) => p.rid === 'l')?.maxFramerate,
            };
      if (!planned) return;
      encoding.active = planned.active;
      const bitrate = [original.maxBitrate, planned.maxBitrate].filter((b): b is number => b !== undefined);
      if (bitrate.length > 0) encoding.maxBitrate = Math.min(...bitrate);
      else delete encoding.maxBitrate;
      const framerate = planned.maxFramerate ?? original.maxFramerate;
      if (framerate !== undefined) encoding.maxFramerate = framerate;
      else delete encoding.maxFramerate;
    });
    await sender.setParameters(parameters);
  }
}

/** What a single (non-simulcast) encoding may send at a level, in bps: the level's budget less audio. */
function singleBitrate(level: UplinkLevel): number | undefined {
  if (level === 'full' || level === 'audio') return undefined;
  return Math.max(50, UPLINK_THRESHOLDS.levelKbps[level] - 40) * 1000;
}

/** The uplink ladder's view of a send-side sample. */
export function uplinkInput(sample: LiveStatsSample): UplinkInput {
  return {
    timestamp: sample.timestamp,
    qualityLimitationReason: sample.video.qualityLimitationReason,
    lossPercent: sample.lossPercent,
    rttMs: sample.rttMs,
    rttFresh: sample.rttFresh,
    availableKbps: sample.availableOutgoingKbps,
    slowLinks: sample.slowLinks,
  };
}
