// The demo site's server, shared by `npm start` and the demo tests: the repository's files (the
// pages under demo/, the built bundle under dist/), what the pages need to find the local stack, and
// a TURN REST endpoint like the one a site would run.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startHlsBridge } from './hls-bridge.mjs';
import { startStaticServer } from './static-server.mjs';

/** Where the demo's HLS bridge writes room 1234 (inside the repository, so the site serves it; ignored by git). */
export const DEMO_HLS_FOLDER = 'demo/.hls/1234';

/**
 * @param {{ root: string, stack: { janus: { ws: string }, turn: { static: unknown, rest: { urls: string[], secret: string } } }, port?: number, bundle?: string }} options
 */
export function startDemoSite({ root, stack, port = 0, bundle = '/dist/janus-widgets.js' }) {
  return startStaticServer({
    root,
    port,
    turn: stack.turn.rest,
    json: {
      '/demo-config.json': {
        server: stack.janus.ws,
        turn: stack.turn.static,
        bundle,
        hls: `/${DEMO_HLS_FOLDER}/index.m3u8`,
      },
    },
  });
}

/**
 * The reference HLS deployment for the demo room, writing where the site serves it; `stop()` also
 * removes the segments.
 * @param {string} root
 * @param {{ janus: { http: string } }} stack
 */
export async function startDemoHls(root, stack) {
  const folder = join(root, DEMO_HLS_FOLDER);
  const bridge = await startHlsBridge({ janus: stack.janus.http, room: 1234, folder });
  return {
    async stop() {
      await bridge.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
