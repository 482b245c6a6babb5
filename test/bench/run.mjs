#!/usr/bin/env node
// `npm run bench`: time to first decoded frame (viewer) and first video packets (publisher), widgets vs a
// hand-written janus.js page, in the same run on the real stack; plus bundle size. Prints a table.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from '../../demo/server/deps.mjs';
import { ensureInstalled, startStack } from '../../demo/server/stack.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BENCH_PORTS = {
  JANUS_WS_PORT: '19188',
  JANUS_HTTP_PORT: '19088',
  JANUS_ADMIN_PORT: '19089',
  TURN_PORT: '19478',
  TURN_REST_PORT: '19479',
  TURN_RELAY_RANGE: '49700-49720',
  TURN_REST_RELAY_RANGE: '49721-49740',
};
for (const [name, value] of Object.entries(BENCH_PORTS)) process.env[name] ||= value;

await ensureDependencies(root);
await ensureInstalled();
if (spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' }).status !== 0)
  process.exit(1);

const { chromium } = await import('playwright-core');
const { chromiumArgs, chromiumPath } = await import('../chromium.mjs');
const { startStaticServer } = await import('../../demo/server/static-server.mjs');
const stack = await startStack();
const server = await startStaticServer({ root });
process.env.E2E_STACK = JSON.stringify({ baseUrl: server.url, janus: stack.janus, turn: stack.turn });
const { createRoom } = await import('../janus-api.mjs');
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });

/** Records, in page time, when any PeerConnection first decodes video or first sends video packets. */
function watchPeerConnections() {
  const connections = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      connections.push(this);
    }
  };
  const poll = async () => {
    for (const pc of connections) {
      const report = await pc.getStats().catch(() => undefined);
      report?.forEach((entry) => {
        if (entry.kind !== 'video') return;
        if (entry.type === 'inbound-rtp' && entry.framesDecoded > 0) window.firstFrame ??= performance.now();
        if (entry.type === 'outbound-rtp' && entry.packetsSent > 0) window.firstPacket ??= performance.now();
      });
    }
    setTimeout(poll, 5);
  };
  poll();
}

async function measure(path, key) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.addInitScript(watchPeerConnections);
  await page.goto(server.url + path);
  const handle = await page.waitForFunction((key) => window[key], key, { timeout: 20000 });
  const value = await handle.jsonValue();
  await context.close();
  return value;
}

const query = (params) => new URLSearchParams(params).toString();
const ws = stack.janus.ws;
const room = await createRoom();
const publisherContext = await browser.newContext({ permissions: ['camera', 'microphone'] });
const publisherPage = await publisherContext.newPage();
await publisherPage.goto(
  `${server.url}/test/e2e/pages/tag.html?${query({ tag: 'janus-publisher', server: ws, room, autostart: '' })}`,
);
await publisherPage.waitForFunction(() => window.element?.state === 'live', undefined, { timeout: 20000 });
const feed = await publisherPage.evaluate(() => window.element.feedId);

const scenarios = [
  {
    group: 'viewer: navigation -> first decoded frame',
    name: 'plain janus.js (known feed, shortest flow)',
    baseline: true,
    path: `/test/bench/pages/plain-viewer.html?${query({ server: ws, room, feed })}`,
    key: 'firstFrame',
  },
  {
    group: 'viewer: navigation -> first decoded frame',
    name: '<janus-viewer room>',
    path: `/test/e2e/pages/tag.html?${query({ tag: 'janus-viewer', server: ws, room })}`,
    key: 'firstFrame',
  },
  {
    group: 'viewer: navigation -> first decoded frame',
    name: '<janus-viewer room feed>',
    path: `/test/e2e/pages/tag.html?${query({ tag: 'janus-viewer', server: ws, room, feed })}`,
    key: 'firstFrame',
  },
  {
    group: 'publisher: navigation -> first video packet sent',
    name: 'plain janus.js (join, offer, configure)',
    baseline: true,
    path: `/test/bench/pages/plain-publisher.html?${query({ server: ws, room })}`,
    key: 'firstPacket',
  },
  {
    group: 'publisher: navigation -> first video packet sent',
    name: '<janus-publisher autostart>',
    path: `/test/e2e/pages/tag.html?${query({ tag: 'janus-publisher', server: ws, room, autostart: '' })}`,
    key: 'firstPacket',
  },
];

