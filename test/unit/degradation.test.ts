import { expect } from '@open-wc/testing';
import {
  DownlinkLadder,
  LADDER_LEVELS,
  LADDER_THRESHOLDS,
  capQuality,
  type LadderChange,
  type LadderInput,
} from '../../src/core/degradation.js';
import type { LadderLevel } from '../../src/core/types.js';

const good: LadderInput = { diagnosis: [] };
/** Queues building up: the RTT climbs. */
const congested: LadderInput = { diagnosis: [{ code: 'rtt', severity: 'poor' }], rttMs: 420 };
/** Random loss that does not shrink with the layer. */
const lossy: LadderInput = { diagnosis: [{ code: 'loss', severity: 'poor' }], lossPercent: 10 };
const heavyLoss: LadderInput = { diagnosis: [{ code: 'loss', severity: 'bad', value: 40 }], lossPercent: 40 };
/** Bad loss, yet short of what takes video away altogether. */
const badLoss: LadderInput = { diagnosis: [{ code: 'loss', severity: 'bad', value: 18 }], lossPercent: 18 };
const fair: LadderInput = { diagnosis: [{ code: 'jitter', severity: 'fair' }] };
/** Freezes on a link that loses a few packets. */
const frozen: LadderInput = {
  diagnosis: [
    { code: 'freeze', severity: 'fair' },
    { code: 'loss', severity: 'fair' },
  ],
};
const jittery: LadderInput = { diagnosis: [{ code: 'jitter', severity: 'poor' }] };
const stopped: LadderInput = {
  diagnosis: [
    { code: 'cpu', severity: 'fair' },
    { code: 'no-video', severity: 'poor' },
  ],
};

/** Feeds samples one second apart (the sampler's default interval). */
class Feeder {
  now = 0;
  constructor(readonly ladder = new DownlinkLadder()) {}
  feed(sample: LadderInput, times: number): Array<LadderChange | undefined> {
    return Array.from({ length: times }, () => this.ladder.observe({ ...sample, timestamp: (this.now += 1000) }));
  }
  /** Feeds until the ladder reaches `level` (at most `limit` samples); returns the samples it took. */
  until(sample: LadderInput, level: LadderLevel, limit = 120): number {
    for (let i = 1; i <= limit; i++) {
      this.feed(sample, 1);
      if (this.ladder.level === level) return i;
    }
    throw new Error(`never reached ${level} (at ${this.ladder.level})`);
  }
}

const changes = (list: Array<LadderChange | undefined>) => list.filter((c): c is LadderChange => c !== undefined);

