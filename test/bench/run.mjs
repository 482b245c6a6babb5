#!/usr/bin/env node
// `npm run bench`: time to first decoded frame (viewer) and first video at Janus (publisher), widgets vs a
// hand-written janus.js page, in the same run on the real stack; plus bundle size. Prints a table.
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
let stack = await startStack();
const server = await startStaticServer({ root });
process.env.E2E_STACK = JSON.stringify({ baseUrl: server.url, janus: stack.janus, turn: stack.turn });
const { createRoom } = await import('../janus-api.mjs');
// BENCH_CHROMIUM_ARGS: say Chromium's WebRTC log (`--enable-logging=stderr --vmodule=*/webrtc/video/*=2`, read
// with DEBUG=pw:browser), lined up against BENCH_TRACE by the epoch time each trace prints.
const extraArgs = (process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: [...chromiumArgs, ...extraArgs],
});
const TRACE = Boolean(process.env.BENCH_TRACE);
const LOAD_S = Number(process.env.BENCH_LOAD_S ?? 60);

/**
 * Init script of every bench page: records, per PeerConnection, when it was made, first decoded a
 * video frame and first sent a video packet (page time, and epoch time for events timed from Node),
 * plus a trace of the signalling and connection phases for BENCH_TRACE.
 */
function watchPeerConnections(tracing) {
  const connections = [];
  const trace = (label) => window.trace.push([performance.now(), label]);
  window.trace = [];
  window.connections = connections;
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      trace('ws new');
      this.addEventListener('open', () => trace('ws open'));
      this.addEventListener('message', (event) => {
        const m = JSON.parse(event.data);
        if (m.janus === 'ack') return;
        // Janus's "media" events say when it first received each kind (and simulcast layer) from us.
        const media =
          m.janus === 'media'
            ? `${m.type} mid ${m.mid}${m.substream === undefined ? '' : ` layer ${m.substream}`}`
            : '';
        trace(`<- ${m.janus} ${m.plugindata?.data?.videoroom ?? ''}${m.jsep ? ' +jsep' : ''}${media}`);
        const publishing = connections.at(-1);
        if (m.janus === 'media' && m.type === 'video' && m.receiving && publishing && !publishing.janusVideo)
          publishing.janusVideo = performance.now();
      });
    }
    send(data) {
      const m = JSON.parse(data);
      if (m.janus !== 'keepalive') trace(`-> ${m.janus} ${m.body?.request ?? ''}${m.jsep ? ' +jsep' : ''}`);
      super.send(data);
    }
  };
  // A heartbeat: a gap means the main thread was busy for that long.
  let beat = performance.now();
  const heartbeat = () => {
    if (!tracing) return;
    const now = performance.now();
    if (now - beat > 8) trace(`main thread busy ${(now - beat).toFixed(0)} ms`);
    beat = now;
    if (now < 5000) setTimeout(heartbeat, 1);
  };
  heartbeat();
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    trace(`gum ${JSON.stringify(constraints)}`);
    const stream = await getUserMedia(constraints);
    trace('gum done');
    return stream;
  };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      const record = {
        created: performance.now(),
        firstFrame: undefined,
        firstPacket: undefined,
        janusVideo: undefined,
        frameEpoch: undefined,
      };
      connections.push(record);
      trace('pc new');
      this.addEventListener('iceconnectionstatechange', () => trace(`ice ${this.iceConnectionState}`));
      this.addEventListener('connectionstatechange', () => trace(`pc ${this.connectionState}`));
      // A receiver's synchronization sources are updated as each decoded frame is delivered, with no
      // cache; getStats() caches its report for 50 ms in Chromium, which would blur the first frame.
      const watchFrames = () => {
        if (this.signalingState === 'closed' || record.firstFrame) return;
        const receivers = this.getReceivers().filter((r) => r.track.kind === 'video');
        if (receivers.some((r) => r.getSynchronizationSources().length > 0)) {
          record.firstFrame = performance.now();
          record.frameEpoch = Date.now();
          trace('first frame decoded');
          return;
        }
        setTimeout(watchFrames, 1);
      };
      watchFrames();
      const poll = async () => {
        if (this.signalingState === 'closed') return;
        const report = await this.getStats().catch(() => undefined);
        report?.forEach((entry) => {
          if (entry.kind !== 'video') return;
          if (entry.type === 'inbound-rtp' && entry.packetsReceived > 0 && !record.firstRtp) {
            record.firstRtp = performance.now();
            trace('first rtp in (getStats)');
          }
          if (entry.type === 'outbound-rtp' && entry.packetsSent > 0 && !record.firstPacket) {
            record.firstPacket = performance.now();
            trace('first packet sent (getStats)');
          }
        });
        if (!record.firstRtp && !record.firstPacket) setTimeout(poll, 5);
      };
      poll();
    }
    setLocalDescription(...args) {
      trace(`set local ${args[0]?.type ?? ''} ${args[0]?.sdp?.match(/a=setup:\w+/)?.[0] ?? ''}`);
      return super.setLocalDescription(...args);
    }
    setRemoteDescription(...args) {
      trace(`set remote ${args[0]?.type ?? ''}`);
      return super.setRemoteDescription(...args);
    }
  };
}