const samples = new Map(scenarios.map((s) => [s, []]));
for (let run = 0; run < RUNS; run++) {
  // Interleaved, so drift in machine load hits every scenario alike.
  for (const scenario of scenarios) samples.get(scenario).push(await measure(scenario.path, scenario.key));
}
await browser.close();
await server.close();
await stack.stop();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = [];
let baseline;
for (const scenario of scenarios) {
  const values = samples.get(scenario);
  const m = median(values);
  if (scenario.baseline) baseline = m;
  rows.push([
    scenario.group,
    scenario.name,
    m.toFixed(0),
    Math.min(...values).toFixed(0),
    Math.max(...values).toFixed(0),
    (m / baseline).toFixed(2),
  ]);
}
const bundle = readFileSync(`${root}dist/janus-widgets.js`);
const table = [['measure', 'variant', 'median ms', 'min ms', 'max ms', 'x baseline'], ...rows];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
console.log(`\n${RUNS} runs each, interleaved, Chromium ${browser.version()}, fake 1280x720 camera\n`);
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, j) => cell.padEnd(widths[j])).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(
  `\nbundle dist/janus-widgets.js: ${(bundle.length / 1024).toFixed(1)} KB, ${(gzipSync(bundle, { level: 9 }).length / 1024).toFixed(1)} KB gzip`,
);

// Audio first under a real impaired network: the impairment scenarios, run once, ours vs degradation="off".
// BENCH_IMPAIRMENT=0 leaves them out (they take about 4 minutes and need root for network namespaces).
if (process.env.BENCH_IMPAIRMENT !== '0') {
  const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const folder = mkdtempSync(join(tmpdir(), 'janus-widgets-bench-'));
  const file = join(folder, 'impairment.json');
  const test = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=dot', 'test/e2e/impairment.e2e.ts'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, IMPAIRMENT_RESULTS: file },
    },
  );
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  rmSync(folder, { recursive: true, force: true });
  if (!results || Object.keys(results.audioFirst).length === 0) {
    console.log(
      `\nimpairment rows: not measured (the scenarios did not run${test.status === 0 ? ': no network namespaces here' : ', exit ' + test.status})`,
    );
  } else {
    const a = results.audioFirst;
    const o = results.off;
    const s = (ms) => (ms === undefined ? '-' : ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
    const n = (value, unit = '') => (value === undefined || value === null ? '-' : `${value.toFixed(1)}${unit}`);
    const impairmentRows = [
      ['300 kbit/s + 10 % loss: time to 4 s of steady video', s(a.steadyAfterMs), s(o.steadyAfterMs)],
      ['  frames per second in that window', n(a.fps), n(o.fps)],
      [`  audio packets/s (unimpaired ${n(a.audioRate)})`, n(a.impairedAudio), n(o.impairedAudio)],
      ['60 kbit/s: time to audio only', s(a.audioOnlyAfterMs), '-'],
      ['impairment removed: time back to the top layer', s(a.topAfterMs), s(o.topAfterMs)],
      ['layer switches per minute in steady state after that', n(a.switchesPerMinute), '-'],
      ['publisher uplink 250 kbit/s: time to fewer layers', s(a.uplinkShedAfterMs), '-'],
      ['publisher uplink 80 kbit/s: time to audio only', s(a.uplinkAudioOnlyAfterMs), '-'],
      ['  viewer audio packets/s meanwhile', n(a.uplinkAudioOnlyAudio), '-'],
      ['uplink cap removed: time to video at the viewer', s(a.uplinkVideoBackAfterMs), '-'],
    ];
    const head = ['under impairment (network namespaces, one run)', 'audio-first', 'off'];
    const all = [head, ...impairmentRows];
    const w = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
    console.log('');
    for (const [i, row] of all.entries()) {
      console.log(row.map((cell, j) => cell.padEnd(w[j])).join('  '));
      if (i === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
    }
  }
}
