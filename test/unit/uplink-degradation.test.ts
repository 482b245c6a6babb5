import { expect } from '@open-wc/testing';
import {
  UPLINK_LEVELS,
  UPLINK_THRESHOLDS,
  UplinkLadder,
  encodingsFor,
  type UplinkChange,
  type UplinkInput,
} from '../../src/core/uplink-degradation.js';
import type { UplinkLevel } from '../../src/core/types.js';

const clean: UplinkInput = { qualityLimitationReason: 'none', lossPercent: 0, rttMs: 20 };
const squeezed: UplinkInput = { qualityLimitationReason: 'bandwidth', lossPercent: 1, rttMs: 80, availableKbps: 90 };
const lossy: UplinkInput = { qualityLimitationReason: 'none', lossPercent: 14, rttMs: 40 };
const cpu: UplinkInput = { qualityLimitationReason: 'cpu', lossPercent: 0, rttMs: 20 };

class Feeder {
  now = 0;
  readonly ladder = new UplinkLadder();
  feed(sample: UplinkInput, times: number): UplinkChange[] {
    const moves: UplinkChange[] = [];
    for (let i = 0; i < times; i++) {
      const move = this.ladder.observe({ ...sample, timestamp: (this.now += 1000) });
      if (move) moves.push(move);
    }
    return moves;
  }
  until(sample: UplinkInput, level: UplinkLevel, limit = 120): number {
    for (let i = 1; i <= limit; i++) {
      this.feed(sample, 1);
      if (this.ladder.level === level) return i;
    }
    throw new Error(`never reached ${level} (at ${this.ladder.level})`);
  }
}

describe('UplinkLadder', () => {
  it('sheds in order: the bitrate, the top layer, the middle layer, frames, then video', () => {
    const f = new Feeder();
    const moves = f.feed(squeezed, 60);
    expect(moves.slice(0, 5).map((m) => m.level)).to.deep.equal([
      'capped',
      'two-layers',
      'one-layer',
      'low-fps',
      'audio',
    ]);
    // Then only a timed probe for video, which the squeeze undoes.
    expect(moves.slice(5).map((m) => `${m.level}(${m.trigger})`)).to.deep.equal([
      'low-fps(probe)',
      'audio(probe-failed)',
    ]);
    expect(moves[0]).to.deep.include({ previous: 'full', direction: 'down', trigger: 'bitrate' });
    expect(moves[0]!.metrics).to.deep.include({ availableKbps: 90, qualityLimitationReason: 'bandwidth' });
  });

  it('restores in reverse, one level per clean run, and stays at the top', () => {
    const f = new Feeder();
    f.until(squeezed, 'audio');
    const moves = f.feed(clean, 60);
    expect(moves.map((m) => m.level)).to.deep.equal(['low-fps', 'one-layer', 'two-layers', 'capped', 'full']);
    expect(moves.every((m) => m.direction === 'up' && m.trigger === 'recovered')).to.equal(true);
    expect(f.feed(clean, 60)).to.deep.equal([]);
  });

  it('steps down on the encoder limited by bandwidth, RTCP loss, RTT and a Janus uplink slowlink', () => {
    const first = (sample: UplinkInput) => new Feeder().feed(sample, UPLINK_THRESHOLDS.downAfter)[0]?.trigger;
    expect(first({ ...clean, qualityLimitationReason: 'bandwidth' })).to.equal('bandwidth');
    expect(first(lossy)).to.equal('loss');
    expect(first({ ...clean, rttMs: 450 })).to.equal('rtt');
    expect(first({ ...clean, slowLinks: [{ uplink: true, lost: 50 }] })).to.equal('slowlink');
    // Loss on the way to viewers is theirs to handle, not the publisher's.
    expect(first({ ...clean, slowLinks: [{ uplink: false, lost: 500 }] })).to.equal(undefined);
  });

  it('does not shed anything for a CPU-limited encoder, and does not count it as clean either', () => {
    const f = new Feeder();
    expect(f.feed(cpu, 30)).to.deep.equal([]);
    f.until(squeezed, 'two-layers');
    expect(f.feed(cpu, 15)).to.deep.equal([]);
  });

  it('waits for room before stepping up where the browser says how much there is', () => {
    const f = new Feeder();
    f.until(squeezed, 'one-layer');
    // 300 kbit/s carries one layer (200) but not two (500).
    expect(f.feed({ ...clean, availableKbps: 300 }, 15)).to.deep.equal([]);
    expect(f.feed({ ...clean, availableKbps: 900 }, UPLINK_THRESHOLDS.upAfter).map((m) => m.level)).to.deep.equal([
      'two-layers',
    ]);
  });

  it('probes back from audio only although the estimate trails (it grows only with what is sent)', () => {
    const f = new Feeder();
    f.until(squeezed, 'audio');
    // The cap is gone, but audio alone keeps the estimate low: only the timed probe tries video.
    const idle: UplinkInput = { ...clean, availableKbps: 70 };
    const probe = f.feed(idle, UPLINK_THRESHOLDS.probeAfterMs / 1000);
    expect(probe.map((m) => `${m.level}(${m.trigger})`)).to.deep.equal(['low-fps(probe)']);
    // The estimate needs a few seconds of video to grow: that is no failed probe.
    expect(f.feed(idle, UPLINK_THRESHOLDS.holdAfterUpMs / 1000 - 1)).to.deep.equal([]);
    expect(f.feed({ ...clean, availableKbps: 400 }, 5)).to.deep.equal([]);
    expect(f.ladder.level).to.equal('low-fps');
  });

  it('takes a low estimate for congestion only while the encoder is bandwidth-limited', () => {
    const f = new Feeder();
    // Sending little keeps the estimate low on a link with room: the encoder is not held back.
    expect(f.feed({ ...clean, availableKbps: 300 }, 20)).to.deep.equal([]);
    expect(
      f.feed({ ...clean, availableKbps: 300, qualityLimitationReason: 'bandwidth' }, 2).map((m) => m.trigger),
    ).to.deep.equal(['bitrate']);
  });

  it('does not flap when squeezed and clean samples alternate', () => {
    const f = new Feeder();
    for (let i = 0; i < 60; i++) expect(f.feed(i % 2 ? clean : squeezed, 1)).to.deep.equal([]);
  });
});

