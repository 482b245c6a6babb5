// Serves the repository (built bundle, demo and test pages) on loopback, plus a TURN REST credentials
// endpoint and any JSON routes the caller adds (the demo's /demo-config.json).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { turnRestCredentials } from './stack.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.map': 'application/json',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
};

/**
 * @param {{ root: string, port?: number, host?: string, turn?: { urls: string[], secret: string }, json?: Record<string, unknown> }} options
 *   host: where to listen (default loopback; the impairment suite listens on a namespace's veth address)
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startStaticServer({ root, port = 0, host = '127.0.0.1', turn, json = {} }) {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/turn-credentials' && turn) {
      // `?fail=1` lets tests exercise the failure path; `?ttl=` short lifetimes exercise refresh.
      if (url.searchParams.has('fail')) return void response.writeHead(503).end();
      const ttl = Number(url.searchParams.get('ttl') ?? 3600);
      const body = { ...turnRestCredentials(turn.secret, ttl, 'e2e'), uris: turn.urls };
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void response.end(JSON.stringify(body));
    }
    if (Object.hasOwn(json, url.pathname)) {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void response.end(JSON.stringify(json[url.pathname]));
    }
    const path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) return void response.writeHead(403).end();
    try {
      const file = (await stat(path)).isDirectory() ? join(path, 'index.html') : path;
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