describe('DownlinkLadder', () => {
  it('steps down one level per run of congested samples, to audio only and no further', () => {
    const f = new Feeder();
    const { downAfter, holdAfterDownMs } = LADDER_THRESHOLDS;
    expect(f.feed(congested, downAfter - 1).every((c) => c === undefined)).to.equal(true);
    const first = f.feed(congested, 1)[0];
    expect(first).to.deep.include({ level: 'medium', previous: 'high', direction: 'down', trigger: 'rtt' });
    expect(first?.metrics).to.deep.equal({ rttMs: 420 });
    const rest = changes(f.feed(congested, 40));
    expect(rest.map((c) => c.level)).to.deep.equal(['low', 'low-fps', 'audio']);
    expect(f.ladder.level).to.equal('audio');
    // Each step waited out the hold time and then a new run of congested samples.
    const perStep = Math.ceil(holdAfterDownMs / 1000) + downAfter - 1;
    expect(changes(f.feed(congested, perStep * 3))).to.deep.equal([]);
  });

  it('waits out the hold time after a step down before judging congestion again', () => {
    const f = new Feeder();
    f.until(congested, 'medium');
    const holdSamples = Math.floor(LADDER_THRESHOLDS.holdAfterDownMs / 1000);
    expect(changes(f.feed(congested, holdSamples))).to.deep.equal([]);
    expect(f.ladder.level).to.equal('medium');
    expect(changes(f.feed(congested, LADDER_THRESHOLDS.downAfter)).map((c) => c.level)).to.deep.equal(['low']);
  });

  it('counts one RTT measurement once: a repeated high RTT neither steps down nor breaks a run', () => {
    const f = new Feeder();
    const measured: LadderInput = { ...lossy, rttMs: 450, rttFresh: true };
    const repeated: LadderInput = { ...lossy, rttMs: 450, rttFresh: false };
    // ICE measures RTT every few seconds: one queue-filled measurement repeated is no congestion run.
    expect(changes([...f.feed(measured, 1), ...f.feed(repeated, 5)])).to.deep.equal([]);
    // Two new measurements with repeats between them are.
    expect(changes(f.feed(measured, 1)).map((c) => [c.level, c.trigger])).to.deep.equal([['medium', 'rtt']]);
    // A repeated high RTT is no clean sample either (no step up); a new low one is no congestion,
    // though the diagnosis' average over repeated values still reads poor (no step down).
    f.feed(repeated, 10);
    expect(f.ladder.level).to.equal('medium');
    const cleared: LadderInput = { diagnosis: [{ code: 'rtt', severity: 'poor' }], rttMs: 40, rttFresh: true };
    expect(changes(f.feed(cleared, LADDER_THRESHOLDS.upAfter)).map((c) => c.level)).to.deep.equal([]);
  });

  it('steps back up one level at a time, only after a longer run of clean samples (hysteresis)', () => {
    const f = new Feeder();
    f.until(congested, 'low');
    const { upAfter } = LADDER_THRESHOLDS;
    expect(f.feed(good, upAfter - 1).every((c) => c === undefined)).to.equal(true);
    expect(f.feed(good, 1)[0]).to.deep.include({ level: 'medium', direction: 'up', trigger: 'recovered' });
    expect(changes(f.feed(good, upAfter)).map((c) => c.level)).to.deep.equal(['high']);
    expect(changes(f.feed(good, upAfter * 5))).to.deep.equal([]);
  });

  it('does not flap when congested and clean samples alternate', () => {
    const f = new Feeder();
    const moves = Array.from({ length: 60 }, (_, i) => f.feed(i % 2 ? good : congested, 1)[0]).filter(Boolean);
    expect(moves).to.deep.equal([]);
    expect(f.ladder.level).to.equal('high');
  });

  it('holds on fair samples and on moderate random loss: neither steps down nor counts as clean', () => {
    const f = new Feeder();
    f.until(congested, 'medium');
    // Alternating with clean samples, so no clean run ever completes; fewer than a probe waits for.
    for (let i = 0; i < 2; i++) {
      expect(
        changes([...f.feed(good, LADDER_THRESHOLDS.upAfter - 1), ...f.feed(i % 2 ? fair : lossy, 1)]),
      ).to.deep.equal([]);
    }
    expect(f.ladder.level).to.equal('medium');
  });

  it('steps down on heavy loss, a Janus downlink slowlink, too little available bitrate, freezes and jitter', () => {
    const trigger = (sample: LadderInput) => new Feeder().feed(sample, LADDER_THRESHOLDS.downAfter).at(-1)?.trigger;
    expect(trigger(heavyLoss)).to.equal('loss');
    expect(trigger({ diagnosis: [], slowLinks: [{ uplink: false, lost: 40 }] })).to.equal('slowlink');
    expect(trigger({ diagnosis: [], slowLinks: [{ uplink: true, lost: 400 }] })).to.equal(undefined);
    expect(trigger({ diagnosis: [], availableKbps: 300 })).to.equal('bitrate');
    expect(trigger({ diagnosis: [], availableKbps: 5000 })).to.equal(undefined);
    expect(trigger(frozen)).to.equal('freeze');
    expect(trigger(jittery)).to.equal('jitter');
    const slow = new Feeder().feed({ diagnosis: [], slowLinks: [{ uplink: false, lost: 40 }] }, 2).at(-1);
    expect(slow?.metrics).to.deep.equal({ slowlinkLost: 40 });
  });

  it('does not take the freeze of its own step down (the new layer’s keyframe on its way) for congestion', () => {
    const f = new Feeder();
    f.until(congested, 'medium');
    const settle = LADDER_THRESHOLDS.freezeAfterDownMs / 1000;
    expect(changes(f.feed(frozen, settle - 1))).to.deep.equal([]);
    // Freezes that outlast the switch still step down.
    expect(changes(f.feed(frozen, 3)).map((c) => [c.level, c.trigger])).to.deep.equal([['low', 'freeze']]);
  });

  it('goes from low-fps to audio only on congestion, not on freezes or jitter that loss alone causes', () => {
    const f = new Feeder();
    f.until(congested, 'low-fps');
    // Fewer samples than a probe waits for: only the judgement of freezes and jitter is under test.
    expect(changes(f.feed(frozen, 10))).to.deep.equal([]);
    expect(changes(f.feed(jittery, 8))).to.deep.equal([]);
    expect(changes(new Feeder().feed(badLoss, 2)).map((c) => c.level)).to.deep.equal(['medium']);
    const lossy18 = new Feeder();
    lossy18.until(congested, 'low-fps');
    expect(changes(lossy18.feed(badLoss, 10))).to.deep.equal([]);
    const down = new Feeder();
    down.until(congested, 'low-fps');
    expect(changes(down.feed(heavyLoss, LADDER_THRESHOLDS.audioAfter + 2))).to.have.length(1);
    expect(down.ladder.level).to.equal('audio');
  });

  it('holds on a freeze without loss, delay or jitter (the device, not the link)', () => {
    const f = new Feeder();
    expect(changes(f.feed({ diagnosis: [{ code: 'freeze', severity: 'fair' }] }, 10))).to.deep.equal([]);
    expect(f.ladder.level).to.equal('high');
  });

  it('comes back from audio only: the video it stopped itself (no-video) and cpu do not count', () => {
    const f = new Feeder();
    f.until(congested, 'audio');
    expect(changes(f.feed(stopped, LADDER_THRESHOLDS.upAfter)).map((c) => c.level)).to.deep.equal(['low-fps']);
  });

  it('does not take the stall of a layer that is still arriving right after a step up for congestion', () => {
    const f = new Feeder();
    f.until(congested, 'audio');
    f.until(good, 'low-fps');
    const holdSamples = Math.floor(LADDER_THRESHOLDS.holdAfterUpMs / 1000) - 1;
    expect(changes(f.feed(stopped, holdSamples))).to.deep.equal([]);
    expect(f.ladder.level).to.equal('low-fps');
  });

  it('probes one level up after a long hold on a lossy link, and backs off when the probe fails', () => {
    const f = new Feeder();
    f.until(congested, 'low');
    const { probeAfterMs } = LADDER_THRESHOLDS;
    const probe = changes(f.feed(lossy, probeAfterMs / 1000)).at(-1);
    expect(probe).to.deep.include({ level: 'medium', direction: 'up', trigger: 'probe' });
    const failed = changes(f.feed(congested, LADDER_THRESHOLDS.downAfter)).at(-1);
    expect(failed).to.deep.include({ level: 'low', direction: 'down', trigger: 'probe-failed' });
    // The next probe waits twice as long.
    expect(changes(f.feed(lossy, probeAfterMs / 1000))).to.deep.equal([]);
    expect(changes(f.feed(lossy, probeAfterMs / 1000)).map((c) => c.trigger)).to.deep.equal(['probe']);
  });

  it('on a link that carries only the low layer, retries upwards less and less often (no flapping)', () => {
    const f = new Feeder();
    const ups: number[] = [];
    for (let second = 0; second < 600; second++) {
      // Medium and above congest this link; low and below pass cleanly.
      const level = f.ladder.level;
      const sample = level === 'high' || level === 'medium' ? congested : good;
      const change = f.feed(sample, 1)[0];
      if (change?.direction === 'up') ups.push(second);
    }
    expect(f.ladder.level).to.equal('low');
    const gaps = ups.slice(1).map((at, i) => at - ups[i]!);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).to.be.at.least(gaps[i - 1]!);
    // Once the backoff reached its ceiling: about one retry a minute, not one every few seconds.
    expect(gaps.at(-1)).to.be.at.least(45);
    expect(ups.length).to.be.at.most(14);
    // At the ceiling of the backoff it still retries, so it always recovers when the link does.
    expect(ups.at(-1)).to.be.above(400);
  });

  it('comes back to the top after the network recovers, whatever level it reached', () => {
    for (const level of LADDER_LEVELS.slice(1)) {
      const f = new Feeder();
      f.until(congested, level);
      f.until(good, 'high', 60);
      expect(changes(f.feed(good, 60))).to.deep.equal([]);
    }
  });

  it('caps what a tile wants by the level; low-fps is the low layer at temporal layer 0', () => {
    expect(capQuality('high', 'high')).to.deep.equal({ quality: 'high', temporal: 2 });
    expect(capQuality('high', 'medium')).to.deep.equal({ quality: 'medium', temporal: 2 });
    expect(capQuality('low', 'medium')).to.deep.equal({ quality: 'low', temporal: 2 });
    expect(capQuality('high', 'low-fps')).to.deep.equal({ quality: 'low', temporal: 0 });
    expect(capQuality('medium', 'audio')).to.deep.equal({ quality: 'audio', temporal: 2 });
    expect(capQuality('audio', 'high')).to.deep.equal({ quality: 'audio', temporal: 2 });
    expect(capQuality('audio', 'low-fps')).to.deep.equal({ quality: 'audio', temporal: 2 });
  });
});
