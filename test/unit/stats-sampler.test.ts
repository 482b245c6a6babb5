import { expect } from '@open-wc/testing';
import { StatsSampler, type LiveStatsSample } from '../../src/core/stats-sampler.js';
import { VERSION } from '../../src/core/version.js';
import { loopback, until, type Loopback } from './loopback.js';

/** Waits `ms`, for tests that prove nothing happens during a stretch of time. */
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StatsSampler (real loopback PeerConnections)', () => {
  let call: Loopback;
  let sampler: StatsSampler;
  let samples: LiveStatsSample[];

  beforeEach(async () => {
    call = await loopback();
    sampler = new StatsSampler({ direction: 'recv', interval: 200 });
    samples = [];
    sampler.on('sample', (s) => samples.push(s));
  });

  afterEach(() => {
    sampler.dispose();
    call.close();
  });

  describe('polling', () => {
    it('samples only while retained and a PeerConnection is set', async () => {
      const release = sampler.retain();
      // Retained without a PeerConnection: three intervals in which a running loop would sample.
      await quiet(600);
      expect(samples).to.have.length(0);
      expect(sampler.polling).to.equal(false);
      release();

      sampler.setPeerConnection(call.receiver);
      await quiet(600); // a PeerConnection but nobody retains it: still nothing
      expect(samples).to.have.length(0);

      const again = sampler.retain();
      expect(sampler.polling).to.equal(true);
      await until(() => samples.length >= 3, 'three samples while retained');
      again();
      expect(sampler.polling).to.equal(false);
      const count = samples.length;
      await quiet(600); // three intervals after release
      expect(samples.length, 'no sample after release (an in-flight one is dropped)').to.equal(count);
    });

    it('leaves a new PeerConnection alone for one interval (it is still connecting), a new retainer not', async () => {
      const release = sampler.retain(1000);
      sampler.setPeerConnection(call.receiver);
      await quiet(600);
      expect(samples, 'no getStats() while the connection comes up').to.have.length(0);
      await until(() => samples.length >= 1, 'the first sample one interval later');
      release();
      const count = samples.length;
      // A minute's interval: only a sample taken at once arrives within until()'s deadline.
      sampler.retain(60000);
      await until(() => samples.length > count, 'a sample for the new retainer, at once');
    });

    it('polls at the smallest interval any retainer asked for', () => {
      const slow = sampler.retain(1000);
      expect(sampler.interval).to.equal(1000);
      const fast = sampler.retain(300);
      expect(sampler.interval).to.equal(300);
      fast();
      expect(sampler.interval).to.equal(1000);
      slow();
      expect(sampler.retained).to.equal(0);
    });

    it('dispose stops polling and drops listeners', async () => {
      sampler.setPeerConnection(call.receiver);
      sampler.retain();
      await until(() => samples.length >= 1, 'a first sample');
      sampler.dispose();
      expect(sampler.polling).to.equal(false);
      expect(sampler.listenerCount('sample')).to.equal(0);
      expect(await sampler.sampleNow()).to.equal(undefined);
    });
  });

  describe('samples', () => {
    it('carry rates, a host candidate pair, the shape of the video, a quality level and a diagnosis', async () => {
      sampler.setPeerConnection(call.receiver);
      sampler.retain();
      const sample = await until(
        () => samples.find((s) => s.video.bitrateKbps > 0 && s.audio.bitrateKbps > 0 && (s.video.width ?? 0) > 0),
        'a sample with audio and video bitrate',
      );
      expect(sample.direction).to.equal('recv');
      expect(sample.iceState).to.be.oneOf(['connected', 'completed']);
      expect(sample.candidatePair?.local).to.equal('host');
      expect(sample.video.width).to.equal(320);
      expect(sample.video.height).to.equal(240);
      expect(sample.rttMs).to.be.a('number');
      expect(sample.quality).to.be.oneOf(['good', 'fair', 'poor', 'bad']);
      expect(sample.diagnosis).to.be.an('array');
      expect(sampler.latest).to.equal(samples.at(-1));
    });

    it('a publisher-side sampler reports sent layers', async () => {
      const send = new StatsSampler({ direction: 'send', interval: 200 });
      send.setPeerConnection(call.sender);
      send.retain();
      try {
        const sample = await until(async () => {
          const s = await send.sampleNow();
          return s && s.video.bitrateKbps > 0 && s.video.layers?.length ? s : undefined;
        }, 'a send sample with a video layer');
        expect(sample.direction).to.equal('send');
        expect(sample.video.layers![0]!.active).to.equal(true);
      } finally {
        send.dispose();
      }
    });

    it('restart their rates and count the connection when the PeerConnection changes', async () => {
      sampler.setPeerConnection(call.receiver);
      sampler.retain();
      const first = await until(() => samples.find((s) => s.video.bitrateKbps > 0), 'bitrate on the first connection');
      const pcs: Array<RTCPeerConnection | undefined> = [];
      sampler.on('pc', (pc) => pcs.push(pc));

      const second = await loopback();
      try {
        sampler.setPeerConnection(second.receiver);
        expect(pcs).to.deep.equal([second.receiver]);
        const fresh = await until(
          () => samples.find((s) => s.connection === first.connection + 1),
          'a sample of the new connection',
        );
        // No previous sample of this PeerConnection: nothing to compute a rate against yet.
        expect(fresh.video.bitrateKbps).to.equal(0);
        await until(
          () => samples.find((s) => s.connection === fresh.connection && s.video.bitrateKbps > 0),
          'bitrate again',
        );
        sampler.setPeerConnection(undefined);
        expect(sampler.polling).to.equal(false);
      } finally {
        second.close();
      }
    });

    it('drops a getStats() result that arrives after the PeerConnection changed', async () => {
      sampler.setPeerConnection(call.receiver);
      const pending = sampler.sampleNow();
      sampler.setPeerConnection(call.sender);
      expect(await pending).to.equal(undefined);
      expect(sampler.latest).to.equal(undefined);
    });

    it('put slowlink reports, the received layer and the degradation level into the next sample', async () => {
      sampler.setPeerConnection(call.receiver);
      sampler.addSlowLink({ uplink: false, lost: 12 });
      sampler.addSlowLink({ uplink: true, lost: 3 });
      sampler.setLayer({ substream: 1, temporal: 2 });
      sampler.setDegradation('low');
      const sample = (await sampler.sampleNow())!;
      expect(sample.slowLinks).to.deep.equal([
        { uplink: false, lost: 12 },
        { uplink: true, lost: 3 },
      ]);
      expect(sample.layer).to.deep.equal({ substream: 1, temporal: 2 });
      expect(sample.degradation).to.equal('low');
      sampler.setDegradation(undefined);
      const next = (await sampler.sampleNow())!;
      expect(next.slowLinks, 'reports appear once').to.equal(undefined);
      expect(next.degradation).to.equal(undefined);
      expect(next.layer).to.deep.equal({ substream: 1, temporal: 2 });
    });

    it('keep a bounded history', async () => {
      const short = new StatsSampler({ direction: 'recv', historySize: 3 });
      short.setPeerConnection(call.receiver);
      for (let i = 0; i < 5; i++) await short.sampleNow();
      expect(short.history).to.have.length(3);
      expect(short.history.at(-1)).to.equal(short.latest);
      short.dispose();
    });
  });

  it('VERSION matches package.json', async () => {
    const pkg = (await (await fetch('/package.json')).json()) as { version: string };
    expect(VERSION).to.equal(pkg.version);
  });
});
