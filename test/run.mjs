#!/usr/bin/env node
// The one test command (`npm test`): installs what is missing, type-checks, lints, checks the
// manifest, builds, starts the real stack, runs the browser and end-to-end suites, stops
// everything and prints one `N passed, N failed` line. Node built-ins only: it runs before `npm ci`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled, startStack } from '../demo/server/stack.mjs';
import { ensureDependencies } from '../demo/server/deps.mjs';
import { sortManifest } from './manifest-sort.mjs';

// Test ports differ from the demo's defaults, so `npm test` runs beside a running `npm start`.
const TEST_PORTS = {
  JANUS_WS_PORT: '18188',
  JANUS_HTTP_PORT: '18088',
  JANUS_ADMIN_PORT: '17088',
  TURN_PORT: '13478',
  TURN_REST_PORT: '13479',
  TURN_RELAY_RANGE: '49300-49340',
  TURN_REST_RELAY_RANGE: '49341-49380',
};
for (const [name, value] of Object.entries(TEST_PORTS)) process.env[name] ||= value;

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();
let passed = 0;
let failed = 0;

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Runs one check that counts as one test. */
async function check(name, command, args, options) {
  console.log(`\n=== ${name}`);
  const code = await run(command, args, options);
  if (code === 0) passed++;
  else {
    failed++;
    console.log(`✗ ${name} failed (exit ${code})`);
  }
  return code === 0;
}

async function manifestIsCurrent() {
  // cem treats --outdir as relative to the working directory, so the scratch folder lives in the
  // repo; it also rewrites package.json's `customElements` to that folder, so package.json is restored.
  const out = mkdtempSync(join(root, '.cem-check-'));
  const packageJson = readFileSync(join(root, 'package.json'));
  try {
    const code = await run(
      bin('cem'),
      ['analyze', '--litelement', '--globs', 'src/components/**/*.ts', '--outdir', relative(root, out)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (code !== 0) return 1;
    const fresh = sortManifest(readFileSync(join(out, 'custom-elements.json'), 'utf8'));
    const committedPath = join(root, 'custom-elements.json');
    const committed = existsSync(committedPath) ? readFileSync(committedPath, 'utf8') : '';
    if (fresh === committed) return 0;
    const freshLines = fresh.split('\n');
    const committedLines = committed.split('\n');
    const at = freshLines.findIndex((line, i) => line !== committedLines[i]);
    console.log('custom-elements.json differs from a fresh analysis: run `npm run manifest` and commit it.');
    console.log(
      `first difference at line ${at + 1}:\n  fresh:     ${freshLines[at]}\n  committed: ${committedLines[at]}`,
    );
    return 1;
  } finally {
    writeFileSync(join(root, 'package.json'), packageJson);
    rmSync(out, { recursive: true, force: true });
  }
}

function e2eFiles() {
  return readdirSync(join(root, 'test/e2e'))
    .filter((name) => name.endsWith('.e2e.ts'))
    .sort()
    .map((name) => `test/e2e/${name}`);
}

// TEST_SUITES=e2e (or checks,build,wtr) narrows a local run; CI runs everything.
const suites = new Set((process.env.TEST_SUITES ?? 'checks,build,wtr,e2e').split(','));

async function main() {
  await ensureDependencies(root);
  await ensureInstalled();

  if (suites.has('checks')) {
    await check('typecheck (tsc)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
    await check('types: React 19 usage compiles', bin('tsc'), ['-p', 'test/types/tsconfig.json']);
    await check('types: Vue 3 usage compiles', bin('tsc'), ['-p', 'test/types/tsconfig.vue.json']);
    await check('lint (lit-analyzer)', bin('lit-analyzer'), ['src/components', '--strict', '--quiet']);
    await check('format (prettier --check, config in package.json)', bin('prettier'), ['--check', '.']);
    console.log('\n=== manifest drift (custom-elements.json)');
    const manifestCode = await manifestIsCurrent();
    if (manifestCode === 0) passed++;
    else failed++;
  }
  const built = suites.has('build') ? await check('build', 'npm', ['run', '--silent', 'build:bundle']) : true;
  if (suites.has('build') && built) {
    await check(
      'bundle weight (dist/janus-widgets.js ≤ 40 KB gzip, lazy chunks relative, same folder)',
      process.execPath,
      ['test/bundle-check.mjs'],
    );
  }

  const stack = await startStack();
  const { startStaticServer } = await import('../demo/server/static-server.mjs');
  const server = await startStaticServer({ root, turn: stack.turn.rest });
  const stackInfo = JSON.stringify({ baseUrl: server.url, janus: stack.janus, turn: stack.turn });
  const env = { ...process.env, E2E_STACK: stackInfo };
  try {
    if (suites.has('wtr')) await runBrowserTests(stack, env);
    if (built && suites.has('e2e')) await runEndToEndTests(stack, env);
  } finally {
    await server.close();
    await stack.stop();
  }
}

async function runBrowserTests(stack, env) {
  console.log('\n=== unit and component tests (web-test-runner, Chromium)');
  const counts = join(stack.folder, 'wtr-counts.json');
  // WTR_FILES="test/unit/a.test.ts test/components/b.test.ts" narrows a local run, like E2E_FILES.
  const files = process.env.WTR_FILES ? ['--files', ...process.env.WTR_FILES.split(' ')] : [];
  const wtrCode = await run(bin('wtr'), ['--config', 'test/web-test-runner.config.mjs', ...files], {
    env: { ...env, WTR_COUNT_FILE: counts },
  });
  const wtr = existsSync(counts) ? JSON.parse(readFileSync(counts, 'utf8')) : { passed: 0, failed: 1 };
  passed += wtr.passed;
  failed += wtr.failed + (wtrCode !== 0 && wtr.failed === 0 ? 1 : 0);
}

async function runEndToEndTests(stack, env) {
  console.log('\n=== end-to-end tests (node:test, real Janus + coturn + Chromium)');
  const tap = join(stack.folder, 'e2e.tap');
  const e2eCode = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...(process.env.E2E_FILES ? process.env.E2E_FILES.split(' ') : e2eFiles()),
    ],
    { env },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + (e2eCode !== 0 && count('fail') === 0 ? 1 : 0);
}

try {
  await main();
} catch (error) {
  failed++;
  console.error(error);
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
