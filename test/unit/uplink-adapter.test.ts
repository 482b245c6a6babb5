import { expect } from '@open-wc/testing';
import type { LiveStatsSample } from '../../src/core/stats-sampler.js';
import { RAMP_UP_MS, UplinkAdapter, uplinkInput } from '../../src/core/uplink-adapter.js';
import { UPLINK_THRESHOLDS } from '../../src/core/uplink-degradation.js';

/** A send-side sample: the encoder's limitation and the available outgoing bitrate. */
function sample(
  timestamp: number,
  reason: string,
  availableKbps: number,
  connection = 1,
  extra: Partial<LiveStatsSample> = {},
): LiveStatsSample {
  return {
    timestamp,
    direction: 'send',
    iceState: 'connected',
    packetsLost: 0,
    lossPercent: 0,
    rttMs: 20,
    availableOutgoingKbps: availableKbps,
    audio: { bitrateKbps: 40, packets: 0 },
    video: { bitrateKbps: 0, packets: 0, qualityLimitationReason: reason },
    counters: {},
    quality: 'good',
    diagnosis: [],
    connection,
    ...extra,
  };
}

/** A real PeerConnection with janus.js's simulcast encodings (h/m/l at 900/300/100 kbit/s) on a canvas track. */
function simulcastSender(): { pc: RTCPeerConnection; sender: RTCRtpSender } {
  const pc = new RTCPeerConnection();
  const canvas = document.createElement('canvas');
  canvas.width = 1280;
  canvas.height = 720;
  const track = canvas.captureStream(10).getVideoTracks()[0]!;
  const { sender } = pc.addTransceiver(track, {
    direction: 'sendonly',
    sendEncodings: [
      { rid: 'h', maxBitrate: 900_000 },
      { rid: 'm', maxBitrate: 300_000, scaleResolutionDownBy: 2 },
      { rid: 'l', maxBitrate: 100_000, scaleResolutionDownBy: 4 },
    ],
  });
  return { pc, sender };
}

const encodings = (sender: RTCRtpSender) =>
  sender.getParameters().encodings.map((e) => ({
    rid: e.rid,
    active: e.active,
    maxBitrate: e.maxBitrate,
    maxFramerate: e.maxFramerate,
  }));

/** setParameters is asynchronous: wait until the sender shows what the adapter applied. */
async function settled(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('UplinkAdapter', () => {
  let pc: RTCPeerConnection;
  let sender: RTCRtpSender;
  let announced: boolean[];
  let adapter: UplinkAdapter;

  beforeEach(() => {
    ({ pc, sender } = simulcastSender());
    announced = [];
    adapter = new UplinkAdapter(
      {
        pc,
        announceVideoPaused: async (paused) => {
          announced.push(paused);
        },
      },
      () => ({ frameRate: 30 }),
    );
  });

  afterEach(() => pc.close());

  it("ignores Chromium's bandwidth-limited ramp-up in the first seconds of a connection", () => {
    for (let t = 0; t < RAMP_UP_MS; t += 1000) expect(adapter.observe(sample(t, 'bandwidth', 300))).to.equal(undefined);
    expect(adapter.level).to.equal('full');
    // After it, the same squeeze counts.
    const moves = [RAMP_UP_MS, RAMP_UP_MS + 1000].map((t) => adapter.observe(sample(t, 'bandwidth', 300)));
    expect(moves[1]).to.deep.include({ level: 'capped', trigger: 'bitrate' });
  });

  it('ends the ramp-up early once the encoder is no longer limited', () => {
    adapter.observe(sample(0, 'none', 2500));
    adapter.observe(sample(1000, 'bandwidth', 300));
    expect(adapter.observe(sample(2000, 'bandwidth', 300))?.level).to.equal('capped');
  });

  it('sheds the top encodings, then frames, then video (announced), and restores the encodings as published', async () => {
    const published = encodings(sender);
    let t = 0;
    const feed = (reason: string, kbps: number) => adapter.observe(sample((t += 1000), reason, kbps));
    feed('none', 2500);
    const until = (level: string) => {
      for (let i = 0; i < 60 && adapter.level !== level; i++) feed('bandwidth', 60);
    };
    until('capped');
    await settled(() => encodings(sender)[0]!.maxBitrate === 600_000);
    expect(encodings(sender).map((e) => [e.rid, e.active, e.maxBitrate])).to.deep.equal([
      ['h', true, 600_000],
      ['m', true, 300_000],
      ['l', true, 100_000],
    ]);
    until('two-layers');
    await settled(() => !encodings(sender)[0]!.active);
    expect(encodings(sender).map((e) => e.active)).to.deep.equal([false, true, true]);
    until('low-fps');
    await settled(() => encodings(sender)[2]!.maxFramerate === 10);
    expect(encodings(sender).map((e) => [e.active, e.maxFramerate])).to.deep.equal([
      [false, undefined],
      [false, undefined],
      [true, 10],
    ]);
    expect(announced).to.deep.equal([]);
    until('audio');
    await settled(() => !encodings(sender)[2]!.active);
    expect(encodings(sender).map((e) => e.active)).to.deep.equal([false, false, false]);
    expect(announced).to.deep.equal([true]);
    // Back up: a clean link with room for each level.
    for (let i = 0; i < 80 && adapter.level !== 'full'; i++) feed('none', 2500);
    expect(adapter.level).to.equal('full');
    await settled(() => encodings(sender)[0]!.active === true);
    expect(encodings(sender)).to.deep.equal(published);
    expect(announced).to.deep.equal([true, false]);
  });

  it('restores everything on reset (degradation turned off) and starts over on a new connection', async () => {
    const published = encodings(sender);
    let t = 0;
    adapter.observe(sample((t += 1000), 'none', 2500));
    for (let i = 0; i < 60 && adapter.level !== 'audio'; i++) adapter.observe(sample((t += 1000), 'bandwidth', 60));
    await settled(() => announced.length === 1);
    await adapter.reset();
    expect(adapter.level).to.equal('full');
    expect(encodings(sender)).to.deep.equal(published);
    expect(announced).to.deep.equal([true, false]);
    // A new PeerConnection is judged from scratch, ramp-up included.
    expect(adapter.observe(sample((t += 1000), 'bandwidth', 60, 2))).to.equal(undefined);
    expect(adapter.observe(sample((t += 1000), 'bandwidth', 60, 2))).to.equal(undefined);
  });

  it('reads the ladder inputs from a send sample, slowlinks and RTT freshness included', () => {
    const input = uplinkInput(
      sample(5, 'bandwidth', 321, 1, {
        lossPercent: 3,
        rttMs: 410,
        rttFresh: false,
        slowLinks: [{ uplink: true, lost: 30 }],
      }),
    );
    expect(input).to.deep.equal({
      timestamp: 5,
      qualityLimitationReason: 'bandwidth',
      lossPercent: 3,
      rttMs: 410,
      rttFresh: false,
      availableKbps: 321,
      slowLinks: [{ uplink: true, lost: 30 }],
    });
    expect(UPLINK_THRESHOLDS.levelKbps.full).to.be.above(1300);
  });
});
