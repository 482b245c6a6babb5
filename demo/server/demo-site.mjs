// The demo site's server, shared by `npm start` and the demo tests: the repository's files (the
// pages under demo/, the built bundle under dist/), what the pages need to find the local stack, and
// a TURN REST endpoint like the one a site would run.
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
