// Every demo page loads this: it points the widgets at the local stack that `npm start` launched,
// then loads them as a site would: the built bundle (`npm run dev` serves the sources instead).
// `?room=N` moves every widget of the page to another room (the tests use a fresh one).
const config = await (await fetch('/demo-config.json')).json();
const room = new URLSearchParams(location.search).get('room');
for (const element of document.querySelectorAll('janus-publisher, janus-viewer')) {
  if (!element.hasAttribute('server')) element.setAttribute('server', config.server);
  if (room) element.setAttribute('room', room);
}
await import(config.bundle);
