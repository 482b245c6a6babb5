// Vite plugins of the CDN bundle only (`vite build`): each removes bytes the bundle never runs.
// Every rewrite is checked, so an upgraded dependency that no longer matches fails the build
// instead of shipping unchanged (or broken) code.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Vite wraps each dynamic `import()` in a helper that preloads the chunk's own imports and CSS; ours
 * have none (modulePreload is off, there is no CSS file), so the helper only ever calls `import()`.
 */
export function plainDynamicImports() {
  const id = '\0vite/preload-helper.js';
  return {
    name: 'janus-widgets:plain-dynamic-imports',
    enforce: 'pre',
    resolveId: (source) => (source === id ? id : undefined),
    load: (source) => (source === id ? 'export const __vitePreload = (load) => load();' : undefined),
  };
}

/**
 * janus.js functions that src/core/janus.ts never reaches: it passes tracks it captured itself (no
 * `media`), sends no data or DTMF, and reads no volume, bitrate or mute state through janus.js. Their
 * bodies are emptied; the names stay, so nothing that refers to them changes.
 */
const UNUSED_JANUS = {
  /** `Janus.name = function (…) {…}` */
  statics: [
    'useOldDependencies',
    'isExtensionEnabled',
    'mediaToTracks',
    'listDevices',
    'attachMediaStream',
    'reattachMediaStream',
    // getUserMedia constraints for a track janus.js would capture itself.
    'trackConstraints',
  ],
  /**
   * `function name(…) {…}` inside `Janus()`, reached only through plugin-handle methods, and
   * createDataChannel, also called for a data channel the remote side opens (a room whose
   * publishers send data): the widgets read none, so it is left unopened.
   */
  functions: [
    'createDataChannel',
    'sendData',
    'sendDtmf',
    'getVolume',
    'isMuted',
    'mute',
    'getBitrate',
    'setBitrate',
    'getInfo',
    'getLocalTracks',
    'getRemoteTracks',
    // Tracks are swapped on the RTCRtpSender itself (VideoRoomPublisher.replaceTrack).
    'replaceTracks',
  ],
  /**
   * `name: function (…) {…}` of janus.js's default (legacy Chrome extension) screen-share helper:
   * getScreen, and init, which only listens for that extension's replies.
   */
  methods: ['getScreen', 'init'],
};

export function trimJanus() {
  return {
    name: 'janus-widgets:trim-janus',
    transform(code, id) {
      if (!/janus-gateway[\\/]npm[\\/]dist[\\/]janus\.es\.js$/.test(id)) return undefined;
      const bodies = new Map(Object.values(UNUSED_JANUS).flatMap((names) => names.map((name) => [name, []])));
      const visit = (node) => {
        if (!node || typeof node !== 'object') return;
        if (Array.isArray(node)) return node.forEach(visit);
        let name;
        let fn;
        if (node.type === 'FunctionDeclaration' && UNUSED_JANUS.functions.includes(node.id?.name)) {
          name = node.id.name;
          fn = node;
        } else if (
          node.type === 'AssignmentExpression' &&
          node.left.type === 'MemberExpression' &&
          node.left.object.name === 'Janus' &&
          UNUSED_JANUS.statics.includes(node.left.property.name) &&
          node.right.type === 'FunctionExpression'
        ) {
          name = node.left.property.name;
          fn = node.right;
        } else if (
          node.type === 'Property' &&
          UNUSED_JANUS.methods.includes(node.key.name) &&
          node.value.type === 'FunctionExpression'
        ) {
          name = node.key.name;
          fn = node.value;
        }
        if (fn) bodies.get(name).push(fn.body);
        for (const key of Object.keys(node)) if (key !== 'parent') visit(node[key]);
      };
      visit(this.parse(code));
      const found = [...bodies].filter(([, list]) => list.length !== 1);
      if (found.length > 0) {
        throw new Error(
          `trim-janus: expected exactly one definition of ${found.map(([name, list]) => `${name} (found ${list.length})`).join(', ')} in janus.es.js; check UNUSED_JANUS against this janus-gateway version`,
        );
      }
      const ranges = [...bodies.values()].map(([body]) => body).sort((a, b) => b.start - a.start);
      let out = code;
      for (const body of ranges) out = out.slice(0, body.start) + '{}' + out.slice(body.end);
      return { code: out, map: null };
    },
  };
}

