#!/usr/bin/env node
// The "real stack" for janus-widgets: Janus (VideoRoom over WebSockets + HTTP,
// admin API) and two coturn instances, all on this machine, configured from the
// templates next to this file (janus/*.jcfg, turnserver-*.conf).
//
// Library:
//   import { ensureInstalled, startStack, turnRestCredentials } from './demo/server/stack.mjs';
//   const stack = await startStack();          // options override the env below
//   ... stack.janus.ws, stack.turn.static, stack.turn.rest ...
//   await stack.stop();
// CLI:
//   node demo/server/stack.mjs [--json] [--no-install] [--keep]
//   installs what is missing (as root, via apt), starts everything, prints where
//   it runs and stays up until Ctrl-C / SIGTERM.
//
// Environment (empty = unset; startStack(options) wins over the environment):
//   JANUS_WS_PORT          8188                 Janus WebSockets (ws://127.0.0.1:PORT, "janus-protocol")
//   JANUS_HTTP_PORT        8088                 Janus REST API   (http://127.0.0.1:PORT/janus)
//   JANUS_ADMIN_PORT       7088                 Janus admin API  (http://127.0.0.1:PORT/admin)
//   JANUS_ADMIN_SECRET     janus-widgets-admin  admin_secret for the admin API
//   JANUS_RTP_RANGE        20000-40000          Janus media ports (shared ranges are fine: ports are probed)
//   JANUS_DEBUG_LEVEL      4                    Janus log level 0-7
//   JANUS_LIB_DIR          auto                 folder holding Janus' plugins/ transports/ events/ loggers/
//   TURN_PORT              3478                 coturn "static" (lt-cred-mech, fixed user), UDP+TCP
//   TURN_REST_PORT         3479                 coturn "rest" (use-auth-secret), UDP+TCP
//   TURN_RELAY_RANGE       49160-49200          relay ports of the "static" instance
//   TURN_REST_RELAY_RANGE  49201-49240          relay ports of the "rest" instance
//   TURN_USER              test:test            user:password of the "static" instance
//   TURN_SECRET            janus-widgets-turn-secret   static-auth-secret of the "rest" instance
//   STACK_HOST_ADDRESS     auto                 non-loopback IPv4 for ICE + TURN relay (first non-internal one)
//   STACK_TIMEOUT_MS       15000                readiness timeout per server
//   STACK_KEEP_FOLDER      (unset)              1 = keep the temp folder (configs + logs) after stop
//   CHROMIUM_PATH          /usr/bin/chromium    checked by ensureInstalled() (see chromiumPath())
//   JANUS_BIN, TURNSERVER_BIN  /usr/bin/janus, /usr/bin/turnserver
// A second stack next to a first one needs other values for the five ports and
// the two relay ranges, e.g.
//   JANUS_WS_PORT=8189 JANUS_HTTP_PORT=8089 JANUS_ADMIN_PORT=7089 TURN_PORT=3480 \
//   TURN_REST_PORT=3481 TURN_RELAY_RANGE=49241-49280 TURN_REST_RELAY_RANGE=49281-49320
//
// startStack() resolves (typically in 0.2-0.4 s) to
//   { janus: { ws, http, admin, adminSecret, serverName, adminRequest(body) },
//     turn: { static: { urls, username, credential }, rest: { urls, secret, credentials(ttl, id) } },
//     hostAddress, rtpRange, relayRanges, folder, logs, pids, startupMs, unexpectedExit, stop() }
// stop() SIGTERMs the three servers (SIGKILL after 5 s) and removes the temp folder.
// Servers never outlive this process: they are killed on 'exit', on SIGINT/SIGTERM/SIGHUP
// (unless handleSignals: false) and, via `setpriv --pdeathsig`, even if node is SIGKILLed
// (then the temp folder stays behind in os.tmpdir(), janus-widgets-stack-*).
//
// Why these settings (see /work/shared/STACK.md): Janus and Chromium never gather
// ICE candidates on loopback, so media uses the host's non-loopback address
// (the kernel routes it over lo). Signalling and TURN control stay on 127.0.0.1;
// coturn's relay-ip must be that same non-loopback address or ICE never completes.
// coturn cannot mix lt-cred-mech and use-auth-secret, hence two instances.

import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LOOPBACK = '127.0.0.1';

export const JANUS_BIN = '/usr/bin/janus';
export const TURNSERVER_BIN = '/usr/bin/turnserver';
const SETPRIV_BIN = '/usr/bin/setpriv';

const DEFAULTS = {
  wsPort: 8188,
  httpPort: 8088,
  adminPort: 7088,
  adminSecret: 'janus-widgets-admin',
  rtpRange: '20000-40000',
  debugLevel: 4,
  turnPort: 3478,
  turnRestPort: 3479,
  turnRelayRange: '49160-49200',
  turnRestRelayRange: '49201-49240',
  turnUser: 'test:test',
  turnSecret: 'janus-widgets-turn-secret',
  realm: 'janus-widgets',
  timeoutMs: 15000,
};

