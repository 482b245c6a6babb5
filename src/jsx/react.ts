// JSX typings for React 19: `import type {} from 'janus-widgets/react'` once, and the three tags
// get their properties and typed `onjanus-*` listeners.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { JanusPublisher } from '../components/janus-publisher/janus-publisher.js';
import type { JanusStats } from '../components/janus-stats/janus-stats.js';
import type { JanusViewer } from '../components/janus-viewer/janus-viewer.js';
import type { JanusPublisherProps, JanusStatsProps, JanusViewerProps, ReactEventProps } from './props.js';

type Tag<E extends HTMLElement, Props> = DetailedHTMLProps<HTMLAttributes<E>, E> & Props & ReactEventProps;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'janus-publisher': Tag<JanusPublisher, JanusPublisherProps>;
      'janus-viewer': Tag<JanusViewer, JanusViewerProps>;
      'janus-stats': Tag<JanusStats, JanusStatsProps>;
    }
  }
}

export type { JanusPublisherProps, JanusStatsProps, JanusViewerProps, ReactEventProps };
