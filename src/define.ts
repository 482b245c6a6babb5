// Registers <janus-publisher>, <janus-viewer> and <janus-stats>: the entry of the CDN bundle.
import { JanusPublisher } from './components/janus-publisher/janus-publisher.js';
import { JanusStats } from './components/janus-stats/janus-stats.js';
import { JanusViewer } from './components/janus-viewer/janus-viewer.js';

export * from './index.js';

const elements: Record<string, CustomElementConstructor> = {
  'janus-publisher': JanusPublisher,
  'janus-stats': JanusStats,
  'janus-viewer': JanusViewer,
};

for (const [tag, element] of Object.entries(elements)) {
  // A page may load the bundle twice (CMS plugins): the first definition wins.
  if (!customElements.get(tag)) customElements.define(tag, element);
}
