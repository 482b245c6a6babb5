import { expect } from '@open-wc/testing';
import { toStatsSample, type RawStats, type StatsSample } from '../../src/core/stats.js';

// Reports recorded from real Chromium loopback calls by test/fixtures/capture-stats.mjs.
type Fixture =
  'sender-simulcast-1' | 'sender-simulcast-2' | 'receiver-1' | 'receiver-2' | 'relay-tcp-sender' | 'relay-tcp-receiver';

const cache = new Map<Fixture, RawStats[]>();

async function load(name: Fixture): Promise<RawStats[]> {
  let stats = cache.get(name);
  if (!stats) {
    const response = await fetch(new URL(`../fixtures/${name}.json`, import.meta.url));
    if (!response.ok) throw new Error(`fixture ${name}: HTTP ${response.status}`);
    stats = (await response.json()) as RawStats[];
    cache.set(name, stats);
  }
  // Copies, so a test that edits a report cannot leak into the next.
  return stats.map((s) => ({ ...s }));
}

/** A derived report: `edit` may replace entries; everything else stays as recorded. */
function edit(stats: RawStats[], change: (s: RawStats) => RawStats | undefined): RawStats[] {
  return stats.map((s) => change(s)).filter((s): s is RawStats => s !== undefined);
}

function byType(stats: RawStats[], type: string): RawStats[] {
  return stats.filter((s) => s.type === type);
}

function field(s: RawStats, name: string): number {
  const v = s[name];
  if (typeof v !== 'number') throw new Error(`${s.id}.${name} is not a number`);
  return v;
}

async function pair(first: Fixture, second: Fixture, direction: 'send' | 'recv'): Promise<StatsSample> {
  const previous = toStatsSample(await load(first), direction);
  return toStatsSample(await load(second), direction, previous);
}

// The caps capture-stats.mjs gives each simulcast encoding, in kbit/s.
const LAYER_CAP_KBPS: Record<string, number> = { h: 900, m: 300, l: 100 };

