// Every demo page loads this. It draws the shared header, points the widgets at the local stack that
// `npm start` launched, then loads them as a site would: the built bundle (`npm run dev` serves the
// sources instead). `?room=N` moves every widget of the page to another room (the tests use a fresh one).
const PAGES = [
  ['./', 'Home'],
  ['./studio.html', 'Studio'],
  ['./watch.html', 'Watch'],
  ['./classroom.html', 'Classroom'],
  ['./auction.html', 'Live auction'],
  ['./theming.html', 'Theming'],
  ['./reference.html', 'Reference'],
];

function header() {
  const here = new URL(location.pathname, location.origin).href;
  const list = document.createElement('ul');
  for (const [href, label] of PAGES) {
    const link = Object.assign(document.createElement('a'), { href, textContent: label });
    if (new URL(href, location.href).href === here) link.setAttribute('aria-current', 'page');
    const item = document.createElement('li');
    item.append(link);
    list.append(item);
  }
  const nav = document.createElement('nav');
  nav.setAttribute('aria-label', 'Demo pages');
  nav.append(list);
  const brand = document.createElement('p');
  brand.innerHTML = '<strong>janus-widgets</strong> demo';
  const element = document.createElement('header');
  element.append(brand, nav);
  return element;
}

document.body.prepend(header());
const config = await (await fetch('/demo-config.json')).json();
const room = new URLSearchParams(location.search).get('room');
for (const element of document.querySelectorAll('janus-publisher, janus-viewer')) {
  if (!element.hasAttribute('server')) element.setAttribute('server', config.server);
  if (room) element.setAttribute('room', room);
}
await import(config.bundle);