/** The Chromium binary the tests should use (CHROMIUM_PATH overrides /usr/bin/chromium). */
export function chromiumPath() {
  return env('CHROMIUM_PATH') ?? '/usr/bin/chromium';
}

function janusPath() {
  return env('JANUS_BIN') ?? JANUS_BIN;
}

function turnserverPath() {
  return env('TURNSERVER_BIN') ?? TURNSERVER_BIN;
}

// ---------------------------------------------------------------------------
// Installation

/**
 * Makes sure janus, turnserver, ffmpeg and chromium are installed. When something is
 * missing and we are root, installs the missing Debian packages with apt-get
 * (output streamed to stderr); otherwise throws an Error saying what to install.
 * @param {{chromium?: boolean, log?: (msg: string) => void}} [options]
 *   chromium: false skips the Chromium check (the stack itself does not need it).
 * @returns {Promise<{janus: string, turnserver: string, ffmpeg: string, chromium?: string, installed: string[]}>}
 */
export async function ensureInstalled({ chromium = true, log = (m) => console.error(m) } = {}) {
  const wanted = [
    { bin: janusPath(), pkg: 'janus', key: 'janus', env: 'JANUS_BIN' },
    { bin: turnserverPath(), pkg: 'coturn', key: 'turnserver', env: 'TURNSERVER_BIN' },
    // The HLS bridge (hls-bridge.mjs) transcodes with it.
    { bin: process.env.FFMPEG_BIN || '/usr/bin/ffmpeg', pkg: 'ffmpeg', key: 'ffmpeg', env: 'FFMPEG_BIN' },
  ];
  if (chromium) wanted.push({ bin: chromiumPath(), pkg: 'chromium', key: 'chromium', env: 'CHROMIUM_PATH' });
  const result = { installed: [] };
  for (const w of wanted) result[w.key] = w.bin;

  let missing = wanted.filter((w) => !isExecutable(w.bin));
  if (missing.length === 0) return result;

  const custom = missing.find((w) => env(w.env) !== undefined);
  if (custom) {
    throw new Error(
      `${custom.env}=${custom.bin} is not an executable file (unset it to use the one from the Debian package "${custom.pkg}").`,
    );
  }
  const pkgs = missing.map((w) => w.pkg);
  const what = missing.map((w) => `${w.bin} (Debian package "${w.pkg}")`).join(', ');
  const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkgs.join(' ')}`;
  if (process.platform !== 'linux' || !isExecutable('/usr/bin/apt-get')) {
    throw new Error(
      `Missing ${what}. The real stack expects Debian 12 packages (Janus 1.1.x, coturn 4.6, Chromium); install them, e.g.: ${command}`,
    );
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(`Missing ${what}. Install them as root:\n  sudo sh -c '${command}'`);
  }

  log(`[stack] installing ${pkgs.join(' ')} with apt-get ...`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', ...pkgs], aptEnv);
  let code = await install();
  if (code !== 0) {
    // Typical on a fresh image: no package lists yet.
    log('[stack] apt-get install failed; running apt-get update and retrying ...');
    const upd = await run('apt-get', ['update'], aptEnv);
    if (upd !== 0) throw new Error(`apt-get update failed (exit ${upd}); install by hand: ${command}`);
    code = await install();
  }
  if (code !== 0)
    throw new Error(`apt-get install ${pkgs.join(' ')} failed (exit ${code}); install by hand: ${command}`);

  missing = wanted.filter((w) => !isExecutable(w.bin));
  if (missing.length) throw new Error(`Still missing after apt-get install: ${missing.map((w) => w.bin).join(', ')}`);
  result.installed = pkgs;
  return result;
}

function run(cmd, args, runEnv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 2, 2], env: runEnv });
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// ---------------------------------------------------------------------------
// TURN REST API credentials

/**
 * Mints TURN REST API credentials (draft-uberti-behave-turn-rest, as coturn's
 * use-auth-secret expects): username "<unix expiry>:<id>",
 * password base64(HMAC-SHA1(secret, username)).
 * @param {string} secret   coturn static-auth-secret
 * @param {number} [ttlSeconds=86400]
 * @param {string} [id='janus-widgets']
 * @param {string[]} [uris] defaults to the "rest" coturn on TURN_REST_PORT (UDP and TCP)
 * @returns {{username: string, password: string, ttl: number, uris: string[]}}
 */
export function turnRestCredentials(secret, ttlSeconds = 86400, id = 'janus-widgets', uris) {
  if (!secret) throw new Error('turnRestCredentials: secret is required');
  const ttl = Math.max(1, Math.floor(Number(ttlSeconds)));
  if (!Number.isFinite(ttl)) throw new Error(`turnRestCredentials: bad ttl ${ttlSeconds}`);
  const expiry = Math.floor(Date.now() / 1000) + ttl;
  const username = `${expiry}:${id}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  const port = uris ? undefined : parsePort(env('TURN_REST_PORT') ?? DEFAULTS.turnRestPort, 'TURN_REST_PORT');
  return { username, password, ttl, uris: uris ? [...uris] : turnUrls(port) };
}

