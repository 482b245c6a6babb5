// Every demo page loads this: it points the widgets at the local stack that `npm start` launched,
// then loads them as a site would: the built bundle (`npm run dev` serves the sources instead).
const config = await (await fetch('/demo-config.json')).json();
for (const element of document.querySelectorAll('janus-publisher, janus-viewer')) {
  if (!element.hasAttribute('server')) element.setAttribute('server', config.server);
}
await import(config.bundle);
