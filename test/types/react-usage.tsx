// Compiled (not run) by `npm test`: a React 19 page using the three tags through janus-widgets/react.
import type {} from '../../src/jsx/react.js';
import type { JanusErrorDetail } from '../../src/index.js';

export function Studio({ onError }: { onError: (detail: JanusErrorDetail) => void }) {
  return (
    <div>
      <janus-publisher
        server="wss://janus.example.com/ws"
        room="1234"
        display="Auctioneer"
        autostart
        maxBitrate={1_200_000}
        iceServers={[{ urls: 'turn:turn.example.com', username: 'u', credential: 'c' }]}
        onjanus-published={(event) => console.log(event.detail.feedId)}
        onjanus-error={(event) => onError(event.detail)}
      >
        <janus-stats slot="overlay" compact interval={2000} />
      </janus-publisher>
      <janus-viewer id="v" server="wss://janus.example.com/ws" room="1234" maxFeeds={4} quality="low" volume={0.5} />
      <janus-stats for="v" onjanus-stats={(event) => console.log(event.detail.connection)} />
      {/* @ts-expect-error volume is a number */}
      <janus-viewer volume="loud" />
      {/* @ts-expect-error the state is read-only */}
      <janus-viewer state="live" />
      {/* @ts-expect-error no such quality */}
      <janus-viewer quality="ultra" />
      {/* @ts-expect-error the detail of janus-error has no feedId */}
      <janus-viewer onjanus-error={(event) => console.log(event.detail.feedId)} />
    </div>
  );
}