function turnUrls(port) {
  return [`turn:${LOOPBACK}:${port}?transport=udp`, `turn:${LOOPBACK}:${port}?transport=tcp`];
}

// ---------------------------------------------------------------------------
// Starting the stack

/**
 * @typedef {object} StackOptions  (each one defaults to its environment variable, then the default)
 * @property {number} [wsPort]  @property {number} [httpPort]  @property {number} [adminPort]
 * @property {string} [adminSecret]  @property {string} [rtpRange]  @property {number} [debugLevel]
 * @property {number} [turnPort]  @property {number} [turnRestPort]
 * @property {string} [turnRelayRange]  @property {string} [turnRestRelayRange]
 * @property {string} [turnUser] "user:password"  @property {string} [turnSecret]
 * @property {string} [hostAddress]  @property {number} [timeoutMs]  @property {boolean} [keepFolder]
 * @property {string} [wsListenAddress='127.0.0.1'] where Janus WebSockets listens: '0.0.0.0' lets a
 *   browser in another network namespace reach it over a veth pair (the impairment tests do)
 * @property {boolean} [handleSignals=true] on SIGINT/SIGTERM/SIGHUP stop the stack (then die by
 *   that signal if nobody else listens for it); pass false when you handle signals yourself.
 * @property {(msg: string) => void} [log] progress messages (default: silent)
 */

/**
 * Renders the templates into a fresh temp folder, starts Janus and both coturn
 * instances, and resolves once all of them answer.
 * @param {StackOptions} [options]
 */
