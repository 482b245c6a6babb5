import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import {
  manglePrivates,
  minifyCss,
  minifyHtml,
  plainDynamicImports,
  removeStaleChunks,
  trimJanus,
} from './build/bundle-plugins.mjs';

// `vite build` makes the self-contained CDN bundle (dist/janus-widgets.js);
// `vite build --mode lib` makes side-effect-free modules for bundler users (dist/lib/).
// `vite` (dev, used by `npm run dev`) serves the demo pages with the sources instead of the bundle.
export default defineConfig(async ({ command, mode }) => ({
  root: '.',
  publicDir: false,
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
  optimizeDeps: { entries: ['demo/*.html'] },
  // The CDN bundle only: the lib build leaves janus.js to the user's bundler, dev serves sources as they are.
  plugins:
    command === 'build' && mode !== 'lib'
      ? [
          plainDynamicImports(),
          trimJanus(),
          minifyCss(),
          minifyHtml(),
          await manglePrivates(fileURLToPath(new URL('.', import.meta.url))),
          removeStaleChunks(),
        ]
      : [],
  build:
    command === 'serve'
      ? {}
      : mode === 'lib'
        ? {
            outDir: 'dist/lib',
            emptyOutDir: true,
            minify: false,
            lib: { entry: { index: 'src/index.ts', define: 'src/define.ts' }, formats: ['es'] },
            rollupOptions: {
              external: [/^lit/, /^@lit\//, 'janus-gateway', /^hls\.js/],
              output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
            },
          }
        : {
            // Not lib mode: Vite only minifies whitespace of ES output outside it.
            outDir: 'dist',
            emptyOutDir: false,
            target: 'es2022',
            modulePreload: false,
            rollupOptions: {
              input: 'src/define.ts',
              // 'allow-extension': a module shared by the bundle and a lazy chunk stays in the bundle (the chunk
              // imports it from there) instead of becoming a third file the bundle would have to fetch first.
              preserveEntrySignatures: 'allow-extension',
              // src/core/janus.ts initialises janus.js with `debug: false`, which makes every one of
              // its ~290 log calls a no-op: dropping them (their arguments have no side effects) saves
              // ~2.3 KB gzip of log strings.
              treeshake: {
                manualPureFunctions: [
                  'Janus.trace',
                  'Janus.debug',
                  'Janus.vdebug',
                  'Janus.log',
                  'Janus.warn',
                  'Janus.error',
                ],
              },
              // hls.js (the HLS fallback, ~400 kB) is a chunk next to the bundle, fetched only when a
              // viewer needs HLS; imported relative to the bundle, so from wherever the bundle is served.
              output: {
                format: 'es',
                entryFileNames: 'janus-widgets.js',
                chunkFileNames: 'janus-widgets-[name]-[hash].js',
                // V8's explicit compile hint: the bundle's functions are compiled as it loads (off the main
                // thread, while streaming), not one by one on first call, which ran in the middle of a
                // tag's first connection (insert -> socket 3-5 ms sooner, -> Janus's offer 8-10 ms sooner).
                postBanner: (chunk) => (chunk.isEntry ? '//# allFunctionsCalledOnLoad' : ''),
              },
              onwarn(warning, warn) {
                // janus.es.js reads a `module` global to detect CommonJS; harmless in the browser.
                if (warning.code === 'COMMONJS_VARIABLE_IN_ESM') return;
                warn(warning);
              },
            },
          },
}));
