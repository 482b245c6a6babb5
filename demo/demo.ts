// Points every widget on the page at the local stack that `npm start` launched.
import '../src/define.ts';

const config = (await (await fetch('/demo-config.json')).json()) as { server: string };
for (const element of document.querySelectorAll('janus-publisher, janus-viewer')) {
  if (!element.hasAttribute('server')) element.setAttribute('server', config.server);
}
