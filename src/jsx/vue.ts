// Typings for Vue 3: `import type {} from 'janus-widgets/vue'` once, and TSX knows the three tags,
// their properties and typed `onJanus*` listeners. Tell Vue they are custom elements too:
// `compilerOptions.isCustomElement = (tag) => tag.startsWith('janus-')`.
import type { HTMLAttributes } from 'vue';
import type { JanusPublisherProps, JanusStatsProps, JanusViewerProps, VueEventProps } from './props.js';

type Tag<Props> = HTMLAttributes & Props & VueEventProps;

declare module 'vue' {
  interface IntrinsicElementAttributes {
    'janus-publisher': Tag<JanusPublisherProps>;
    'janus-viewer': Tag<JanusViewerProps>;
    'janus-stats': Tag<JanusStatsProps>;
  }
}

export type { JanusPublisherProps, JanusStatsProps, JanusViewerProps, VueEventProps };