describe('encodingsFor', () => {
  it('keeps every layer at the top and drops them from the top down, audio untouched', () => {
    const active = (level: UplinkLevel) => encodingsFor(level).map((e) => `${e.rid}:${e.active ? 'on' : 'off'}`);
    expect(active('full')).to.deep.equal(['h:on', 'm:on', 'l:on']);
    expect(active('capped')).to.deep.equal(['h:on', 'm:on', 'l:on']);
    expect(active('two-layers')).to.deep.equal(['h:off', 'm:on', 'l:on']);
    expect(active('one-layer')).to.deep.equal(['h:off', 'm:off', 'l:on']);
    expect(active('low-fps')).to.deep.equal(['h:off', 'm:off', 'l:on']);
    expect(active('audio')).to.deep.equal(['h:off', 'm:off', 'l:off']);
    expect(UPLINK_LEVELS).to.have.length(6);
  });

  it('caps the top layer, lowers the frame rate, and keeps the publisher own max-bitrate as a ceiling', () => {
    expect(encodingsFor('capped')[0]).to.deep.equal({ rid: 'h', active: true, maxBitrate: 600_000 });
    expect(encodingsFor('capped', { maxBitrate: 400_000 })[0]!.maxBitrate).to.equal(400_000);
    expect(encodingsFor('full', { maxBitrate: 800_000 }).map((e) => e.maxBitrate)).to.deep.equal([
      800_000, 800_000, 800_000,
    ]);
    expect(encodingsFor('low-fps', { frameRate: 30 })[2]).to.deep.equal({ rid: 'l', active: true, maxFramerate: 10 });
    expect(encodingsFor('full')[2]!.maxFramerate).to.equal(undefined);
  });
});
