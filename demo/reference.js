// The reference is read from the manifest at page load rather than written by hand, so it says
// exactly what custom-elements.json says (and test/components/manifest.test.ts keeps that honest).
const root = document.getElementById('reference');
const toc = document.getElementById('toc');

/** Text with `code` spans, built as nodes: descriptions are data, never markup. */
function rich(text = '') {
  const fragment = document.createDocumentFragment();
  text.split('`').forEach((piece, i) => {
    if (!piece) return;
    if (i % 2) {
      const code = document.createElement('code');
      code.textContent = piece;
      fragment.append(code);
    } else fragment.append(piece);
  });
  return fragment;
}

function element(tag, children = [], attributes = {}) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

const code = (text) => element('code', [text ?? '']);

/** One table of `rows`, under a heading; nothing when the element has none. */
function table(title, headers, rows) {
  if (rows.length === 0) return [];
  const head = element('thead', [
    element(
      'tr',
      headers.map((h) => element('th', [h], { scope: 'col' })),
    ),
  ]);
  const body = element(
    'tbody',
    rows.map((cells) =>
      element(
        'tr',
        cells.map((cell) => element('td', [cell])),
      ),
    ),
  );
  return [element('h3', [title]), element('table', [head, body])];
}

function section(declaration) {
  const tag = declaration.tagName;
  const members = (declaration.members ?? []).filter((m) => !m.privacy && !m.static);
  const attributeFields = new Set((declaration.attributes ?? []).map((a) => a.fieldName));
  const fields = members.filter((m) => m.kind === 'field' && !attributeFields.has(m.name));
  const methods = members.filter((m) => m.kind === 'method');
  const signature = (m) => `${m.name}(${(m.parameters ?? []).map((p) => p.name).join(', ')})`;
  const content = [
    element('h2', [code(`<${tag}>`)], { id: tag }),
    element('p', [rich(declaration.description ?? declaration.summary)]),
    ...table(
      'Attributes',
      ['Attribute', 'Property', 'Type', 'Default', 'Description'],
      (declaration.attributes ?? []).map((a) => [
        code(a.name),
        code(a.fieldName),
        code(a.type?.text),
        code(a.default),
        rich(a.description),
      ]),
    ),
    ...table(
      'Properties',
      ['Property', 'Type', 'Description'],
      fields.map((f) => [code(f.name), code(f.type?.text), rich(f.description)]),
    ),
    ...table(
      'Methods',
      ['Method', 'Returns', 'Description'],
      methods.map((m) => [code(signature(m)), code(m.return?.type?.text), rich(m.description)]),
    ),
    ...table(
      'Events',
      ['Event', 'Type', 'Description'],
      (declaration.events ?? []).map((e) => [code(e.name), code(e.type?.text), rich(e.description)]),
    ),
    ...table(
      'Slots',
      ['Slot', 'Description'],
      (declaration.slots ?? []).map((s) => [code(s.name || '(default)'), rich(s.description)]),
    ),
    ...table(
      'CSS parts',
      ['Part', 'Description'],
      (declaration.cssParts ?? []).map((p) => [code(`::part(${p.name})`), rich(p.description)]),
    ),
    ...table(
      'CSS custom properties',
      ['Property', 'Default', 'Description'],
      (declaration.cssProperties ?? []).map((p) => [code(p.name), code(p.default), rich(p.description)]),
    ),
    ...table(
      'CSS custom states',
      ['State', 'Description'],
      (declaration.cssStates ?? []).map((s) => [code(`:state(${s.name})`), rich(s.description)]),
    ),
  ];
  return element('section', content, { 'aria-labelledby': tag });
}

try {
  const response = await fetch('/custom-elements.json');
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const manifest = await response.json();
  const declarations = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .filter((d) => d.customElement && d.tagName)
    .sort((a, b) => a.tagName.localeCompare(b.tagName));
  toc.append(
    element(
      'ul',
      declarations.map((d) => element('li', [element('a', [code(`<${d.tagName}>`)], { href: `#${d.tagName}` })])),
    ),
  );
  root.replaceChildren(...declarations.map(section));
} catch (error) {
  root.replaceChildren(element('p', [`Could not read custom-elements.json: ${error.message}`], { role: 'alert' }));
} finally {
  root.removeAttribute('aria-busy');
}
