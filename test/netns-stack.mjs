// Runs inside the Janus network namespace (test/netns.mjs starts it there): the project's stack
// and the test page server, then one JSON line on stdout with their URLs; stops both on SIGTERM.
import { fileURLToPath } from 'node:url';
import { startStack } from '../demo/server/stack.mjs';
import { startStaticServer } from '../demo/server/static-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const stack = await startStack({ handleSignals: false, debugLevel: 3, wsListenAddress: '0.0.0.0' });
// Every address of this namespace: the client namespace reaches it on the veth address.
const server = await startStaticServer({ root, host: '0.0.0.0' });
const address = stack.hostAddress;
const pagesPort = new URL(server.url).port;
const wsPort = new URL(stack.janus.ws).port;
console.log(
  JSON.stringify({
    janus: { ws: `ws://${address}:${wsPort}`, wsLocal: stack.janus.ws },
    pages: `http://${address}:${pagesPort}`,
    pagesLocal: `http://127.0.0.1:${pagesPort}`,
    folder: stack.folder,
  }),
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await stack.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
stack.unexpectedExit.then((crash) => {
  console.error(`[netns-stack] ${crash.name} died (code ${crash.code}, signal ${crash.signal})`);
  void stop();
});