async function openPage(path) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.addInitScript(watchPeerConnections, TRACE);
  await page.goto(server.url + path);
  await page.waitForFunction(() => window.ready, undefined, { timeout: 20000 });
  return { page, close: () => context.close() };
}

/** Starts `call` in the page and waits until a PeerConnection made after it reaches `key`; ms from the call. */
async function timed(page, call, key) {
  const t0 = await page.evaluate(call);
  const handle = await page.waitForFunction(
    ({ t0, key }) => {
      const found = window.connections.filter((c) => c.created >= t0 && c[key]).map((c) => c[key]);
      return found.length > 0 && Math.min(...found) - t0;
    },
    { t0, key },
    { timeout: 20000 },
  );
  const ms = await handle.jsonValue();
  if (TRACE) {
    const trace = await page.evaluate(() =>
      [...window.trace, ...performance.getEntriesByType('mark').map((m) => [m.startTime, `mark ${m.name}`])].sort(
        (a, b) => a[0] - b[0],
      ),
    );
    const lines = trace.filter(([t]) => t >= t0).map(([t, label]) => `${(t - t0).toFixed(0).padStart(5)} ${label}`);
    const origin = await page.evaluate(() => performance.timeOrigin);
    console.log(`\n--- ${call.name} t0 epoch ${new Date(origin + t0).toISOString()}\n${lines.join('\n')}`);
  }
  return ms;
}

const query = (params) => new URLSearchParams(params).toString();
const ws = stack.janus.ws;
const room = await createRoom();
const PLAIN = '/test/bench/pages/plain.html';
const INSERT = '/test/bench/pages/insert.html';
const publisher = await openPage(INSERT);
const feed = await publisher.page.evaluate(
  async ([server, room]) => {
    const element = document.getElementById(window.insert('janus-publisher', { server, room, autostart: '' }));
    await new Promise((resolve) => element.addEventListener('janus-published', resolve, { once: true }));
    return element.feedId;
  },
  [ws, room],
);