export async function startStack(options = {}) {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const cfg = resolveConfig(options);

  const janusBin = janusPath();
  const turnserverBin = turnserverPath();
  for (const [bin, pkg] of [
    [janusBin, 'janus'],
    [turnserverBin, 'coturn'],
  ]) {
    if (!isExecutable(bin)) {
      throw new Error(
        `${bin} is missing (Debian package "${pkg}"). Run \`node demo/server/stack.mjs\` as root, or ensureInstalled(), to install it.`,
      );
    }
  }
  const libDir = findJanusLibDir();

  await assertPortsFree(cfg);

  const folder = await fsp.mkdtemp(path.join(os.tmpdir(), 'janus-widgets-stack-'));
  const serverName = `janus-widgets-${path.basename(folder).split('-').pop()}-${randomBytes(3).toString('hex')}`;
  const [relayMin, relayMax] = cfg.turnRelayRange;
  const [restMin, restMax] = cfg.turnRestRelayRange;

  const janusVars = {
    FOLDER: folder,
    LIB_DIR: libDir,
    DEBUG_LEVEL: cfg.debugLevel,
    SERVER_NAME: serverName,
    ADMIN_SECRET: cfg.adminSecret,
    HOST_ADDRESS: cfg.hostAddress,
    RTP_RANGE: cfg.rtpRange.join('-'),
    WS_PORT: cfg.wsPort,
    WS_IP: cfg.wsListenAddress,
    HTTP_PORT: cfg.httpPort,
    ADMIN_PORT: cfg.adminPort,
    PLUGINS_DISABLE: soFilesExcept(path.join(libDir, 'plugins'), ['libjanus_videoroom.so']),
    TRANSPORTS_DISABLE: soFilesExcept(path.join(libDir, 'transports'), ['libjanus_http.so', 'libjanus_websockets.so']),
    LOGGERS_DISABLE: soFilesExcept(path.join(libDir, 'loggers'), []),
    EVENTS_DISABLE: soFilesExcept(path.join(libDir, 'events'), []),
  };
  const turnCommon = { FOLDER: folder, HOST_ADDRESS: cfg.hostAddress, REALM: cfg.realm };
  const files = [
    ['janus/janus.jcfg', 'janus.jcfg', janusVars],
    ['janus/janus.plugin.videoroom.jcfg', 'janus.plugin.videoroom.jcfg', janusVars],
    ['janus/janus.transport.http.jcfg', 'janus.transport.http.jcfg', janusVars],
    ['janus/janus.transport.websockets.jcfg', 'janus.transport.websockets.jcfg', janusVars],
    [
      'turnserver-static.conf',
      'turnserver-static.conf',
      {
        ...turnCommon,
        TURN_PORT: cfg.turnPort,
        RELAY_MIN: relayMin,
        RELAY_MAX: relayMax,
        TURN_USERNAME: cfg.turnUsername,
        TURN_PASSWORD: cfg.turnPassword,
      },
    ],
    [
      'turnserver-rest.conf',
      'turnserver-rest.conf',
      {
        ...turnCommon,
        TURN_PORT: cfg.turnRestPort,
        RELAY_MIN: restMin,
        RELAY_MAX: restMax,
        TURN_SECRET: cfg.turnSecret,
      },
    ],
  ];
  try {
    for (const [src, dst, vars] of files) {
      const text = await fsp.readFile(path.join(HERE, src), 'utf8');
      await fsp.writeFile(path.join(folder, dst), render(text, vars, src));
    }
  } catch (err) {
    await fsp.rm(folder, { recursive: true, force: true });
    throw err;
  }

  const logs = {
    janus: path.join(folder, 'janus.log'),
    turnStatic: path.join(folder, 'turnserver-static.log'),
    turnRest: path.join(folder, 'turnserver-rest.log'),
  };
  const procs = {
    janus: launch('janus', janusBin, ['-F', folder, '-C', path.join(folder, 'janus.jcfg'), '-o'], logs.janus, folder),
    turnStatic: launch(
      'turnserver (static)',
      turnserverBin,
      ['-c', path.join(folder, 'turnserver-static.conf')],
      logs.turnStatic,
      folder,
    ),
    turnRest: launch(
      'turnserver (rest)',
      turnserverBin,
      ['-c', path.join(folder, 'turnserver-rest.conf')],
      logs.turnRest,
      folder,
    ),
  };

  const urls = {
    ws: `ws://${LOOPBACK}:${cfg.wsPort}`,
    http: `http://${LOOPBACK}:${cfg.httpPort}/janus`,
    admin: `http://${LOOPBACK}:${cfg.adminPort}/admin`,
  };

  let stopPromise = null;
  let resolveUnexpected;
  const unexpectedExit = new Promise((resolve) => {
    resolveUnexpected = resolve;
  });
  const handle = {
    procs: Object.values(procs),
    folder,
    keepFolder: cfg.keepFolder,
    stopping: false,
    killSync(signal) {
      for (const p of this.procs)
        if (!p.exitInfo)
          try {
            process.kill(p.pid, signal);
          } catch {
            /* gone */
          }
    },
  };
  for (const p of handle.procs) {
    p.exited.then((info) => {
      if (!handle.stopping) resolveUnexpected({ name: p.name, pid: p.pid, ...info, logFile: p.logFile });
    });
  }
  registerLive(handle, cfg.handleSignals);

  const stop = () => {
    if (stopPromise) return stopPromise;
    handle.stopping = true;
    stopPromise = (async () => {
      await Promise.all(handle.procs.map((p) => stopProc(p)));
      if (!cfg.keepFolder) await fsp.rm(folder, { recursive: true, force: true });
      unregisterLive(handle);
    })();
    return stopPromise;
  };

  log(
    `[stack] started janus (pid ${procs.janus.pid}), turnserver static (pid ${procs.turnStatic.pid}), rest (pid ${procs.turnRest.pid}) in ${folder}`,
  );
  const abort = { aborted: false };
  try {
    await Promise.all([
      (async () => {
        const deadline = Date.now() + cfg.timeoutMs;
        await waitUntil(procs.janus, `Janus HTTP API ${urls.http}/info`, deadline, abort, async () => {
          const info = await httpJson('GET', `${urls.http}/info`);
          if (info.janus !== 'server_info') throw new Error(`unexpected answer ${JSON.stringify(info).slice(0, 200)}`);
          if (info['server-name'] !== serverName) {
            throw new Error(`another Janus (server-name "${info['server-name']}") answers on port ${cfg.httpPort}`);
          }
          return true;
        });
        await waitUntil(procs.janus, `Janus WebSockets ${urls.ws}`, deadline, abort, () => wsHandshake(cfg.wsPort));
        await waitUntil(procs.janus, `Janus admin API ${urls.admin}`, deadline, abort, async () => {
          const res = await httpJson('POST', urls.admin, {
            janus: 'ping',
            transaction: 'stack-ready',
            admin_secret: cfg.adminSecret,
          });
          if (res.janus !== 'pong') throw new Error(`unexpected answer ${JSON.stringify(res).slice(0, 200)}`);
          return true;
        });
        log(`[stack] janus ready after ${Math.round(performance.now() - t0)} ms`);
      })(),
      ...[
        [procs.turnStatic, cfg.turnPort],
        [procs.turnRest, cfg.turnRestPort],
      ].map(async ([p, port]) => {
        const deadline = Date.now() + cfg.timeoutMs;
        await waitUntil(p, `${p.name} TCP ${LOOPBACK}:${port}`, deadline, abort, () => tcpConnect(port));
        await waitUntil(p, `${p.name} STUN over UDP ${LOOPBACK}:${port}`, deadline, abort, () => stunBinding(port));
        log(`[stack] ${p.name} ready after ${Math.round(performance.now() - t0)} ms`);
      }),
    ]);
  } catch (err) {
    abort.aborted = true;
    await stop();
    throw err;
  }

  const startupMs = Math.round(performance.now() - t0);
  const stack = {
    janus: {
      ws: urls.ws,
      http: urls.http,
      admin: urls.admin,
      adminSecret: cfg.adminSecret,
      serverName,
      /** POSTs an admin API request (admin_secret and transaction are added). */
      adminRequest: (body) =>
        httpJson('POST', urls.admin, {
          transaction: randomBytes(6).toString('hex'),
          ...body,
          admin_secret: cfg.adminSecret,
        }),
    },
    turn: {
      static: { urls: turnUrls(cfg.turnPort), username: cfg.turnUsername, credential: cfg.turnPassword },
      rest: {
        urls: turnUrls(cfg.turnRestPort),
        secret: cfg.turnSecret,
        /** turnRestCredentials() for this instance's URLs. */
        credentials: (ttlSeconds, id) =>
          turnRestCredentials(cfg.turnSecret, ttlSeconds, id, turnUrls(cfg.turnRestPort)),
      },
    },
    hostAddress: cfg.hostAddress,
    rtpRange: cfg.rtpRange.join('-'),
    relayRanges: { static: cfg.turnRelayRange.join('-'), rest: cfg.turnRestRelayRange.join('-') },
    folder,
    logs,
    pids: { janus: procs.janus.pid, turnStatic: procs.turnStatic.pid, turnRest: procs.turnRest.pid },
    startupMs,
    /** Resolves with {name, pid, code, signal, logFile} if a server dies before stop(). */
    unexpectedExit,
    stop,
  };
  if (Symbol.asyncDispose) stack[Symbol.asyncDispose] = stop;
  return stack;
}

