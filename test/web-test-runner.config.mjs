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
