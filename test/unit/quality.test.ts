import { expect } from '@open-wc/testing';
import {
  assessQuality,
  DEFAULT_QUALITY_MESSAGES,
  QUALITY_THRESHOLDS,
  worstLevel,
  type DiagnosisCode,
  type QualityLevel,
} from '../../src/core/quality.js';
import type { StatsSample } from '../../src/core/stats.js';

type SampleOverrides = Partial<Omit<StatsSample, 'audio' | 'video'>> & {
  audio?: Partial<StatsSample['audio']>;
  video?: Partial<StatsSample['video']>;
};

let clock = 0;

/** A healthy, connected sample; overrides describe what is wrong with it. */
function sample(overrides: SampleOverrides = {}): StatsSample {
  clock += 1000;
  const { audio, video, ...rest } = overrides;
  return {
    timestamp: clock,
    direction: 'recv',
    iceState: 'connected',
    candidatePair: { local: 'host', remote: 'host', protocol: 'udp' },
    rttMs: 20,
    jitterMs: 5,
    packetsLost: 0,
    lossPercent: 0,
    counters: {},
    ...rest,
    audio: { bitrateKbps: 32, packets: 50 * (clock / 1000), ...audio },
    // Video packets keep growing unless a test freezes them.
    video: { bitrateKbps: 800, packets: 100 * (clock / 1000), width: 1280, height: 720, fps: 20, ...video },
  };
}

/** `n` samples with the same overrides: a steady condition over the whole window. */
function steady(n: number, overrides: SampleOverrides = {}): StatsSample[] {
  return Array.from({ length: n }, () => sample(overrides));
}

function codes(history: StatsSample[]): DiagnosisCode[] {
  return assessQuality(history).diagnosis.map((d) => d.code);
}

function severityOf(history: StatsSample[], code: DiagnosisCode): QualityLevel | undefined {
  return assessQuality(history).diagnosis.find((d) => d.code === code)?.severity;
}

const WINDOW = QUALITY_THRESHOLDS.windowSamples;
const LEVELS = ['fair', 'poor', 'bad'] as const;
const BELOW: Record<QualityLevel, QualityLevel> = { good: 'good', fair: 'good', poor: 'fair', bad: 'poor' };