// ---------------------------------------------------------------------------
// Configuration

function env(name) {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function resolveConfig(o) {
  const pick = (key, envName) => o[key] ?? env(envName) ?? DEFAULTS[key];
  const cfg = {
    wsPort: parsePort(pick('wsPort', 'JANUS_WS_PORT'), 'JANUS_WS_PORT'),
    httpPort: parsePort(pick('httpPort', 'JANUS_HTTP_PORT'), 'JANUS_HTTP_PORT'),
    adminPort: parsePort(pick('adminPort', 'JANUS_ADMIN_PORT'), 'JANUS_ADMIN_PORT'),
    adminSecret: safeValue(String(pick('adminSecret', 'JANUS_ADMIN_SECRET')), 'JANUS_ADMIN_SECRET'),
    rtpRange: parseRange(pick('rtpRange', 'JANUS_RTP_RANGE'), 'JANUS_RTP_RANGE'),
    debugLevel: parseIntIn(pick('debugLevel', 'JANUS_DEBUG_LEVEL'), 0, 7, 'JANUS_DEBUG_LEVEL'),
    turnPort: parsePort(pick('turnPort', 'TURN_PORT'), 'TURN_PORT'),
    turnRestPort: parsePort(pick('turnRestPort', 'TURN_REST_PORT'), 'TURN_REST_PORT'),
    turnRelayRange: parseRange(pick('turnRelayRange', 'TURN_RELAY_RANGE'), 'TURN_RELAY_RANGE'),
    turnRestRelayRange: parseRange(pick('turnRestRelayRange', 'TURN_REST_RELAY_RANGE'), 'TURN_REST_RELAY_RANGE'),
    turnSecret: safeValue(String(pick('turnSecret', 'TURN_SECRET')), 'TURN_SECRET'),
    realm: safeValue(String(o.realm ?? DEFAULTS.realm), 'realm'),
    timeoutMs: parseIntIn(pick('timeoutMs', 'STACK_TIMEOUT_MS'), 100, 10 * 60 * 1000, 'STACK_TIMEOUT_MS'),
    keepFolder: Boolean(o.keepFolder ?? ['1', 'true', 'yes'].includes((env('STACK_KEEP_FOLDER') ?? '').toLowerCase())),
    handleSignals: o.handleSignals ?? true,
    wsListenAddress: o.wsListenAddress ?? LOOPBACK,
  };
  if (net.isIPv4(cfg.wsListenAddress) !== true)
    throw new Error(`wsListenAddress must be an IPv4 address, got "${cfg.wsListenAddress}"`);
  const user = String(pick('turnUser', 'TURN_USER'));
  const colon = user.indexOf(':');
  if (colon <= 0 || colon === user.length - 1)
    throw new Error(`TURN_USER must look like "user:password", got "${user}"`);
  cfg.turnUsername = safeValue(user.slice(0, colon), 'TURN_USER');
  cfg.turnPassword = safeValue(user.slice(colon + 1), 'TURN_USER');
  cfg.hostAddress = o.hostAddress ?? env('STACK_HOST_ADDRESS') ?? detectHostAddress();
  if (net.isIPv4(cfg.hostAddress) !== true || cfg.hostAddress.startsWith('127.')) {
    throw new Error(`STACK_HOST_ADDRESS must be a non-loopback IPv4 address, got "${cfg.hostAddress}"`);
  }
  const local = Object.values(os.networkInterfaces())
    .flat()
    .map((a) => a?.address);
  if (!local.includes(cfg.hostAddress)) {
    throw new Error(
      `STACK_HOST_ADDRESS ${cfg.hostAddress} is not an address of this machine (have: ${local.join(', ')})`,
    );
  }

  const ports = [
    ['JANUS_WS_PORT', cfg.wsPort],
    ['JANUS_HTTP_PORT', cfg.httpPort],
    ['JANUS_ADMIN_PORT', cfg.adminPort],
    ['TURN_PORT', cfg.turnPort],
    ['TURN_REST_PORT', cfg.turnRestPort],
  ];
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i][1] === ports[j][1]) throw new Error(`${ports[i][0]} and ${ports[j][0]} are both ${ports[i][1]}`);
    }
  }
  const [a, b] = [cfg.turnRelayRange, cfg.turnRestRelayRange];
  if (a[0] <= b[1] && b[0] <= a[1]) {
    throw new Error(`TURN_RELAY_RANGE ${a.join('-')} and TURN_REST_RELAY_RANGE ${b.join('-')} overlap`);
  }
  return cfg;
}

