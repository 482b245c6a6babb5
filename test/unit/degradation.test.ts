import { expect } from '@open-wc/testing';
import { DownlinkLadder, LADDER_THRESHOLDS, capQuality, type LadderInput } from '../../src/core/degradation.js';

const good: LadderInput = { diagnosis: [] };
const lossy: LadderInput = { diagnosis: [{ code: 'loss', severity: 'poor' }] };
const fair: LadderInput = { diagnosis: [{ code: 'jitter', severity: 'fair' }] };
const stopped: LadderInput = {
  diagnosis: [
    { code: 'cpu', severity: 'fair' },
    { code: 'no-video', severity: 'poor' },
  ],
};

function feed(ladder: DownlinkLadder, sample: LadderInput, times: number): Array<string | undefined> {
  return Array.from({ length: times }, () => ladder.observe(sample));
}

describe('DownlinkLadder', () => {
  it('steps down once per run of congested samples: medium, low, then audio, and no further', () => {
    const ladder = new DownlinkLadder();
    const { downAfter } = LADDER_THRESHOLDS;
    expect(feed(ladder, lossy, downAfter - 1).every((s) => s === undefined)).to.equal(true);
    expect(ladder.observe(lossy)).to.equal('medium');
    expect(feed(ladder, lossy, downAfter).at(-1)).to.equal('low');
    expect(feed(ladder, lossy, downAfter).at(-1)).to.equal('audio');
    expect(feed(ladder, lossy, downAfter * 3).every((s) => s === undefined)).to.equal(true);
    expect(ladder.step).to.equal('audio');
  });

  it('steps back up only after a longer run of good samples (hysteresis)', () => {
    const ladder = new DownlinkLadder();
    feed(ladder, lossy, LADDER_THRESHOLDS.downAfter * 2);
    expect(ladder.step).to.equal('low');
    expect(feed(ladder, good, LADDER_THRESHOLDS.upAfter - 1).every((s) => s === undefined)).to.equal(true);
    expect(ladder.observe(good)).to.equal('medium');
    expect(feed(ladder, good, LADDER_THRESHOLDS.upAfter).at(-1)).to.equal('none');
    expect(feed(ladder, good, LADDER_THRESHOLDS.upAfter).every((s) => s === undefined)).to.equal(true);
  });

  it('does not flap when bad and good samples alternate', () => {
    const ladder = new DownlinkLadder();
    const changes = Array.from({ length: 40 }, (_, i) => ladder.observe(i % 2 ? good : lossy)).filter(Boolean);
    expect(changes).to.deep.equal([]);
    expect(ladder.step).to.equal('none');
  });

  it('holds on fair network samples', () => {
    const ladder = new DownlinkLadder();
    feed(ladder, lossy, LADDER_THRESHOLDS.downAfter);
    expect(ladder.step).to.equal('medium');
    expect(feed(ladder, fair, 20).every((s) => s === undefined)).to.equal(true);
    expect(ladder.step).to.equal('medium');
  });

  it('comes back from audio only: the video it stopped itself (no-video) and cpu do not count', () => {
    const ladder = new DownlinkLadder();
    feed(ladder, lossy, LADDER_THRESHOLDS.downAfter * 3);
    expect(ladder.step).to.equal('audio');
    expect(feed(ladder, stopped, LADDER_THRESHOLDS.upAfter).at(-1)).to.equal('low');
  });

  it('caps what a tile wants by the step', () => {
    expect(capQuality('high', 'none')).to.equal('high');
    expect(capQuality('high', 'medium')).to.equal('medium');
    expect(capQuality('low', 'medium')).to.equal('low');
    expect(capQuality('medium', 'audio')).to.equal('audio');
    expect(capQuality('audio', 'none')).to.equal('audio');
  });
});
