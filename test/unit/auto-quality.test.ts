import { expect } from '@open-wc/testing';
import { AutoQuality } from '../../src/controllers/auto-quality.js';
import type { AutoQualityHost } from '../../src/controllers/auto-quality-controller.js';
import type { Quality, RoomViewer, WatchedFeed } from '../../src/core/room-viewer.js';
import { StatsSampler } from '../../src/core/stats-sampler.js';

/** A viewer element's part the policy talks to: one tile per feed, setQuality recorded. */
function hostWith(feeds: WatchedFeed[], quality = 'auto') {
  const asked: Array<{ feedId: number | string; quality: Quality }> = [];
  const root = document.createElement('div');
  for (const feed of feeds) {
    const tile = document.createElement('div');
    tile.setAttribute('part', 'tile');
    tile.dataset['feed'] = String(feed.feedId);
    tile.style.width = '1280px';
    tile.style.height = '720px';
    root.append(tile);
  }
  document.body.append(root);
  const viewer = {
    setQuality: async (feedId: number | string, wanted: Quality) => void asked.push({ feedId, quality: wanted }),
  } as unknown as RoomViewer;
  const host: AutoQualityHost = {
    quality,
    degradation: 'audio-first',
    feeds,
    renderRoot: root,
    viewer,
    sampler: new StatsSampler({ direction: 'recv' }),
    ladderChanged: () => {},
    addController: () => {},
    removeController: () => {},
    requestUpdate: () => {},
    updateComplete: Promise.resolve(true),
  };
  return { host, asked, root };
}

const nextFrames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

describe('AutoQuality', () => {
  it('waits for the first frame of a playing feed before choosing its layer', async () => {
    const feed = { feedId: 1, stream: new MediaStream() } as WatchedFeed;
    const { host, asked, root } = hostWith([feed]);
    const policy = new AutoQuality(host);
    policy.connect();
    policy.observeTiles();
    await nextFrames();
    expect(asked).to.deep.equal([]);
    policy.firstFrame(1);
    expect(asked).to.deep.equal([{ feedId: 1, quality: 'high' }]);
    policy.disconnect();
    root.remove();
  });

  it('resumes a feed whose video a reconnect left paused, although it never showed a frame', async () => {
    // After a reconnect the viewer re-applies the last choice (audio only) to the fresh subscription:
    // no frame can come, so waiting for one would keep the video off for good.
    const feed = { feedId: 1, stream: new MediaStream(), quality: 'audio' } as WatchedFeed;
    const { host, asked, root } = hostWith([feed]);
    const policy = new AutoQuality(host);
    policy.connect();
    policy.observeTiles();
    await nextFrames();
    expect(asked).to.deep.equal([{ feedId: 1, quality: 'high' }]);
    policy.disconnect();
    root.remove();
  });

  it('under a manual quality, resumes such a paused feed at that quality', async () => {
    const feed = { feedId: 1, stream: new MediaStream(), quality: 'audio' } as WatchedFeed;
    const { host, asked, root } = hostWith([feed], 'medium');
    const policy = new AutoQuality(host);
    policy.connect();
    expect(asked).to.deep.equal([{ feedId: 1, quality: 'medium' }]);
    policy.disconnect();
    root.remove();
  });
});