function parseIntIn(value, min, max, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer ${min}-${max}, got "${value}"`);
  return n;
}

function parsePort(value, name) {
  return parseIntIn(value, 1, 65535, name);
}

function parseRange(value, name) {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(String(value));
  const lo = m && Number(m[1]);
  const hi = m && Number(m[2]);
  if (!m || lo < 1024 || hi > 65535 || lo > hi) throw new Error(`${name} must look like "20000-40000", got "${value}"`);
  return [lo, hi];
}

// Values end up inside "..." in .jcfg files and as key=value in coturn's config.
function safeValue(value, name) {
  if (!/^[A-Za-z0-9._~!$%&()*+,;=@^{}|\-/:]+$/.test(value) || value.includes('{{')) {
    throw new Error(
      `${name}: "${value}" has characters the config files cannot hold (no spaces, quotes, backslashes or #)`,
    );
  }
  return value;
}

/** First non-internal IPv4 address of this machine (what Janus and Chromium gather ICE on). */
export function detectHostAddress() {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if ((a.family === 'IPv4' || a.family === 4) && !a.internal && !a.address.startsWith('169.254.')) return a.address;
    }
  }
  throw new Error(
    'No non-loopback IPv4 address on this machine: Janus and Chromium never gather ICE candidates on loopback, ' +
      'so WebRTC cannot connect. Give the machine (or network namespace) an address, e.g. a veth pair, or set STACK_HOST_ADDRESS.',
  );
}

function findJanusLibDir() {
  const explicit = env('JANUS_LIB_DIR');
  const triplet = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' }[process.arch];
  const candidates = explicit ? [explicit] : [];
  if (triplet) candidates.push(`/usr/lib/${triplet}/janus`);
  try {
    for (const d of fs.readdirSync('/usr/lib')) if (d.endsWith('-linux-gnu')) candidates.push(`/usr/lib/${d}/janus`);
  } catch {
    /* no /usr/lib */
  }
  candidates.push('/usr/lib/janus', '/usr/local/lib/janus', '/opt/janus/lib/janus');
  const found = candidates.find(
    (d) =>
      fs.existsSync(path.join(d, 'plugins', 'libjanus_videoroom.so')) &&
      fs.existsSync(path.join(d, 'transports', 'libjanus_websockets.so')),
  );
  if (!found) {
    throw new Error(
      `Janus' VideoRoom plugin / WebSockets transport not found (looked in ${[...new Set(candidates)].join(', ')}); set JANUS_LIB_DIR.`,
    );
  }
  if (explicit && found !== explicit) throw new Error(`JANUS_LIB_DIR=${explicit} has no plugins/libjanus_videoroom.so`);
  return found;
}

/** Comma-separated .so names in dir, except the ones to keep (Janus loads only "*.so"). */
function soFilesExcept(dir, keep) {
  let names = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    /* folder absent: nothing to disable */
  }
  return names
    .filter((n) => n.endsWith('.so') && !keep.includes(n))
    .sort()
    .join(',');
}

function render(template, vars, name) {
  return template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key) => {
    if (!(key in vars)) throw new Error(`template ${name}: no value for {{${key}}}`);
    return String(vars[key]);
  });
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function assertPortsFree(cfg) {
  const checks = [
    ['tcp', cfg.wsPort, 'JANUS_WS_PORT'],
    ['tcp', cfg.httpPort, 'JANUS_HTTP_PORT'],
    ['tcp', cfg.adminPort, 'JANUS_ADMIN_PORT'],
    ['tcp', cfg.turnPort, 'TURN_PORT'],
    ['udp', cfg.turnPort, 'TURN_PORT'],
    ['tcp', cfg.turnRestPort, 'TURN_REST_PORT'],
    ['udp', cfg.turnRestPort, 'TURN_REST_PORT'],
  ];
  const busy = (
    await Promise.all(
      checks.map(async ([proto, port, name]) => ((await portFree(proto, port)) ? null : `${proto} ${port} (${name})`)),
    )
  ).filter(Boolean);
  if (busy.length) {
    throw new Error(
      `Port(s) already in use on ${LOOPBACK}: ${busy.join(', ')}. Another stack (or a system Janus/coturn) is running; ` +
        'stop it or choose other ports with the environment variables listed at the top of demo/server/stack.mjs.',
    );
  }
}