// Each scenario opens a fresh context on a page that already loaded its code, then times from the call.
// page.evaluate takes one argument: bind the parameters into small named calls instead.
function call(name, fn, arg) {
  const wrapped = new Function(`return (${fn})(${JSON.stringify(arg)})`);
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}
const scenarios = [];
const subscribePlain = (arg) => {
  const t0 = performance.now();
  window.subscribe(arg);
  return t0;
};
const insertTag = ([tag, attributes]) => {
  const t0 = performance.now();
  window.insert(tag, attributes);
  return t0;
};
const publishPlain = (arg) => {
  const t0 = performance.now();
  window.publish(arg);
  return t0;
};
const twice = (first, second) => async (page) => {
  await timed(page, first, 'firstFrame');
  return timed(page, second, 'firstFrame');
};
const V = 'viewer: insert / call -> first decoded frame';
const V2 = 'second viewer on the same page (shared session)';
const P = 'publisher: insert / call -> Janus receives our first video';
scenarios.push(
  {
    group: V,
    name: 'plain janus.js (listparticipants + subscribe)',
    baseline: true,
    page: PLAIN,
    run: (page) => timed(page, call('plain viewer', subscribePlain, { server: ws, room }), 'firstFrame'),
  },
  {
    group: V,
    name: '<janus-viewer room>',
    page: INSERT,
    run: (page) => timed(page, call('viewer room', insertTag, ['janus-viewer', { server: ws, room }]), 'firstFrame'),
  },
  {
    group: V,
    name: 'plain janus.js (known feed: subscribe)',
    page: PLAIN,
    run: (page) => timed(page, call('plain viewer feed', subscribePlain, { server: ws, room, feed }), 'firstFrame'),
  },
  {
    group: V,
    name: '<janus-viewer room feed>',
    page: INSERT,
    run: (page) =>
      timed(page, call('viewer feed', insertTag, ['janus-viewer', { server: ws, room, feed }]), 'firstFrame'),
  },
  {
    group: V2,
    name: 'plain janus.js (second subscribe)',
    baseline: true,
    page: PLAIN,
    run: twice(
      call('plain 1', subscribePlain, { server: ws, room }),
      call('plain 2', subscribePlain, { server: ws, room }),
    ),
  },
  {
    group: V2,
    name: '<janus-viewer room> x2',
    page: INSERT,
    run: twice(
      call('viewer 1', insertTag, ['janus-viewer', { server: ws, room }]),
      call('viewer 2', insertTag, ['janus-viewer', { server: ws, room }]),
    ),
  },
  {
    group: P,
    name: 'plain janus.js (join, capture + offer, configure)',
    baseline: true,
    page: PLAIN,
    run: (page) => timed(page, call('plain publisher', publishPlain, { server: ws, room }), 'janusVideo'),
  },
  {
    group: P,
    name: '<janus-publisher autostart>',
    page: INSERT,
    run: (page) =>
      timed(page, call('publisher', insertTag, ['janus-publisher', { server: ws, room, autostart: '' }]), 'janusVideo'),
  },
);

// BENCH_COMPARE=dist/base (a folder under the project with another build, e.g. `vite build --outDir dist/base`
// in a worktree of the base commit): every widget row again with that build, interleaved with the rest, for an
// A/B of two builds in one run.
const compare = process.env.BENCH_COMPARE;
if (compare) {
  const bundle = `/${compare.replace(/^\.?\/|\/$/g, '')}/janus-widgets.js`;
  for (const scenario of scenarios.filter((s) => s.page === INSERT)) {
    const index = scenarios.indexOf(scenario);
    scenarios.splice(index + 1, 0, {
      ...scenario,
      name: `${scenario.name} (${compare})`,
      page: `${INSERT}?bundle=${bundle}`,
    });
  }
}

