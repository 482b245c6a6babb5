import { expect } from '@open-wc/testing';
import { hlsQuality } from '../../src/core/quality.js';
import { hlsRows } from '../../src/components/janus-stats/format.js';
import { STATS_STRINGS } from '../../src/components/janus-stats/janus-stats.js';

const text = (key: keyof typeof STATS_STRINGS) => STATS_STRINGS[key];

describe('HLS figures for <janus-stats>', () => {
  it('rates HLS playback by the media buffered ahead', () => {
    expect(hlsQuality({ buffer: 2.4 })).to.equal('good');
    expect(hlsQuality({ buffer: 1 })).to.equal('good');
    expect(hlsQuality({ buffer: 0.6 })).to.equal('fair');
    expect(hlsQuality({ buffer: 0.2 })).to.equal('poor');
    expect(hlsQuality({ buffer: 0 })).to.equal('bad');
  });

  it('keeps the same rows whether or not the playlist says its level and the latency is known', () => {
    const full = hlsRows(
      {
        engine: 'hls.js',
        level: { width: 1280, height: 720, bitrate: 2_400_000 },
        bitrate: 1_950_000,
        buffer: 1.8,
        latency: 2.34,
      },
      text,
    );
    expect(full).to.deep.equal([
      ['mode', 'Playing', 'HLS (hls.js)'],
      ['level', 'Level', '1280×720, 2400 kbit/s'],
      ['bitrate', 'Bitrate', '1950 kbit/s'],
      ['buffer', 'Buffer', '1.8 s'],
      ['latency', 'Behind live', '2.3 s'],
    ]);
    const bare = hlsRows({ engine: 'native', bitrate: 0, buffer: 0, latency: undefined }, text);
    expect(bare.map(([name]) => name)).to.deep.equal(full.map(([name]) => name));
    expect(bare[1]?.[2]).to.equal('—');
    expect(bare[4]?.[2]).to.equal('—');
  });
});