/** Comments and layout whitespace out of the css`` templates (styles.ts files, no interpolations). */
export function minifyCss() {
  return {
    name: 'janus-widgets:minify-css',
    transform(code, id) {
      if (!/[\\/]src[\\/]components[\\/].*styles\.ts$/.test(id)) return undefined;
      const out = code.replace(/\bcss`([^`$\\]*)`/g, (_, text) => {
        const css = text
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${css}\``;
      });
      if (/\bcss`/.test(code) && out === code) throw new Error(`minify-css: nothing minified in ${id}`);
      return { code: out, map: null };
    },
  };
}

/**
 * Layout whitespace out of the html`` templates of the elements: a run of whitespace with a line
 * break in it becomes one space, which HTML renders the same (no template sets `white-space: pre`).
 */
export function minifyHtml() {
  return {
    name: 'janus-widgets:minify-html',
    transform(code, id) {
      if (!/[\\/]src[\\/]components[\\/]/.test(id) || !/\bhtml`/.test(code)) return undefined;
      const quasis = [];
      const visit = (node) => {
        if (!node || typeof node !== 'object') return;
        if (Array.isArray(node)) return node.forEach(visit);
        if (node.type === 'TaggedTemplateExpression' && node.tag.type === 'Identifier' && node.tag.name === 'html')
          quasis.push(...node.quasi.quasis);
        for (const key of Object.keys(node)) if (key !== 'parent') visit(node[key]);
      };
      visit(this.parse(code));
      if (quasis.length === 0) throw new Error(`minify-html: no html template found in ${id}`);
      let out = code;
      for (const quasi of quasis.sort((a, b) => b.start - a.start)) {
        const text = out.slice(quasi.start, quasi.end).replace(/\s*\n\s*/g, ' ');
        out = out.slice(0, quasi.start) + text + out.slice(quasi.end);
      }
      return { code: out, map: null };
    },
  };
}

/**
 * dist/ is shared with the lib build (dist/lib, dist/types), so it is not emptied: this removes the
 * hashed chunks of earlier CDN builds once the new ones are written.
 */
export function removeStaleChunks() {
  return {
    name: 'janus-widgets:remove-stale-chunks',
    writeBundle(options, bundle) {
      for (const name of readdirSync(options.dir)) {
        if (/^janus-widgets-.+\.js(\.map)?$/.test(name) && !(name in bundle)) rmSync(join(options.dir, name));
      }
    },
  };
}

/**
 * Short names for TypeScript `private` members of src/ (`this.retainedInterval` -> `this.$a`).
 * Only names that cannot be reached from outside are renamed: a name is left alone when anything
 * else spells it too: a public, protected or decorated member, an interface or object-literal key,
 * a destructured key, a string in src/, a word of the DOM and ES typings, of lit, janus.js or
 * hls.js, or of the tests (which read the built bundle).
 */
export async function manglePrivates(root) {
  const { default: ts } = await import('typescript');
  const { minifySync } = await import('rolldown/utils');
  const read = (path) => readFileSync(join(root, path), 'utf8');
  /** Files under `dir` (relative to root) whose names end with one of `ends`. */
  const files = (dir, ends) =>
    readdirSync(join(root, dir), { recursive: true })
      .map(String)
      .filter((file) => ends.some((end) => file.endsWith(end)))
      .map((file) => join(dir, file));
  const privates = new Set();
  const spelled = new Set();
  const words = (text) => {
    for (const word of text.match(/[A-Za-z_$][\w$]*/g) ?? []) spelled.add(word);
  };
  for (const file of files('src', ['.ts'])) {
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
      if (name && (ts.isClassElement(node) || ts.isParameter(node))) {
        const modifiers = ts.getModifiers?.(node) ?? [];
        const isPrivate = modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
        const decorated = (ts.getDecorators?.(node) ?? []).length > 0;
        if (isPrivate && !decorated) privates.add(name);
        else if (!ts.isParameter(node) || modifiers.length > 0) spelled.add(name);
      } else if (name && (ts.isTypeElement(node) || ts.isPropertyAssignment(node) || ts.isEnumMember(node))) {
        spelled.add(name);
      } else if (ts.isShorthandPropertyAssignment(node)) {
        spelled.add(node.name.text);
      } else if (ts.isBindingElement(node)) {
        const key = node.propertyName ?? node.name;
        if (ts.isIdentifier(key)) spelled.add(key.text);
      } else if (ts.isStringLiteralLike(node)) {
        words(node.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  const typings = join(root, 'node_modules/typescript/lib');
  for (const file of readdirSync(typings))
    if (/^lib\..*\.d\.ts$/.test(file)) words(readFileSync(join(typings, file), 'utf8'));
  for (const file of [
    ...['lit', 'lit-html', 'lit-element', '@lit/reactive-element'].flatMap((name) =>
      files(`node_modules/${name}`, ['.js']),
    ),
    'node_modules/janus-gateway/npm/dist/janus.es.js',
    'node_modules/hls.js/dist/hls.light.mjs',
    ...files('test', ['.ts', '.mjs', '.html']),
  ]) {
    words(read(file));
  }
  const names = [...privates].filter((name) => !spelled.has(name)).sort();
  const cache = {};
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (let i = 0, n = 0; i < names.length; n++) {
    const short = `$${n >= letters.length ? letters[Math.floor(n / letters.length) - 1] : ''}${letters[n % letters.length]}`;
    if (!spelled.has(short) && !privates.has(short)) cache[names[i++]] = short;
  }
  const include = new RegExp(`^(?:${names.join('|')})$`);
  return {
    name: 'janus-widgets:mangle-privates',
    api: { renamed: cache },
    enforce: 'post',
    transform(code, id) {
      if (names.length === 0 || !/[\\/]src[\\/].*\.ts$/.test(id)) return undefined;
      const result = minifySync(id, code, {
        module: true,
        compress: false,
        mangle: false,
        mangleProps: { include, cache },
        sourcemap: true,
      });
      if (result.errors.length > 0) throw new Error(`mangle-privates: ${id}: ${result.errors[0].message}`);
      return { code: result.code, map: result.map };
    },
  };
}
