import { writeFileSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { defaultReporter } from '@web/test-runner';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { adminHandles, createRoom, listParticipants } from './janus-api.mjs';
import { startFakeJanus } from './fake-janus.mjs';

/**
 * Lets component tests in the browser reach the real stack started by test/run.mjs:
 * GET /__stack, POST /__room (body: room options), GET /__handles?session=N, GET /__participants?room=N,
 * and to scripted fake Janus servers (test/fake-janus.mjs): GET /__fake-janus?script=S starts one
 * and returns {id, url}; /__fake-janus/log?id=N returns what it saw; /__fake-janus/stop?id=N stops it.
 */
function stackPlugin() {
  const json = (body) => ({ body: JSON.stringify(body), type: 'application/json' });
  const fakes = new Map();
  let fakeIds = 0;
  return {
    name: 'janus-stack',
    async serve(context) {
      const query = new URLSearchParams(context.querystring);
      switch (context.path) {
        case '/__stack':
          return { body: process.env.E2E_STACK ?? '{}', type: 'application/json' };
        case '/__room': {
          const options = JSON.parse(query.get('options') ?? '{}');
          return json({ room: await createRoom(options) });
        }
        case '/__handles':
          return json({ handles: await adminHandles(Number(query.get('session'))) });
        case '/__participants':
          return json({ participants: await listParticipants(Number(query.get('room'))) });
        case '/__fake-janus': {
          const id = ++fakeIds;
          const fake = await startFakeJanus({ script: query.get('script') ?? '' });
          fakes.set(id, fake);
          return json({ id, url: fake.url });
        }
        case '/__fake-janus/log':
          return json(fakes.get(Number(query.get('id')))?.log ?? null);
        case '/__fake-janus/stop': {
          const id = Number(query.get('id'));
          await fakes.get(id)?.stop();
          fakes.delete(id);
          return json({ stopped: id });
        }
        default:
          return undefined;
      }
    },
  };
}

const turnHits = new Map();

/**
 * A scriptable TURN REST endpoint for unit tests (a middleware: plugins cannot set a status).
 * GET /__turn: `id` counts calls (GET /__turn-hits?id= reads the count), `delay` (ms) answers
 * late, `status` answers with that HTTP status, `failAfter=N` answers 503 after N good answers,
 * `body` replaces the answer, `ttl` (JSON) replaces only the lifetime, `rev` makes the credential
 * that text reversed (a secret that appears in no URL), `badUris` answers unusable uris.
 */
async function turnEndpoint(context, next) {
  if (context.path === '/__turn-hits') {
    context.type = 'application/json';
    context.body = JSON.stringify({ hits: turnHits.get(context.query.id) ?? 0 });
    return;
  }
  if (context.path !== '/__turn') return next();
  const query = new URLSearchParams(context.querystring);
  const id = query.get('id') ?? '';
  const count = (turnHits.get(id) ?? 0) + 1;
  turnHits.set(id, count);
  if (query.has('delay')) await new Promise((resolve) => setTimeout(resolve, Number(query.get('delay'))));
  const failAfter = query.has('failAfter') ? Number(query.get('failAfter')) : Infinity;
  context.set('cache-control', 'no-store');
  if (query.has('status') || count > failAfter) {
    context.status = Number(query.get('status') ?? 503);
    context.body = 'unavailable';
    return;
  }
  context.type = 'application/json';
  context.body = query.has('body')
    ? query.get('body')
    : JSON.stringify({
        username: `user-${count}`,
        credential: query.has('rev') ? [...query.get('rev')].reverse().join('') : `cred-${count}`,
        ttl: query.has('ttl') ? JSON.parse(query.get('ttl')) : 3600,
        uris: query.has('badUris') ? ['http://127.0.0.1:9/'] : ['turn:127.0.0.1:3478'],
      });
}

/** Writes `{passed, failed}` for test/run.mjs, which prints one summary line for all suites. */
function countingReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      const walk = (suite) => {
        for (const test of suite.tests) {
          if (test.skipped) continue;
          if (test.passed) passed++;
          else failed++;
        }
        for (const child of suite.suites) walk(child);
      };
      for (const session of sessions) {
        if (session.testResults) walk(session.testResults);
        // A file that failed to load has no tests but must still count as a failure.
        if (!session.passed && (!session.testResults || session.errors?.length)) failed++;
      }
      if (file) writeFileSync(file, JSON.stringify({ passed, failed }));
    },
  };
}

export default {
  rootDir: new URL('..', import.meta.url).pathname,
  files: ['test/unit/**/*.test.ts', 'test/components/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
  middleware: [turnEndpoint],
  plugins: [
    stackPlugin(),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: new URL('../tsconfig.json', import.meta.url).pathname }),
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
    }),
  ],
  reporters: [defaultReporter(), countingReporter(process.env.WTR_COUNT_FILE)],
};