function portFree(proto, port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(false) : reject(err));
    if (proto === 'tcp') {
      const srv = net.createServer();
      srv.once('error', onError);
      srv.listen({ port, host: LOOPBACK, exclusive: true }, () => srv.close(() => resolve(true)));
    } else {
      const sock = dgram.createSocket('udp4');
      sock.once('error', (err) => {
        sock.close();
        onError(err);
      });
      sock.bind({ port, address: LOOPBACK, exclusive: true }, () => sock.close(() => resolve(true)));
    }
  });
}

// ---------------------------------------------------------------------------
// Processes

function launch(name, bin, args, logFile, cwd) {
  const fd = fs.openSync(logFile, 'a');
  // setpriv --pdeathsig: the kernel sends SIGTERM to the server if this node process
  // dies without running its 'exit' handler (SIGKILL, crash).
  const [cmd, argv] = isExecutable(SETPRIV_BIN)
    ? [SETPRIV_BIN, ['--pdeathsig', 'SIGTERM', '--', bin, ...args]]
    : [bin, args];
  let child;
  try {
    // detached: own process group, so a terminal's Ctrl-C reaches only us and we stop them in order.
    child = spawn(cmd, argv, { cwd, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    fs.closeSync(fd);
  }
  const proc = { name, pid: child.pid, child, logFile, exitInfo: null };
  proc.exited = new Promise((resolve) => {
    const done = (info) => {
      if (!proc.exitInfo) {
        proc.exitInfo = info;
        resolve(info);
      }
    };
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (error) => done({ code: null, signal: null, error: error.message }));
  });
  child.unref(); // the stack does not keep the event loop alive by itself
  return proc;
}

async function stopProc(p, graceMs = 5000) {
  if (p.exitInfo) return;
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  let timer;
  const timedOut = await Promise.race([
    p.exited.then(() => false),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && !p.exitInfo) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await Promise.race([p.exited, sleep(2000)]);
  }
}

const live = new Set();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHookInstalled = false;
let signalHooksInstalled = false;

function registerLive(handle, handleSignals) {
  live.add(handle);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const h of live) {
        h.killSync('SIGKILL');
        if (!h.keepFolder)
          try {
            fs.rmSync(h.folder, { recursive: true, force: true });
          } catch {
            /* best effort */
          }
      }
    });
  }
  if (handleSignals && !signalHooksInstalled) {
    signalHooksInstalled = true;
    for (const sig of SIGNALS) process.on(sig, onSignal);
  }
}

function unregisterLive(handle) {
  live.delete(handle);
  if (live.size === 0 && signalHooksInstalled) {
    signalHooksInstalled = false;
    for (const sig of SIGNALS) process.removeListener(sig, onSignal);
  }
}

function onSignal(sig) {
  const stacks = [...live];
  if (process.listenerCount(sig) > 1) {
    // Somebody else decides whether the process exits; just make sure our servers go.
    for (const h of stacks) {
      h.stopping = true;
      h.killSync('SIGTERM');
    }
    return;
  }
  // We were the only listener, so without us Node would have died: stop, then die by the same signal.
  for (const h of stacks) h.stopping = true;
  Promise.race([
    Promise.allSettled(stacks.map((h) => Promise.all(h.procs.map((p) => stopProc(p))))),
    sleep(8000),
  ]).finally(() => {
    for (const h of stacks)
      if (!h.keepFolder)
        try {
          fs.rmSync(h.folder, { recursive: true, force: true });
        } catch {
          /* */
        }
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    live.clear();
    process.kill(process.pid, sig);
  });
}

// ---------------------------------------------------------------------------
// Readiness checks

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(proc, what, deadline, abort, check) {
  let lastError = null;
  for (;;) {
    if (abort.aborted) throw new Error(`aborted waiting for ${what}`);
    if (proc.exitInfo) {
      throw new Error(
        `${proc.name} exited during startup (${describeExit(proc.exitInfo)}) before ${what} answered.\n` +
          `--- last lines of ${proc.logFile} ---\n${tail(proc.logFile)}`,
      );
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}.\n` +
          `--- last lines of ${proc.logFile} ---\n${tail(proc.logFile)}`,
      );
    }
    await Promise.race([sleep(50), proc.exited]);
  }
}

function describeExit({ code, signal, error }) {
  if (error) return `could not start: ${error}`;
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Last lines of a log file (empty string if unreadable). */
export function tail(file, lines = 40) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text
      .split('\n')
      .filter((l, i, all) => l !== '' || i < all.length - 1)
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

function httpJson(method, url, body, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      {
        method,
        timeout: timeoutMs,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`HTTP ${res.statusCode} from ${url}, not JSON: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function wsHandshake(port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const req = http.request({
      host: LOOPBACK,
      port,
      path: '/',
      timeout: timeoutMs,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Protocol': 'janus-protocol',
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (res.headers['sec-websocket-accept'] !== accept) reject(new Error('bad Sec-WebSocket-Accept'));
      else if (res.headers['sec-websocket-protocol'] !== 'janus-protocol')
        reject(new Error('subprotocol janus-protocol not accepted'));
      else resolve(true);
    });
    req.on('response', (res) => {
      res.resume();
      reject(new Error(`HTTP ${res.statusCode} instead of 101 Switching Protocols`));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function tcpConnect(port, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: LOOPBACK, port });
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error('timeout')));
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', reject);
  });
}

