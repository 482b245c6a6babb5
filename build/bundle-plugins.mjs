// Vite plugins of the CDN bundle only (`vite build`): each removes bytes the bundle never runs.
// Every rewrite is checked, so an upgraded dependency that no longer matches fails the build
// instead of shipping unchanged (or broken) code.

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
  ],
  /** `name: function (…) {…}` of janus.js's default (legacy Chrome extension) screen-share helper. */
  methods: ['getScreen'],
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
