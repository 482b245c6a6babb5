// custom-elements.json with its modules in path order: the analyzer lists them in the order the file
// system returns them, which differs from one checkout to another.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function sortManifest(text) {
  const manifest = JSON.parse(text);
  manifest.modules?.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

// `node test/manifest-sort.mjs custom-elements.json` (npm run manifest) sorts the file in place.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of process.argv.slice(2)) writeFileSync(path, sortManifest(readFileSync(path, 'utf8')));
}