/** Sends a STUN Binding request over UDP; true when a Binding success response comes back. */
function stunBinding(port, timeoutMs = 300) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const tid = randomBytes(12);
    const msg = Buffer.alloc(20);
    msg.writeUInt16BE(0x0001, 0); // Binding request
    msg.writeUInt16BE(0, 2);
    msg.writeUInt32BE(0x2112a442, 4); // magic cookie
    tid.copy(msg, 8);
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('message', (m) => {
      if (m.length >= 20 && m.readUInt16BE(0) === 0x0101 && m.subarray(8, 20).equals(tid)) finish(true);
    });
    sock.on('error', () => finish(false));
    sock.send(msg, port, LOOPBACK);
  });
}

// ---------------------------------------------------------------------------
// CLI

function printTable(stack) {
  const s = stack;
  const rows = [
    ['Janus WebSockets', s.janus.ws, 'subprotocol janus-protocol'],
    ['Janus HTTP (REST)', s.janus.http, ''],
    ['Janus admin API', s.janus.admin, `admin_secret ${s.janus.adminSecret}`],
    ['VideoRoom rooms', '1234 Demo room', 'vp8,h264 / opus, 3 Mbit/s'],
    ['', '1235 PIN-protected room', 'pin 2468'],
    ['', '1236 H.264-only room', 'h264 / opus'],
    [
      'TURN static user',
      s.turn.static.urls[0],
      `username ${s.turn.static.username}, credential ${s.turn.static.credential}`,
    ],
    ['', s.turn.static.urls[1], ''],
    ['TURN REST API', s.turn.rest.urls[0], `static-auth-secret ${s.turn.rest.secret}`],
    ['', s.turn.rest.urls[1], 'username "<expiry>:<id>", credential base64(HMAC-SHA1(secret, username))'],
    [
      'Media address',
      s.hostAddress,
      `Janus RTP ${s.rtpRange}, TURN relay ${s.relayRanges.static} / ${s.relayRanges.rest}`,
    ],
    ['PIDs', `janus ${s.pids.janus}`, `turnserver ${s.pids.turnStatic} (static), ${s.pids.turnRest} (rest)`],
    ['Configs and logs', s.folder, ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\njanus-widgets real stack is up (ready in ${s.startupMs} ms)\n`);
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd());
  console.log('\nPress Ctrl-C to stop.');
}

function stackSummary(s) {
  return {
    janus: { ws: s.janus.ws, http: s.janus.http, admin: s.janus.admin, adminSecret: s.janus.adminSecret },
    turn: { static: s.turn.static, rest: { urls: s.turn.rest.urls, secret: s.turn.rest.secret } },
    hostAddress: s.hostAddress,
    folder: s.folder,
    logs: s.logs,
    pids: s.pids,
    startupMs: s.startupMs,
  };
}

async function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    const lines = fs
      .readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(1);
    const end = lines.findIndex((l) => !l.startsWith('//'));
    console.log(
      lines
        .slice(0, end)
        .map((l) => l.replace(/^\/\/ ?/, ''))
        .join('\n'),
    );
    return 0;
  }
  const json = args.includes('--json');
  const unknown = args.filter((a) => !['--json', '--no-install', '--keep'].includes(a));
  if (unknown.length) {
    console.error(`unknown argument(s): ${unknown.join(' ')} (try --help)`);
    return 2;
  }
  // Record signals from the start, so Ctrl-C during startup still stops things in order.
  let signalled = null;
  let wake = () => {};
  const onSig = (sig) => {
    if (signalled) {
      console.error(`\n[stack] ${sig} again: stop in progress, please wait`);
      return;
    }
    signalled = sig;
    wake();
  };
  for (const sig of SIGNALS) process.on(sig, onSig);

  if (!args.includes('--no-install')) await ensureInstalled();
  const stack = await startStack({
    handleSignals: false,
    keepFolder: args.includes('--keep') || undefined,
    log: json ? undefined : (m) => console.error(m),
  });
  if (json) console.log(JSON.stringify(stackSummary(stack)));
  else printTable(stack);

  const keepAlive = setInterval(() => {}, 1 << 30);
  const crash = await new Promise((resolve) => {
    wake = () => resolve(null);
    if (signalled) resolve(null);
    stack.unexpectedExit.then(resolve);
  });
  if (crash) {
    console.error(
      `\n[stack] ${crash.name} (pid ${crash.pid}) died: ${describeExit(crash)}\n--- last lines of ${crash.logFile} ---\n${tail(crash.logFile)}`,
    );
  } else {
    console.error(`\n[stack] ${signalled}: stopping ...`);
  }
  const t = performance.now();
  await stack.stop();
  clearInterval(keepAlive);
  console.error(`[stack] stopped in ${Math.round(performance.now() - t)} ms`);
  return crash ? 1 : 0;
}

function isMainModule() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`[stack] ${err && err.message ? err.message : err}`);
      process.exitCode = 1;
    },
  );
}