// BENCH_ONLY=viewer (or publisher, second) keeps the start-up rows of that measure and their baseline.
const only = process.env.BENCH_ONLY;
if (only) scenarios.splice(0, Infinity, ...scenarios.filter((s) => s.group.startsWith(only)));
const samples = new Map(scenarios.map((s) => [s, []]));
for (let run = 0; run < RUNS; run++) {
  // Interleaved, so drift in machine load hits every scenario alike.
  for (const scenario of scenarios) {
    const { page, close } = await openPage(scenario.page);
    samples.get(scenario).push(await scenario.run(page));
    await close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * A 90 % bootstrap interval of the ratio of two medians (each sample resampled on its own): the
 * medians of one build move by 10-15 % between runs here, so a ratio is read with its interval.
 */
function ratioInterval(values, baselineValues, rounds = 2000) {
  const resample = (list) => list.map(() => list[Math.floor(Math.random() * list.length)]);
  const ratios = Array.from({ length: rounds }, () => median(resample(values)) / median(resample(baselineValues)));
  ratios.sort((a, b) => a - b);
  return [ratios[Math.floor(rounds * 0.05)], ratios[Math.floor(rounds * 0.95)]];
}

const results = { date: new Date().toISOString(), chromium: browser.version(), runs: RUNS, startup: [], bundle: {} };
const rows = [];
let baseline;
let baselineValues;
for (const scenario of scenarios) {
  const values = samples.get(scenario);
  const m = median(values);
  if (scenario.baseline) [baseline, baselineValues] = [m, values];
  const ratio = m / baseline;
  const interval = scenario.baseline ? undefined : ratioInterval(values, baselineValues);
  results.startup.push({ group: scenario.group, name: scenario.name, median: m, values, ratio, interval });
  rows.push([
    scenario.group,
    scenario.name,
    m.toFixed(0),
    Math.min(...values).toFixed(0),
    Math.max(...values).toFixed(0),
    ratio.toFixed(2),
    interval ? interval.map((r) => r.toFixed(2)).join('-') : '',
  ]);
}
printTable(
  `${RUNS} runs each, interleaved, fresh context each, code loaded before timing; Chromium ${browser.version()}, fake 1280x720 camera`,
  [['measure', 'variant', 'median ms', 'min ms', 'max ms', 'x baseline', '90% interval'], ...rows],
);

/** Janus restarted under a live publisher and viewer: time from Janus back up to the viewer's next frame. */
async function reconnectAfterRestart(restarts) {
  const server = stack.janus.ws;
  const fixedRoom = 1234; // rooms made at run time die with Janus
  const host = await openPage(INSERT);
  await host.page.evaluate(
    ([server, room]) => (
      window.insert('janus-publisher', { server, room, autostart: '' }),
      window.insert('janus-viewer', { server, room })
    ),
    [server, fixedRoom],
  );
  const frames = () =>
    host.page.evaluate(() => window.connections.filter((c) => c.frameEpoch).map((c) => c.frameEpoch));
  const waitForFrameAfter = async (since) => {
    for (;;) {
      const later = (await frames()).filter((t) => t >= since);
      if (later.length > 0) return Math.min(...later);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await waitForFrameAfter(0);
  const values = [];
  for (let i = 0; i < restarts; i++) {
    await stack.stop();
    stack = await startStack();
    const upAt = Date.now();
    values.push((await waitForFrameAfter(upAt)) - upAt);
  }
  await host.close();
  return values;
}

/** One page holding a publisher and 9 viewer tiles for LOAD_S: renderer CPU time, main-thread time and JS heap. */
async function load(variant) {
  const loadRoom = await createRoom();
  const { page, close } = await openPage(variant.page);
  await page.evaluate(variant.setup, { server: stack.janus.ws, room: loadRoom, stats: variant.stats });
  await page.waitForFunction(() => window.connections.filter((c) => c.firstFrame).length >= 9, undefined, {
    timeout: 60000,
  });
  const cdp = await page.context().newCDPSession(page);
  const browserCdp = await browser.newBrowserCDPSession();
  await cdp.send('Performance.enable');
  const metrics = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const rendererCpu = async () =>
    (await browserCdp.send('SystemInfo.getProcessInfo')).processInfo
      .filter((p) => p.type === 'renderer')
      .reduce((sum, p) => sum + p.cpuTime, 0);
  const [m0, cpu0] = [await metrics(), await rendererCpu()];
  await new Promise((resolve) => setTimeout(resolve, LOAD_S * 1000));
  const [m1, cpu1] = [await metrics(), await rendererCpu()];
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await metrics()).JSHeapUsedSize;
  await browserCdp.detach();
  await close();
  return {
    name: variant.name,
    rendererCpuPercent: ((cpu1 - cpu0) / LOAD_S) * 100,
    mainThreadMsPerS: ((m1.TaskDuration - m0.TaskDuration) / LOAD_S) * 1000,
    scriptMsPerS: ((m1.ScriptDuration - m0.ScriptDuration) / LOAD_S) * 1000,
    heapMb: heap / 1024 / 1024,
  };
}

const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 5);
if (RESTARTS > 0) {
  const restartValues = await reconnectAfterRestart(RESTARTS);
  results.reconnect = restartValues;
  printTable('Janus restarted under a live viewer (and its publisher): Janus back -> next decoded frame', [
    ['restarts', 'median ms', 'min ms', 'max ms', 'all'],
    [
      String(restartValues.length),
      median(restartValues).toFixed(0),
      Math.min(...restartValues).toFixed(0),
      Math.max(...restartValues).toFixed(0),
      restartValues.join(' '),
    ],
  ]);
}

if (LOAD_S > 0) {
  const tiles = async ({ server, room, stats }) => {
    window.insert('janus-publisher', { server, room, autostart: '' });
    for (let i = 0; i < 9; i++) window.insert('janus-viewer', { server, room }, stats);
  };
  const variants = [
    {
      name: 'plain janus.js: publisher + 9 subscribers',
      page: PLAIN,
      setup: async ({ server, room }) => {
        await window.publish({ server, room });
        // Subscribers need a publisher in the room: wait for its first packets.
        while (!window.connections.some((c) => c.firstPacket)) await new Promise((resolve) => setTimeout(resolve, 50));
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (let i = 0; i < 9; i++) window.subscribe({ server, room });
      },
    },
    { name: 'widgets: publisher + 9 <janus-viewer>', page: INSERT, setup: tiles, stats: false },
    { name: 'widgets: the same with 9 <janus-stats>', page: INSERT, setup: tiles, stats: true },
  ].map((v) => ({ ...v, setup: new Function(`return (${v.setup})(arguments[0])`) }));
  const loadRows = [];
  for (const variant of variants) loadRows.push(await load(variant));
  results.load = loadRows;
  printTable(`${LOAD_S} s with one publisher and 9 viewer tiles (320x180) on one page`, [
    ['page', 'renderer CPU %', 'main thread ms/s', 'script ms/s', 'JS heap MB (after GC)'],
    ...loadRows.map((r) => [
      r.name,
      r.rendererCpuPercent.toFixed(0),
      r.mainThreadMsPerS.toFixed(1),
      r.scriptMsPerS.toFixed(1),
      r.heapMb.toFixed(1),
    ]),
  ]);
}

await browser.close();
await server.close();
await stack.stop();

const { bundleReport, bundleFloor, kb, BUNDLE_LIMIT_KB } = await import('../bundle-check.mjs');
const bundle = bundleReport();
const floor = await bundleFloor();
results.bundle = { bytes: bundle.bytes, gzip: bundle.gzip, floorGzip: floor, chunks: bundle.chunks };
console.log(
  `\nbundle dist/janus-widgets.js: ${kb(bundle.bytes)} KB, ${kb(bundle.gzip)} KB gzip (budget ${BUNDLE_LIMIT_KB} KB) vs ${kb(floor)} KB gzip for lit + janus.js + webrtc-adapter bundled alone (this run): ${(bundle.gzip / floor).toFixed(2)}x the floor; lazy chunks ${bundle.chunks.map((c) => `${c.file} ${kb(c.gzip)}`).join(', ')} KB gzip`,
);

function printTable(title, table) {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log(`\n${title}\n`);
  for (const [i, row] of table.entries()) {
    console.log(row.map((cell, j) => cell.padEnd(widths[j])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

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
  const impairment = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  rmSync(folder, { recursive: true, force: true });
  if (!impairment || Object.keys(impairment.audioFirst).length === 0) {
    console.log(
      `\nimpairment rows: not measured (the scenarios did not run${test.status === 0 ? ': no network namespaces here' : ', exit ' + test.status})`,
    );
  } else {
    const a = impairment.audioFirst;
    const o = impairment.off;
    results.impairment = impairment;
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

const { writeFileSync } = await import('node:fs');
writeFileSync(`${root}bench-results.json`, JSON.stringify(results, null, 2));
console.log('\nJSON: bench-results.json');
