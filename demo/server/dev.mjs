#!/usr/bin/env node
// `npm run dev` (contributor mode): the demo site of `npm start`, but Vite serves the TypeScript
// sources instead of the built bundle, so edits show at once.
import { fileURLToPath } from 'node:url';
import { DEMO_HLS_FOLDER, startDemoHls } from './demo-site.mjs';
import { ensureDependencies } from './deps.mjs';
import { ensureInstalled, startStack, turnRestCredentials } from './stack.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
await ensureDependencies(root);
await ensureInstalled();
const stack = await startStack();
const hls = await startDemoHls(root, stack);

const { createServer } = await import('vite');
const server = await createServer({
  configFile: `${root}vite.config.ts`,
  mode: 'development',
  server: { port: Number(process.env.DEMO_PORT ?? 5173), host: '127.0.0.1', strictPort: false },
  plugins: [
    {
      name: 'janus-widgets-demo',
      configureServer(vite) {
        // What the pages need to find the local stack, and a TURN REST endpoint like a site would run.
        vite.middlewares.use('/demo-config.json', (_request, response) => {
          response.setHeader('content-type', 'application/json');
          response.end(
            JSON.stringify({
              server: stack.janus.ws,
              turn: stack.turn.static,
              bundle: '/src/define.ts',
              hls: `/${DEMO_HLS_FOLDER}/index.m3u8`,
            }),
          );
        });
        vite.middlewares.use('/turn-credentials', (_request, response) => {
          response.setHeader('content-type', 'application/json');
          response.end(
            JSON.stringify({
              ...turnRestCredentials(stack.turn.rest.secret, 3600, 'demo'),
              uris: stack.turn.rest.urls,
            }),
          );
        });
      },
    },
  ],
});
await server.listen();
console.log('\n  janus-widgets demo (sources through Vite): open /demo/\n');
server.printUrls();
console.log(`\n  Janus: ${stack.janus.ws}   (Ctrl-C stops everything)\n`);

const stop = async () => {
  await server.close();
  await hls.stop();
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