describe('toStatsSample', () => {
  describe('publisher (simulcast sender fixture)', () => {
    it('lists the three simulcast layers h/m/l at 1280/640/320', async () => {
      const sample = toStatsSample(await load('sender-simulcast-2'), 'send');
      const layers = sample.video.layers ?? [];
      expect(layers.map((l) => l.rid)).to.deep.equal(['h', 'm', 'l']);
      expect(layers.map((l) => l.width)).to.deep.equal([1280, 640, 320]);
      expect(layers.map((l) => l.height)).to.deep.equal([720, 360, 180]);
      for (const layer of layers) {
        expect(layer.active, layer.rid).to.equal(true);
        expect(layer.fps, layer.rid).to.be.greaterThan(0);
        expect(layer.qualityLimitationReason, layer.rid).to.equal('none');
      }
    });

    it('reports the top layer as the video shape, with codec and limitation reason', async () => {
      const sample = toStatsSample(await load('sender-simulcast-2'), 'send');
      expect(sample.direction).to.equal('send');
      expect(sample.video).to.include({ width: 1280, height: 720, codec: 'VP8', qualityLimitationReason: 'none' });
      expect(sample.video.fps).to.be.within(5, 60);
      expect(sample.feeds).to.equal(undefined);
    });

    it('reads the selected host/host UDP pair, its RTT and the transport ICE state', async () => {
      const stats = await load('sender-simulcast-2');
      const sample = toStatsSample(stats, 'send');
      expect(sample.iceState).to.equal('connected');
      expect(sample.candidatePair).to.deep.equal({ local: 'host', remote: 'host', protocol: 'udp' });
      // Two pairs were nominated in this capture; only the transport's selected one counts.
      const [transport] = byType(stats, 'transport');
      const selected = stats.find((s) => s.id === transport!['selectedCandidatePairId'])!;
      const other = byType(stats, 'candidate-pair').find((s) => s !== selected)!;
      expect(field(selected, 'currentRoundTripTime')).not.to.equal(field(other, 'currentRoundTripTime'));
      expect(sample.rttMs).to.be.closeTo(field(selected, 'currentRoundTripTime') * 1000, 1e-9);
      // Point the transport at the quieter pair: the choice must follow it, not the traffic.
      const switched = edit(stats, (s) => (s.type === 'transport' ? { ...s, selectedCandidatePairId: other.id } : s));
      expect(toStatsSample(switched, 'send').rttMs).to.be.closeTo(field(other, 'currentRoundTripTime') * 1000, 1e-9);
    });

    it('says whether the RTT is a new measurement (a new STUN response) and reads the available uplink', async () => {
      const stats = await load('sender-simulcast-2');
      const [transport] = byType(stats, 'transport');
      const selected = stats.find((s) => s.id === transport!['selectedCandidatePairId'])!;
      const first = toStatsSample(stats, 'send');
      expect(first.rttFresh, 'no previous sample: unknown').to.equal(undefined);
      expect(first.rttResponses).to.equal(field(selected, 'responsesReceived'));
      expect(toStatsSample(stats, 'send', first).rttFresh, 'the same responses: repeated').to.equal(false);
      const answered = edit(stats, (s) =>
        s === selected ? { ...s, responsesReceived: field(selected, 'responsesReceived') + 1 } : s,
      );
      expect(toStatsSample(answered, 'send', first).rttFresh).to.equal(true);
      expect(first.availableOutgoingKbps).to.be.closeTo(field(selected, 'availableOutgoingBitrate') / 1000, 1e-9);
      expect(toStatsSample(stats, 'recv').availableOutgoingKbps, 'a viewer sends nothing to estimate').to.equal(
        undefined,
      );
    });

    it('falls back to the busiest nominated pair without transport stats', async () => {
      const stats = await load('sender-simulcast-2');
      const pairs = byType(stats, 'candidate-pair');
      const traffic = (s: RawStats) => field(s, 'bytesSent') + field(s, 'bytesReceived');
      const busiest = pairs.reduce((a, b) => (traffic(a) >= traffic(b) ? a : b));
      const noTransport = edit(stats, (s) => (s.type === 'transport' ? undefined : s));
      const fallback = toStatsSample(noTransport, 'send');
      expect(fallback.rttMs).to.be.closeTo(field(busiest, 'currentRoundTripTime') * 1000, 1e-9);
      // Firefox flags the selected pair instead.
      const quiet = pairs.find((s) => s !== busiest)!;
      const flagged = edit(noTransport, (s) => (s.id === quiet.id ? { ...s, selected: true } : s));
      expect(toStatsSample(flagged, 'send').rttMs).to.be.closeTo(field(quiet, 'currentRoundTripTime') * 1000, 1e-9);
    });

    it('computes plausible per-layer bitrates from two reports ~1 s apart', async () => {
      const sample = await pair('sender-simulcast-1', 'sender-simulcast-2', 'send');
      const layers = sample.video.layers ?? [];
      // Key frames right after start can push one layer past its cap for a second, hence 3x.
      for (const layer of layers) {
        expect(layer.bitrateKbps, layer.rid).to.be.greaterThan(LAYER_CAP_KBPS[layer.rid!]! * 0.3);
        expect(layer.bitrateKbps, layer.rid).to.be.lessThan(LAYER_CAP_KBPS[layer.rid!]! * 3);
      }
      const [h, m, l] = layers;
      expect(h!.bitrateKbps).to.be.greaterThan(Math.max(m!.bitrateKbps, l!.bitrateKbps));
      const caps = Object.values(LAYER_CAP_KBPS).reduce((a, b) => a + b, 0);
      expect(sample.video.bitrateKbps).to.be.within(caps * 0.5, caps * 1.5);
      const total = layers.reduce((a, x) => a + x.bitrateKbps, 0);
      expect(sample.video.bitrateKbps).to.be.closeTo(total, 1e-9);
      // Opus was sent at its default 32 kbit/s target.
      expect(sample.audio.bitrateKbps).to.be.within(8, 64);
      expect(sample.audio.level).to.be.within(0, 1);
    });

    it('has no rates without a previous sample', async () => {
      const sample = toStatsSample(await load('sender-simulcast-2'), 'send');
      expect(sample.video.bitrateKbps).to.equal(0);
      expect(sample.audio.bitrateKbps).to.equal(0);
      expect(sample.lossPercent).to.equal(0);
      expect(sample.video.packets).to.be.greaterThan(0);
    });

    it('takes uplink loss from the far end RTCP fractionLost (derived from relay-tcp-sender)', async () => {
      const recorded = await load('relay-tcp-sender');
      expect(toStatsSample(recorded, 'send').lossPercent).to.equal(0);
      const lossy = edit(recorded, (s) =>
        s.type === 'remote-inbound-rtp' ? { ...s, fractionLost: 0.1, packetsLost: 7 } : s,
      );
      const sample = toStatsSample(lossy, 'send');
      expect(sample.lossPercent).to.be.closeTo(10, 1e-9);
      expect(sample.packetsLost).to.equal(7 * byType(recorded, 'remote-inbound-rtp').length);
    });

    it('weights uplink loss by the packets each stream sent', async () => {
      const recorded = await load('relay-tcp-sender');
      const outbound = byType(recorded, 'outbound-rtp');
      expect(outbound).to.have.length(3);
      // Streams sent 100, 300 and 600 packets; the one that sent 600 lost half: 30 % overall.
      const sent = new Map(outbound.map((s, i) => [s.id, [100, 300, 600][i]!]));
      const lossyId = byType(recorded, 'remote-inbound-rtp').find((s) => s['localId'] === outbound[2]!.id)!.id;
      const lossy = edit(recorded, (s) => {
        if (sent.has(s.id)) return { ...s, packetsSent: sent.get(s.id) };
        return s.id === lossyId ? { ...s, fractionLost: 0.5 } : s;
      });
      expect(toStatsSample(lossy, 'send').lossPercent).to.be.closeTo(30, 1e-9);
    });

    it('reports the encoder limitation of any layer', async () => {
      const limited = edit(await load('sender-simulcast-2'), (s) =>
        s.type === 'outbound-rtp' && s['rid'] === 'l' ? { ...s, qualityLimitationReason: 'cpu' } : s,
      );
      expect(toStatsSample(limited, 'send').video.qualityLimitationReason).to.equal('cpu');
    });

    it('marks a disabled encoding inactive and takes the shape from the biggest one sending', async () => {
      const paused = edit(await load('sender-simulcast-2'), (s) =>
        s.type === 'outbound-rtp' && s['rid'] === 'h'
          ? { ...s, active: false, frameWidth: undefined, frameHeight: undefined }
          : s,
      );
      const sample = toStatsSample(paused, 'send');
      expect(sample.video.layers?.find((l) => l.rid === 'h')?.active).to.equal(false);
      expect(sample.video).to.include({ width: 640, height: 360 });
    });
  });

  describe('viewer (receiver fixture: audio + two video feeds)', () => {
    it('exposes each feed by mid with size, fps, codec and decoded frames', async () => {
      const sample = toStatsSample(await load('receiver-2'), 'recv');
      const feeds = sample.feeds ?? {};
      expect(Object.keys(feeds).sort()).to.deep.equal(['0', '1', '2']);
      expect(feeds['0']!.kind).to.equal('audio');
      expect(feeds['1']).to.include({ kind: 'video', width: 1280, height: 720, codec: 'VP8' });
      expect(feeds['2']).to.include({ kind: 'video', width: 640, height: 360, codec: 'VP8' });
      for (const mid of ['1', '2']) {
        expect(feeds[mid]!.framesDecoded, mid).to.be.greaterThan(30);
        expect(feeds[mid]!.fps, mid).to.be.within(5, 60);
        expect(feeds[mid]!.trackId, mid).to.be.a('string');
      }
    });

    it('aggregates: biggest feed for the shape, sums for counts', async () => {
      const stats = await load('receiver-2');
      const sample = toStatsSample(stats, 'recv');
      expect(sample.video).to.include({ width: 1280, height: 720, codec: 'VP8' });
      const videoIn = byType(stats, 'inbound-rtp').filter((s) => s['kind'] === 'video');
      expect(sample.video.framesDecoded).to.equal(videoIn.reduce((a, s) => a + field(s, 'framesDecoded'), 0));
      expect(sample.video.packets).to.equal(videoIn.reduce((a, s) => a + field(s, 'packetsReceived'), 0));
      expect(sample.video.freezeCount).to.equal(videoIn.reduce((a, s) => a + field(s, 'freezeCount'), 0));
      expect(sample.video.jitterBufferDelayMs).to.be.within(1, 1000);
      expect(sample.jitterMs).to.be.within(0, 50);
      expect(sample.candidatePair).to.deep.equal({ local: 'host', remote: 'host', protocol: 'udp' });
      expect(sample.iceState).to.equal('connected');
    });

    it('computes plausible bitrates per feed and in total from two reports', async () => {
      const sample = await pair('receiver-1', 'receiver-2', 'recv');
      const feeds = sample.feeds!;
      // The 1280x720 feed runs at libvpx's ramped-up rate, the 640x360 one below it.
      expect(feeds['1']!.bitrateKbps).to.be.within(200, 3000);
      expect(feeds['2']!.bitrateKbps).to.be.within(50, feeds['1']!.bitrateKbps);
      expect(feeds['0']!.bitrateKbps).to.be.within(8, 64);
      expect(sample.video.bitrateKbps).to.be.closeTo(feeds['1']!.bitrateKbps + feeds['2']!.bitrateKbps, 1e-9);
      expect(sample.audio.bitrateKbps).to.equal(feeds['0']!.bitrateKbps);
      expect(sample.lossPercent).to.equal(0);
    });

    it('computes interval loss % from packet counters (derived from receiver-1/2)', async () => {
      const first = await load('receiver-1');
      const before = new Map(byType(first, 'inbound-rtp').map((s) => [s.id, s]));
      // Every stream receives 95 packets and loses 5 more than in the first report: 5 %.
      const second = edit(await load('receiver-2'), (s) => {
        const b = before.get(s.id);
        return b
          ? { ...s, packetsReceived: field(b, 'packetsReceived') + 95, packetsLost: field(b, 'packetsLost') + 5 }
          : s;
      });
      const sample = toStatsSample(second, 'recv', toStatsSample(first, 'recv'));
      expect(sample.lossPercent).to.be.closeTo(5, 1e-9);
      expect(sample.feeds!['1']!.lossPercent).to.be.closeTo(5, 1e-9);
      expect(sample.packetsLost).to.equal(5 * before.size);
    });

    it('weights interval loss by packets across feeds', async () => {
      const first = await load('receiver-1');
      const before = new Map(byType(first, 'inbound-rtp').map((s) => [String(s['mid']), s]));
      // mid 1: 90 received + 10 lost; mid 2: 300 received + 0 lost; audio: 100 + 0. 10 of 500.
      const plan: Record<string, [number, number]> = { '0': [100, 0], '1': [90, 10], '2': [300, 0] };
      const second = edit(await load('receiver-2'), (s) => {
        const mid = typeof s['mid'] === 'string' ? s['mid'] : undefined;
        const b = mid !== undefined && s.type === 'inbound-rtp' ? before.get(mid) : undefined;
        if (!b || !mid) return s;
        const [received, lost] = plan[mid]!;
        return {
          ...s,
          packetsReceived: field(b, 'packetsReceived') + received,
          packetsLost: field(b, 'packetsLost') + lost,
        };
      });
      const sample = toStatsSample(second, 'recv', toStatsSample(first, 'recv'));
      expect(sample.lossPercent).to.be.closeTo(2, 1e-9);
      expect(sample.feeds!['1']!.lossPercent).to.be.closeTo(10, 1e-9);
      expect(sample.feeds!['2']!.lossPercent).to.equal(0);
    });

    it('gives a feed that just appeared no rate, without disturbing the others', async () => {
      const first = edit(await load('receiver-1'), (s) =>
        s.type === 'inbound-rtp' && s['mid'] === '2' ? undefined : s,
      );
      const sample = toStatsSample(await load('receiver-2'), 'recv', toStatsSample(first, 'recv'));
      expect(sample.feeds!['2']!.bitrateKbps).to.equal(0);
      expect(sample.feeds!['1']!.bitrateKbps).to.be.greaterThan(200);
    });

    it('never reports a negative rate when counters restart (new PeerConnection)', async () => {
      const later = toStatsSample(await load('receiver-2'), 'recv');
      const restarted = edit(await load('receiver-2'), (s) =>
        s.type === 'inbound-rtp'
          ? { ...s, timestamp: s.timestamp + 1000, bytesReceived: 10, packetsReceived: 1, packetsLost: 0 }
          : s,
      );
      const sample = toStatsSample(restarted, 'recv', later);
      expect(sample.video.bitrateKbps).to.equal(0);
      expect(sample.audio.bitrateKbps).to.equal(0);
      expect(sample.lossPercent).to.equal(0);
    });

    it('ignores a previous sample of the other direction', async () => {
      const sender = toStatsSample(await load('sender-simulcast-1'), 'send');
      const sample = toStatsSample(await load('receiver-2'), 'recv', sender);
      expect(sample.video.bitrateKbps).to.equal(0);
    });
  });

  describe('candidates', () => {
    it('reads a relay pair over TCP from a real TURN capture (sender and receiver)', async () => {
      for (const [name, direction] of [
        ['relay-tcp-sender', 'send'],
        ['relay-tcp-receiver', 'recv'],
      ] as const) {
        const sample = toStatsSample(await load(name), direction);
        expect(sample.candidatePair, name).to.deep.equal({
          local: 'relay',
          remote: 'relay',
          relayProtocol: 'tcp',
          protocol: 'udp',
        });
        expect(sample.rttMs, name).to.be.within(0, 100);
      }
    });

    // Not captured: coturn ran without TLS and both ends were relayed. These variants edit
    // candidate fields of the real relay capture to cover the other mappings.
    it('maps TLS relays and other candidate types (derived from relay-tcp-sender)', async () => {
      const recorded = await load('relay-tcp-sender');
      const tls = edit(recorded, (s) =>
        s.type === 'local-candidate'
          ? { ...s, relayProtocol: 'tls' }
          : s.type === 'remote-candidate'
            ? { ...s, candidateType: 'srflx' }
            : s,
      );
      expect(toStatsSample(tls, 'send').candidatePair).to.deep.equal({
        local: 'relay',
        remote: 'srflx',
        relayProtocol: 'tls',
        protocol: 'udp',
      });
      const prflx = edit(recorded, (s) =>
        s.type === 'local-candidate' ? { ...s, candidateType: 'prflx', protocol: 'tcp' } : s,
      );
      // relayProtocol describes a relay candidate only.
      expect(toStatsSample(prflx, 'send').candidatePair).to.deep.equal({
        local: 'prflx',
        remote: 'relay',
        protocol: 'tcp',
      });
    });

    it('omits the pair when a candidate type is unknown or no pair is selected', async () => {
      const recorded = await load('relay-tcp-sender');
      const odd = edit(recorded, (s) => (s.type === 'local-candidate' ? { ...s, candidateType: 'weird' } : s));
      expect(toStatsSample(odd, 'send').candidatePair).to.equal(undefined);
      const none = edit(recorded, (s) => (s.type === 'candidate-pair' || s.type === 'transport' ? undefined : s));
      const sample = toStatsSample(none, 'send');
      expect(sample.candidatePair).to.equal(undefined);
      expect(sample.iceState).to.equal('unknown');
      // Without a pair RTT falls back to the RTCP round trip of the far end.
      const rtcpRtts = byType(recorded, 'remote-inbound-rtp').map((s) => field(s, 'roundTripTime') * 1000);
      expect(sample.rttMs).to.be.closeTo(Math.max(...rtcpRtts), 1e-9);
    });

    it('prefers the ICE state it is given over the transport one', async () => {
      const sample = toStatsSample(await load('relay-tcp-receiver'), 'recv', undefined, 'disconnected');
      expect(sample.iceState).to.equal('disconnected');
    });
  });

  describe('inputs', () => {
    it('accepts a Map keyed by id like RTCStatsReport', async () => {
      const stats = await load('receiver-2');
      const fromArray = toStatsSample(stats, 'recv');
      const fromMap = toStatsSample(new Map(stats.map((s) => [s.id, s])), 'recv');
      expect(fromMap).to.deep.equal(fromArray);
      expect(JSON.parse(JSON.stringify(fromArray))).to.deep.equal(fromArray);
    });

    it('accepts a live RTCStatsReport', async () => {
      const pc = new RTCPeerConnection();
      try {
        pc.addTransceiver('video', { direction: 'recvonly' });
        const report = await pc.getStats();
        const sample = toStatsSample(report, 'recv', undefined, pc.iceConnectionState);
        expect(sample.iceState).to.equal('new');
        expect(sample.timestamp).to.be.greaterThan(0);
        expect(sample.video.packets).to.equal(0);
      } finally {
        pc.close();
      }
    });

    it('gives a neutral sample for an empty report', () => {
      const sample = toStatsSample([], 'send');
      expect(sample).to.deep.equal({
        timestamp: 0,
        direction: 'send',
        iceState: 'unknown',
        packetsLost: 0,
        lossPercent: 0,
        audio: { bitrateKbps: 0, packets: 0 },
        video: { bitrateKbps: 0, packets: 0 },
        counters: {},
      });
    });
  });
});
