import { expect } from '@open-wc/testing';
import { JanusWidgetError } from '../../src/core/errors.js';
import { parseViewerMode } from '../../src/core/validation.js';

function invalid(run: () => unknown): JanusWidgetError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(JanusWidgetError);
    expect((error as JanusWidgetError).code).to.equal('invalid-config');
    return error as JanusWidgetError;
  }
  throw new Error('expected invalid-config');
}

describe('parseViewerMode (hls, mode)', () => {
  it('defaults to webrtc without hls and to auto with it', () => {
    expect(parseViewerMode({})).to.deep.equal({ mode: 'webrtc' });
    expect(parseViewerMode({ hls: null, mode: null })).to.deep.equal({ mode: 'webrtc' });
    expect(parseViewerMode({ hls: 'https://cdn.example.com/live/index.m3u8' })).to.deep.equal({
      hls: 'https://cdn.example.com/live/index.m3u8',
      mode: 'auto',
    });
  });

  it('resolves a relative playlist against the page and keeps a forced mode', () => {
    const parsed = parseViewerMode({ hls: '/hls/1234/index.m3u8', mode: 'hls' });
    expect(parsed.mode).to.equal('hls');
    expect(parsed.hls).to.equal(new URL('/hls/1234/index.m3u8', location.href).href);
  });

  it('names the attribute when it is wrong', () => {
    expect(invalid(() => parseViewerMode({ hls: 'x', mode: 'fast' })).message).to.contain('mode attribute');
    expect(invalid(() => parseViewerMode({ hls: 'ftp://cdn.example.com/index.m3u8' })).message).to.contain(
      'hls attribute',
    );
    expect(invalid(() => parseViewerMode({ hls: 'https://u:p@cdn.example.com/index.m3u8' })).message).to.contain('hls');
    expect(invalid(() => parseViewerMode({ mode: 'hls' })).message).to.contain('hls attribute is missing');
  });
});
