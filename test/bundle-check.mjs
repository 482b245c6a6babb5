#!/usr/bin/env node
// The weight of the CDN bundle (issue 13): dist/janus-widgets.js at most BUNDLE_LIMIT_KB gzip, with
// nothing to fetch before it runs (no static import), and every lazy chunk a same-origin file next
// to it, imported relative to the bundle (`import("./janus-widgets-….js")`), so the bundle works from
// any folder of any origin; and V8's compile hint on its first line. `node test/bundle-check.mjs`
// checks the built dist/ (npm test runs it after the build); `npm run bench` reports the same
// figures with bundleFloor() beside them.
// Node built-ins only, but bundleFloor() uses the project's Vite.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUNDLE_LIMIT_KB = 40;
const root = fileURLToPath(new URL('..', import.meta.url));

/** Gzip size the way the bench has always measured it (level 9), in bytes. */
export const gzipBytes = (buffer) => gzipSync(buffer, { level: 9 }).length;
export const kb = (bytes) => (bytes / 1024).toFixed(1);

const STATIC_IMPORT =
  /(?:^|[;}\s])(?:import\s*(?:[\w$*{][^;'"`]*?from\s*)?|export\s*(?:\*|\{[^}]*\})\s*from\s*)(['"`])([^'"`]+)\1/g;
const DYNAMIC_IMPORT = /\bimport\(\s*(['"`])([^'"`]*)\1\s*\)|\bimport\(\s*(?!['"`])/g;
const COMPILE_HINT = '//# allFunctionsCalledOnLoad';
const CHUNK = /^\.\/janus-widgets-[\w-]+\.js$/;

/** Sizes of the bundle and its lazy chunks (followed from the bundle), and what is wrong with them. */
export function bundleReport(dist = join(root, 'dist')) {
  const problems = [];
  const entry = join(dist, 'janus-widgets.js');
  if (!existsSync(entry)) return { problems: [`${entry} is missing: build it first (vite build)`], chunks: [] };
  const code = readFileSync(entry);
  const report = { bytes: code.length, gzip: gzipBytes(code), chunks: [], problems };
  // V8 honours the compile hint only as the script's first line (see vite.config.ts).
  if (!code.toString().startsWith(`${COMPILE_HINT}\n`)) {
    problems.push(
      `dist/janus-widgets.js does not start with ${COMPILE_HINT}: its functions would compile on first call`,
    );
  }
  for (const [, , specifier] of code.toString().matchAll(STATIC_IMPORT)) {
    problems.push(`dist/janus-widgets.js imports ${specifier} statically: the bundle must run on its own`);
  }
  const seen = new Set();
  /** Records a chunk `file` refers to (dynamically, or statically from another chunk), then its own imports. */
  const visit = (file, specifier) => {
    if (!CHUNK.test(specifier)) {
      problems.push(`${file} imports ${specifier}: lazy chunks must be ./janus-widgets-*.js, next to the bundle`);
      return;
    }
    if (seen.has(specifier)) return;
    seen.add(specifier);
    const path = join(dist, specifier);
    if (!existsSync(path)) {
      problems.push(`${file} imports ${specifier}, which is not in dist/`);
      return;
    }
    const chunk = readFileSync(path);
    report.chunks.push({ file: specifier.slice(2), bytes: chunk.length, gzip: gzipBytes(chunk) });
    // A chunk may import the bundle and other chunks, always relative and in the same folder.
    for (const [, , imported] of chunk.toString().matchAll(STATIC_IMPORT)) {
      if (imported !== './janus-widgets.js') visit(specifier, imported);
    }
    follow(specifier, chunk.toString());
  };
  const follow = (file, text) => {
    for (const match of text.matchAll(DYNAMIC_IMPORT)) {
      if (match[2] === undefined) problems.push(`${file} has a dynamic import of a computed specifier: ${match[0]}…`);
      else visit(file, match[2]);
    }
  };
  follow('dist/janus-widgets.js', code.toString());
  if (report.gzip > BUNDLE_LIMIT_KB * 1024) {
    problems.push(
      `dist/janus-widgets.js is ${kb(report.gzip)} KB gzip, over the ${BUNDLE_LIMIT_KB} KB budget: move code only some pages need into a lazy chunk (see README, "Bundle size")`,
    );
  }
  return report;
}

/**
 * The floor of the bundle's parts: lit, janus.js and webrtc-adapter bundled alone (minified, one ES
 * module keeping all their exports), built now with the project's Vite so both figures come from one run.
 */
export async function bundleFloor() {
  const { build } = await import('vite');
  const id = '\0janus-widgets-floor';
  const output = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    plugins: [
      {
        name: 'floor-entry',
        resolveId: (source) => (source === id ? id : undefined),
        load: (source) =>
          source === id
            ? "export * from 'lit'; export { default as Janus } from 'janus-gateway'; export { default as adapter } from 'webrtc-adapter';"
            : undefined,
      },
    ],
    build: {
      write: false,
      target: 'es2022',
      modulePreload: false,
      rollupOptions: {
        input: id,
        preserveEntrySignatures: 'strict',
        output: { format: 'es' },
        onwarn: () => {},
      },
    },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
  return chunks.reduce((sum, chunk) => sum + gzipBytes(Buffer.from(chunk.code)), 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = bundleReport();
  if (report.gzip !== undefined) {
    console.log(
      `dist/janus-widgets.js: ${kb(report.bytes)} KB, ${kb(report.gzip)} KB gzip (budget ${BUNDLE_LIMIT_KB} KB)`,
    );
    for (const chunk of report.chunks) {
      console.log(`  lazy ${chunk.file}: ${kb(chunk.bytes)} KB, ${kb(chunk.gzip)} KB gzip`);
    }
  }
  for (const problem of report.problems) console.log(`✗ ${problem}`);
  process.exit(report.problems.length === 0 ? 0 : 1);
}
