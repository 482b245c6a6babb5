#!/usr/bin/env node
// `npm start`: installs what is missing, builds the bundle when the sources changed, starts the local
// stack (Janus + coturn) and serves the demo site on the built dist/janus-widgets.js, as a site would.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './deps.mjs';
import { DEMO_HLS_FOLDER, startDemoHls, startDemoSite } from './demo-site.mjs';
import { ensureInstalled, startStack } from './stack.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
await ensureDependencies(root);
await ensureInstalled();

/** The newest modification time under a folder. */
function newest(folder) {
  return Math.max(
    ...readdirSync(folder, { withFileTypes: true }).map((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    }),
  );
}

const bundle = join(root, 'dist/janus-widgets.js');
if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest(join(root, 'src'))) {
  console.log('Building dist/janus-widgets.js...');
  const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}

const stack = await startStack();

const hls = await startDemoHls(root, stack);
const site = await startDemoSite({ root, stack, port: Number(process.env.DEMO_PORT ?? 5173) });
console.log(`\n  janus-widgets demo: ${site.url}/demo/\n`);
console.log(
  `  Janus: ${stack.janus.ws}   HLS of room 1234: /${DEMO_HLS_FOLDER}/index.m3u8   (Ctrl-C stops everything)\n`,
);

const stop = async () => {
  await site.close();
  await hls.stop();
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
