// The demo site's server, shared by `npm start` and the demo tests: the repository's files (the
// pages under demo/, the built bundle under dist/), what the pages need to find the local stack, and
// a TURN REST endpoint like the one a site would run.
import { startStaticServer } from './static-server.mjs';

/**
 * @param {{ root: string, stack: { janus: { ws: string }, turn: { static: unknown, rest: { urls: string[], secret: string } } }, port?: number, bundle?: string }} options
 */
export function startDemoSite({ root, stack, port = 0, bundle = '/dist/janus-widgets.js' }) {
  return startStaticServer({
    root,
    port,
    turn: stack.turn.rest,
    json: { '/demo-config.json': { server: stack.janus.ws, turn: stack.turn.static, bundle } },
  });
}
