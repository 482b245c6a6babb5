/**
 * The skeleton both ladders share (the viewer's downlink, the publisher's uplink): a pure state
 * machine over stats samples that steps one level down on a run of congested samples and one level
 * up on a longer clean run (hysteresis), waits after each step for its effect, probes upwards
 * after a long hold, and backs off a level whose step up failed, a backoff that wears off with time.
 */

/** The moves every ladder makes by itself, beside the congestion inputs that step it down. */
export type OwnTrigger = 'recovered' | 'probe' | 'probe-failed';

export interface StepThresholds {
  /** Congested samples in a row that step down once. */
  downAfter: number;
  /** Clean samples in a row that step up once (times the backoff). */
  upAfter: number;
  /** After a step down, congestion is not judged for this long. */
  holdAfterDownMs: number;
  /** After a step up, what the switch itself causes is not judged for this long. */
  holdAfterUpMs: number;
  /** Without a clean run, probe one step up after this long at one level (times the backoff). */
  probeAfterMs: number;
  /** A step down this soon after a step up means the step up failed: its level's backoff doubles. */
  failWindowMs: number;
  /** The backoff of a level never grows beyond this factor. */
  maxBackoff: number;
  /** A level's backoff halves for every this long without a failed step up into it. */
  backoffDecayMs: number;
}

/**
 * How a sample reads: congested, held (neither congested nor clean), clean, or `wait`: no new
 * evidence (the only sign of trouble is a measurement repeated from an earlier sample), which
 * neither extends nor breaks a congested run, and is not clean.
 */
export type Verdict<T> = { kind: 'congested'; trigger: T } | { kind: 'hold' } | { kind: 'clean' } | { kind: 'wait' };

/**
 * The round-trip time of one sample against a limit. ICE measures RTT every few seconds and stats
 * repeat the last measurement in between: one queue-filled measurement must not count as several
 * congested samples (nor hide that the queue drained after a step down). So only a new
 * measurement (`fresh` true, or unknown) is evidence; a repeated high one is `repeated`.
 */
export function rttReading(
  rttMs: number | undefined,
  fresh: boolean | undefined,
  limitMs: number,
): 'high' | 'repeated' | 'ok' {
  if (rttMs === undefined || rttMs < limitMs) return 'ok';
  return fresh === false ? 'repeated' : 'high';
}

/** One move of a ladder. */
export interface StepChange<L extends string, T extends string, M> {
  level: L;
  previous: L;
  direction: 'up' | 'down';
  trigger: T | OwnTrigger;
  metrics: M;
}

export abstract class StepLadder<L extends string, T extends string, I extends { timestamp?: number | undefined }, M> {
  level: L;
  private congested = 0;
  private clean = 0;
  protected now = 0;
  protected changedAt = 0;
  protected lastChange: StepChange<L, T, M> | undefined;
  /** Per level: how much longer stepping up into it waits, since a step up into it failed at `at`. */
  private readonly backoff = new Map<L, { factor: number; at: number }>();

  constructor(
    protected readonly levels: readonly L[],
    protected readonly steps: StepThresholds,
  ) {
    this.level = levels[0]!;
  }

  /** How the sample reads at the current level. */
  protected abstract judge(sample: I): Verdict<T>;
  /** The measurements a move reports. */
  protected abstract metricsOf(sample: I): M;

  /** Congested samples in a row that step down from the current level. */
  protected downAfter(): number {
    return this.steps.downAfter;
  }

  /** Whether the last move was a step up less than `holdAfterUpMs` ago. */
  protected get justUp(): boolean {
    return this.lastChange?.direction === 'up' && this.now - this.changedAt < this.steps.holdAfterUpMs;
  }

  /** Feeds one sample; returns the move when the level changed, else undefined. */
  observe(sample: I): StepChange<L, T, M> | undefined {
    this.now = sample.timestamp ?? this.now + 1000;
    const t = this.steps;
    const index = this.levels.indexOf(this.level);
    const verdict = this.judge(sample);
    const sinceChange = this.now - this.changedAt;
    if (verdict.kind === 'wait') {
      this.clean = 0;
      return undefined;
    }

    if (verdict.kind === 'congested') {
      this.clean = 0;
      if (this.lastChange?.direction === 'down' && sinceChange < t.holdAfterDownMs) return undefined;
      if (++this.congested < this.downAfter() || index === this.levels.length - 1) return undefined;
      const failedUp = this.lastChange?.direction === 'up' && sinceChange < t.failWindowMs;
      if (failedUp) {
        this.backoff.set(this.level, { factor: Math.min(t.maxBackoff, this.factor(this.level) * 2), at: this.now });
      }
      const trigger = failedUp && this.lastChange?.trigger === 'probe' ? 'probe-failed' : verdict.trigger;
      return this.move(index + 1, 'down', trigger, sample);
    }
    this.congested = 0;
    if (index === 0) {
      this.clean = 0;
      return undefined;
    }
    const factor = this.factor(this.levels[index - 1]!);
    if (verdict.kind === 'clean' && ++this.clean >= t.upAfter * factor) {
      return this.move(index - 1, 'up', 'recovered', sample);
    }
    if (verdict.kind === 'hold') this.clean = 0;
    if (sinceChange >= t.probeAfterMs * factor) return this.move(index - 1, 'up', 'probe', sample);
    return undefined;
  }

  reset(): void {
    this.level = this.levels[0]!;
    this.congested = 0;
    this.clean = 0;
    this.changedAt = this.now;
    this.lastChange = undefined;
    this.backoff.clear();
  }

  /** The backoff of stepping up into `level` now. */
  private factor(level: L): number {
    const backoff = this.backoff.get(level);
    if (!backoff) return 1;
    const halvings = Math.floor((this.now - backoff.at) / this.steps.backoffDecayMs);
    return Math.max(1, backoff.factor / 2 ** halvings);
  }

  private move(index: number, direction: 'up' | 'down', trigger: T | OwnTrigger, sample: I): StepChange<L, T, M> {
    const change: StepChange<L, T, M> = {
      level: this.levels[index]!,
      previous: this.level,
      direction,
      trigger,
      metrics: this.metricsOf(sample),
    };
    this.level = change.level;
    this.congested = 0;
    this.clean = 0;
    this.changedAt = this.now;
    this.lastChange = change;
    return change;
  }
}