describe('assessQuality', () => {
  it('is good with no diagnosis for a healthy history and for no history', () => {
    expect(assessQuality(steady(5))).to.deep.equal({ quality: 'good', diagnosis: [] });
    expect(assessQuality([])).to.deep.equal({ quality: 'good', diagnosis: [] });
  });

  const metricRules = [
    { code: 'loss', field: 'lossPercent', thresholds: QUALITY_THRESHOLDS.lossPercent, epsilon: 0.01 },
    { code: 'rtt', field: 'rttMs', thresholds: QUALITY_THRESHOLDS.rttMs, epsilon: 1 },
    { code: 'jitter', field: 'jitterMs', thresholds: QUALITY_THRESHOLDS.jitterMs, epsilon: 0.1 },
  ] as const;

  for (const { code, field, thresholds, epsilon } of metricRules) {
    describe(`${code} rule`, () => {
      for (const level of LEVELS) {
        const at = thresholds[level];
        it(`${field} ${at} is ${level}`, () => {
          const result = assessQuality(steady(WINDOW, { [field]: at }));
          expect(result.quality).to.equal(level);
          expect(result.diagnosis).to.have.length(1);
          expect(result.diagnosis[0]).to.include({ code, severity: level, value: at });
        });
        it(`${field} ${at - epsilon} is ${BELOW[level]}`, () => {
          expect(severityOf(steady(WINDOW, { [field]: at - epsilon }), code)).to.equal(
            BELOW[level] === 'good' ? undefined : BELOW[level],
          );
        });
      }

      it(`averages ${field} over the last ${WINDOW} samples only`, () => {
        const spike = thresholds.bad * 10;
        // An old spike outside the window is forgotten...
        expect(codes([sample({ [field]: spike }), ...steady(WINDOW)])).to.deep.equal([]);
        // ...and inside it, it counts as its share of the mean.
        const share = thresholds.fair * WINDOW;
        expect(severityOf([...steady(WINDOW - 1), sample({ [field]: share })], code)).to.equal('fair');
      });
    });
  }

  it('skips samples without an RTT or jitter value', () => {
    const history = steady(WINDOW, { rttMs: undefined, jitterMs: undefined });
    expect(assessQuality(history).diagnosis).to.deep.equal([]);
    const oneKnown = [...steady(WINDOW - 1, { rttMs: undefined }), sample({ rttMs: QUALITY_THRESHOLDS.rttMs.poor })];
    expect(severityOf(oneKnown, 'rtt')).to.equal('poor');
  });

  describe('rtt rising trend', () => {
    const { samples, minRiseMs } = QUALITY_THRESHOLDS.rttRise;
    const rising = (rise: number, start = 20) =>
      Array.from({ length: samples }, (_, i) => sample({ rttMs: start + (rise * i) / (samples - 1) }));

    it(`a steady rise of ${minRiseMs} ms over ${samples} samples is fair`, () => {
      const history = rising(minRiseMs);
      // Below every level on its own, so only the trend can fire.
      expect(history.at(-1)!.rttMs).to.be.lessThan(QUALITY_THRESHOLDS.rttMs.fair);
      expect(severityOf(history, 'rtt')).to.equal('fair');
    });

    it(`a rise of ${minRiseMs - 1} ms is not a trend`, () => {
      expect(codes(rising(minRiseMs - 1))).to.deep.equal([]);
    });

    it('a rise with a dip is not a trend', () => {
      const history = rising(minRiseMs + 20);
      history[2] = { ...history[2]!, rttMs: 10 };
      expect(codes(history)).to.deep.equal([]);
    });

    it(`needs ${samples} samples`, () => {
      const short = rising(minRiseMs + 1).slice(1);
      expect(short.at(-1)!.rttMs! - short[0]!.rttMs!).to.be.lessThan(minRiseMs);
      const steep = short.map((s, i) => ({ ...s, rttMs: 20 + i * (minRiseMs / (short.length - 1)) }));
      expect(codes(steep)).to.deep.equal([]);
      expect(severityOf([sample({ rttMs: 10 }), ...steep], 'rtt')).to.equal('fair');
    });

    it('does not lower a worse level', () => {
      expect(severityOf(rising(minRiseMs, QUALITY_THRESHOLDS.rttMs.bad), 'rtt')).to.equal('bad');
    });
  });

  describe('ICE rule', () => {
    it('disconnected is poor', () => {
      const result = assessQuality(steady(2, { iceState: 'disconnected' }));
      expect(result.quality).to.equal('poor');
      expect(result.diagnosis[0]).to.include({ code: 'ice', severity: 'poor', message: DEFAULT_QUALITY_MESSAGES.ice });
    });

    it('failed is bad', () => {
      expect(assessQuality([sample(), sample({ iceState: 'failed' })]).quality).to.equal('bad');
    });

    it('looks at the latest state only', () => {
      expect(codes([sample({ iceState: 'failed' }), sample()])).to.deep.equal([]);
      for (const iceState of ['new', 'checking', 'connected', 'completed', 'unknown'] as const) {
        expect(codes([sample({ iceState })]), iceState).to.deep.equal([]);
      }
    });
  });

  describe('relay over TCP/TLS rule', () => {
    for (const relayProtocol of ['tcp', 'tls'] as const) {
      it(`a relay over ${relayProtocol} is fair, never worse`, () => {
        const result = assessQuality(steady(2, { candidatePair: { local: 'relay', remote: 'host', relayProtocol } }));
        expect(result.quality).to.equal('fair');
        expect(result.diagnosis.map((d) => d.code)).to.deep.equal(['relay-tcp']);
      });
    }

    it('a relay over UDP or a direct TCP route is fine', () => {
      const udpRelay = sample({ candidatePair: { local: 'relay', remote: 'relay', relayProtocol: 'udp' } });
      expect(codes([udpRelay])).to.deep.equal([]);
      expect(codes([sample({ candidatePair: { local: 'host', remote: 'prflx', protocol: 'tcp' } })])).to.deep.equal([]);
    });
  });

  describe('encoder limitation rules', () => {
    it("'cpu' on a publisher says the device is the bottleneck", () => {
      const result = assessQuality([sample({ direction: 'send', video: { qualityLimitationReason: 'cpu' } })]);
      expect(result.quality).to.equal('fair');
      expect(result.diagnosis).to.deep.equal([
        { code: 'cpu', severity: 'fair', side: 'uplink', message: DEFAULT_QUALITY_MESSAGES.cpu },
      ]);
    });

    it("'bandwidth' on a publisher is an uplink bandwidth limit", () => {
      const result = assessQuality([sample({ direction: 'send', video: { qualityLimitationReason: 'bandwidth' } })]);
      expect(result.diagnosis.map((d) => [d.code, d.side])).to.deep.equal([['bandwidth', 'uplink']]);
    });

    it("'none' and 'other' fire nothing", () => {
      for (const reason of ['none', 'other']) {
        const history = [sample({ direction: 'send', video: { qualityLimitationReason: reason } })];
        expect(codes(history), reason).to.deep.equal([]);
      }
    });
  });

  describe('no-video rule', () => {
    const { samples, severity } = QUALITY_THRESHOLDS.videoStall;

    it(`video that stopped for ${samples} intervals is ${severity}`, () => {
      const history = [...steady(2), ...steady(samples + 1, { video: { packets: 4321, bitrateKbps: 0 } })];
      expect(severityOf(history, 'no-video')).to.equal(severity);
    });

    it(`a stop of ${samples - 1} interval(s) is not yet reported`, () => {
      const history = [...steady(2), ...steady(samples, { video: { packets: 4321, bitrateKbps: 0 } })];
      expect(codes(history)).to.deep.equal([]);
    });

    it('an audio-only stream that never had video is fine', () => {
      expect(codes(steady(samples + 3, { video: { packets: 0, bitrateKbps: 0 } }))).to.deep.equal([]);
    });
  });

  describe('freeze rule', () => {
    it('a freeze inside the window is fair and counted', () => {
      const history = [sample({ video: { freezeCount: 1 } }), ...steady(WINDOW - 1, { video: { freezeCount: 3 } })];
      const d = assessQuality(history).diagnosis;
      expect(d).to.have.length(1);
      expect(d[0]).to.include({ code: 'freeze', severity: 'fair', value: 2 });
    });

    it('an old freeze or a steady count is fine', () => {
      expect(codes(steady(WINDOW, { video: { freezeCount: 3 } }))).to.deep.equal([]);
      const oldFreeze = [sample({ video: { freezeCount: 1 } }), ...steady(WINDOW, { video: { freezeCount: 3 } })];
      expect(codes(oldFreeze)).to.deep.equal([]);
    });
  });

  describe('side', () => {
    it('a publisher sample is about the uplink, a viewer sample about the downlink', () => {
      const loss = QUALITY_THRESHOLDS.lossPercent.poor;
      const up = assessQuality(steady(WINDOW, { direction: 'send', lossPercent: loss }));
      const down = assessQuality(steady(WINDOW, { direction: 'recv', lossPercent: loss }));
      expect(up.diagnosis[0]!.side).to.equal('uplink');
      expect(down.diagnosis[0]!.side).to.equal('downlink');
    });
  });

  describe('combination', () => {
    it('overall quality is the worst rule, and the worst comes first', () => {
      const history = steady(WINDOW, {
        lossPercent: QUALITY_THRESHOLDS.lossPercent.fair,
        jitterMs: QUALITY_THRESHOLDS.jitterMs.poor,
        iceState: 'failed',
        candidatePair: { local: 'relay', remote: 'host', relayProtocol: 'tls' },
      });
      const result = assessQuality(history);
      expect(result.quality).to.equal('bad');
      expect(result.diagnosis.map((d) => [d.code, d.severity])).to.deep.equal([
        ['ice', 'bad'],
        ['jitter', 'poor'],
        ['loss', 'fair'],
        ['relay-tcp', 'fair'],
      ]);
    });

    it('without the bad rule the worst remaining one decides', () => {
      const history = steady(WINDOW, {
        lossPercent: QUALITY_THRESHOLDS.lossPercent.fair,
        rttMs: QUALITY_THRESHOLDS.rttMs.poor,
      });
      expect(assessQuality(history).quality).to.equal('poor');
    });

    it('worstLevel orders good < fair < poor < bad', () => {
      expect(worstLevel([])).to.equal('good');
      expect(worstLevel(['fair', 'good'])).to.equal('fair');
      expect(worstLevel(['poor', 'bad', 'fair'])).to.equal('bad');
      expect(worstLevel(['fair', 'poor'])).to.equal('poor');
    });
  });

  describe('options', () => {
    it('messages are plain short sentences', () => {
      for (const [code, message] of Object.entries(DEFAULT_QUALITY_MESSAGES)) {
        expect(message, code).to.match(/^[A-Z][^<>{}]*\.$/);
        expect(message.length, code).to.be.below(120);
      }
    });

    it('replaces only the messages it is given', () => {
      const history = steady(WINDOW, { lossPercent: 20, iceState: 'disconnected' });
      const { diagnosis } = assessQuality(history, { messages: { loss: 'Paquets perdus.' } });
      expect(diagnosis.find((d) => d.code === 'loss')!.message).to.equal('Paquets perdus.');
      expect(diagnosis.find((d) => d.code === 'ice')!.message).to.equal(DEFAULT_QUALITY_MESSAGES.ice);
    });

    it('uses thresholds it is given', () => {
      const history = steady(WINDOW, { lossPercent: 1 });
      expect(assessQuality(history).quality).to.equal('good');
      const strict = { ...QUALITY_THRESHOLDS, lossPercent: { fair: 0.5, poor: 0.9, bad: 5 } };
      expect(assessQuality(history, { thresholds: strict }).quality).to.equal('poor');
    });
  });
});
