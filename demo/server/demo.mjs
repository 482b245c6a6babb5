#!/usr/bin/env node
// `npm start`: installs what is missing, starts the local stack (Janus + coturn) and serves demo/ with Vite.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './deps.mjs';
import { startHlsBridge } from './hls-bridge.mjs';
import { ensureInstalled, startStack, turnRestCredentials } from './stack.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
await ensureDependencies(root);
await ensureInstalled();
const stack = await startStack();
// The reference HLS deployment for the demo room: the folder is served below at /hls/1234/.
const hlsRoot = mkdtempSync(join(tmpdir(), 'janus-widgets-hls-'));
const bridge = await startHlsBridge({ janus: stack.janus.http, room: 1234, folder: join(hlsRoot, '1234') });
const HLS_TYPES = { '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t' };

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
            JSON.stringify({ server: stack.janus.ws, turn: stack.turn.static, hls: '/hls/1234/index.m3u8' }),
          );
        });
        vite.middlewares.use('/hls/1234', (request, response) => {
          const name = basename(new URL(request.url ?? '/', 'http://localhost').pathname);
          const type = HLS_TYPES[name.slice(name.lastIndexOf('.'))];
          try {
            if (!type) throw new Error('not HLS');
            const body = readFileSync(join(bridge.folder, name));
            // The playlist changes every second; segments never change once written.
            response.setHeader('cache-control', name.endsWith('.m3u8') ? 'no-cache' : 'max-age=60');
            response.setHeader('content-type', type);
            response.end(body);
          } catch {
            response.statusCode = 404;
            response.end('not found');
          }
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
console.log('\n  janus-widgets demo\n');
server.printUrls();
console.log(`\n  Janus: ${stack.janus.ws}   HLS of room 1234: /hls/1234/index.m3u8   (Ctrl-C stops everything)\n`);

const stop = async () => {
  await server.close();
  await bridge.stop();
  rmSync(hlsRoot, { recursive: true, force: true });
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
