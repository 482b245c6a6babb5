// Compiled (not run) by `npm test`: a Vue 3 TSX component using the tags through janus-widgets/vue.
import { defineComponent, ref } from 'vue';
import type {} from '../../src/jsx/vue.js';

export const Watch = defineComponent(() => {
  const playing = ref(false);
  return () => (
    <div>
      <janus-viewer
        id="v"
        server="wss://janus.example.com/ws"
        room="1234"
        maxFeeds={2}
        quality="auto"
        onJanusPlaying={(event) => (playing.value = event.detail.feedId !== undefined)}
        onJanusQuality={(event) => console.log(event.detail.quality)}
      />
      <janus-stats for="v" compact />
      {/* @ts-expect-error maxFeeds is a number */}
      <janus-viewer maxFeeds="many" />
      {/* @ts-expect-error the detail of janus-state has no quality */}
      <janus-viewer onJanusState={(event) => console.log(event.detail.quality)} />
    </div>
  );
});
