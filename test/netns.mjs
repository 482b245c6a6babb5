// Three network namespaces joined by veth pairs, for tests under a real impaired network
// (see ../shared/STACK.md, "Impairing the network"): Janus (and coturn) live in one, the
// viewer's Chromium in another, the publisher's Chromium in a third; every packet between Janus
// and either crosses a veth pair, where `tc tbf` caps the bandwidth and `iptables -m statistic`
// drops UDP at random (no netem here). The viewer's downlink is impaired at the Janus end of its
// pair, the publisher's uplink at the publisher's end of its own.
//
//   const net = await createTopology();      // throws NetnsUnavailable where it cannot
//   const stack = await net.startStack();    // Janus + coturn + page server inside net.janusNs
//   const chromium = net.chromiumWrapper(net.clientNs);   // or net.publisherNs
//   await net.impair({ rateKbit: 300, lossPercent: 10 });  // the viewer's downlink
//   await net.impairUplink({ rateKbit: 250 });            // the publisher's uplink
//   await net.clear();
//   await net.destroy();                     // also on process exit, whatever happens
//
// Only addresses inside the namespaces created here are used; the default namespace (and its lo)
// is never touched. Deleting a namespace removes its veth end, qdiscs and rules with it.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const IP = '/usr/sbin/ip';
const TC = '/usr/sbin/tc';
const IPTABLES = '/usr/sbin/iptables';
const SETPRIV = '/usr/bin/setpriv';

export const JANUS_ADDRESS = '10.77.0.1';
export const CLIENT_ADDRESS = '10.77.0.2';
export const PUBLISHER_ADDRESS = '10.77.0.3';

/** Why the namespaces cannot be made here: the suite counts its scenarios as skipped. */
export class NetnsUnavailable extends Error {}

const live = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous on purpose: 'exit' handlers cannot wait, and a failed test must not leave
  // namespaces (or a Janus inside one) behind.
  process.on('exit', () => {
    for (const topology of live) topology.destroySync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      for (const topology of live) topology.destroySync();
      process.kill(process.pid, signal);
    });
  }
}

function sh(cmd, args) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

function quiet(cmd, args) {
  try {
    sh(cmd, args);
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Namespaces left by a run that was SIGKILLed (its pid, in their name, is gone). */
function removeStale() {
  let names = [];
  try {
    names = sh(IP, ['netns', 'list'])
      .split('\n')
      .map((line) => line.split(' ')[0]);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^jw-(?:janus|client|pub)-(\d+)$/.exec(name);
    if (match && !pidAlive(Number(match[1]))) quiet(IP, ['netns', 'del', name]);
  }
}

/**
 * Installs iproute2 (namespaces, veth, tc) and iptables (random loss) when missing and we are root,
 * as the stack does for Janus.
 */
function ensureTools() {
  const missing = [
    [IP, 'iproute2'],
    [IPTABLES, 'iptables'],
  ].filter(([bin]) => !fs.existsSync(bin));
  if (missing.length === 0) return;
  const packages = missing.map(([, pkg]) => pkg);
  console.error(`[netns] installing ${packages.join(' ')} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => quietEnv('apt-get', ['install', '-y', ...packages], env);
  if (!install()) {
    quietEnv('apt-get', ['update'], env);
    install();
  }
  const still = missing.filter(([bin]) => !fs.existsSync(bin)).map(([, pkg]) => pkg);
  if (still.length > 0) throw new NetnsUnavailable(`${still.join(' and ')} missing and could not be installed`);
}

function quietEnv(cmd, args, env) {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates jw-janus-PID (10.77.0.1/24 on a bridge), jw-client-PID (10.77.0.2/24) and jw-pub-PID
 * (10.77.0.3/24), each joined to the bridge by a veth pair.
 * @returns {Promise<Topology>}
 */
export async function createTopology() {
  if (process.platform !== 'linux') throw new NetnsUnavailable('network namespaces need Linux');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new NetnsUnavailable('network namespaces need root');
  }
  ensureTools();
  for (const bin of [IP, TC]) if (!fs.existsSync(bin)) throw new NetnsUnavailable(`${bin} is missing`);
  removeStale();
  const topology = new Topology(process.pid);
  installExitHook();
  live.add(topology);
  try {
    topology.build();
  } catch (error) {
    topology.destroySync();
    throw new NetnsUnavailable(`could not build the namespaces: ${error.stderr || error.message}`);
  }
  return topology;
}

class Topology {
  constructor(id) {
    this.janusNs = `jw-janus-${id}`;
    this.clientNs = `jw-client-${id}`;
    this.publisherNs = `jw-pub-${id}`;
    // Interface names are at most 15 characters.
    this.janusIf = `jwj${id}`.slice(0, 15);
    this.clientIf = `jwc${id}`.slice(0, 15);
    this.janusPublisherIf = `jwk${id}`.slice(0, 15);
    this.bridge = `jwb${id}`.slice(0, 15);
    this.publisherIf = `jwp${id}`.slice(0, 15);
    this.janusAddress = JANUS_ADDRESS;
    this.clientAddress = CLIENT_ADDRESS;
    this.publisherAddress = PUBLISHER_ADDRESS;
    this.children = new Set();
    this.folder = fs.mkdtempSync(path.join(os.tmpdir(), 'janus-widgets-netns-'));
  }

  build() {
    for (const ns of [this.janusNs, this.clientNs, this.publisherNs]) sh(IP, ['netns', 'add', ns]);
    // Janus' address sits on a bridge joining both pairs: viewer and publisher share its subnet
    // (Janus' ICE did not answer checks from a routed subnet), and each pair can be impaired alone.
    sh(IP, ['-n', this.janusNs, 'link', 'add', this.bridge, 'type', 'bridge']);
    for (const [dev, peerNs, peer] of [
      [this.janusIf, this.clientNs, this.clientIf],
      [this.janusPublisherIf, this.publisherNs, this.publisherIf],
    ]) {
      sh(IP, ['link', 'add', dev, 'netns', this.janusNs, 'type', 'veth', 'peer', 'name', peer, 'netns', peerNs]);
      sh(IP, ['-n', this.janusNs, 'link', 'set', dev, 'master', this.bridge]);
      sh(IP, ['-n', this.janusNs, 'link', 'set', dev, 'up']);
    }
    for (const [ns, dev, address] of [
      [this.janusNs, this.bridge, this.janusAddress],
      [this.clientNs, this.clientIf, this.clientAddress],
      [this.publisherNs, this.publisherIf, this.publisherAddress],
    ]) {
      sh(IP, ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev]);
      sh(IP, ['-n', ns, 'link', 'set', dev, 'up']);
      // The namespace's own lo: Janus' signalling and the stack's readiness probes use 127.0.0.1 in there.
      sh(IP, ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  }

  /** Runs a command inside a namespace (synchronously). */
  exec(ns, cmd, args) {
    return sh(IP, ['netns', 'exec', ns, cmd, ...args]);
  }

  /**
   * Impairs what the Janus side sends to the client (the viewer's downlink): a tbf bandwidth cap
   * and random UDP loss, replacing any earlier impairment.
   * @param {{ rateKbit?: number, lossPercent?: number }} impairment
   */
  async impair({ rateKbit, lossPercent } = {}) {
    this.clearDownlink();
    if (rateKbit) this.cap(this.janusNs, this.janusIf, rateKbit);
    if (lossPercent) {
      // -d: only what Janus sends to the viewer (before the cap, as before a congested router).
      this.exec(this.janusNs, IPTABLES, [
        '-A',
        'OUTPUT',
        '-d',
        this.clientAddress,
        '-p',
        'udp',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        String(lossPercent / 100),
        '-j',
        'DROP',
      ]);
    }
  }

  /**
   * Caps what the publisher sends to Janus (its uplink) with tbf at the publisher's end of its
   * pair, replacing any earlier uplink cap. Janus and the viewer's downlink are not touched.
   * @param {{ rateKbit: number }} impairment
   */
  async impairUplink({ rateKbit }) {
    this.clearUplink();
    this.cap(this.publisherNs, this.publisherIf, rateKbit);
  }

  /** A tbf bandwidth cap on what leaves `dev`: its queue holds at most 300 ms (a real router's buffer). */
  cap(ns, dev, rateKbit) {
    const args = [
      'qdisc',
      'add',
      'dev',
      dev,
      'root',
      'tbf',
      'rate',
      `${rateKbit}kbit`,
      'burst',
      '8kb',
      'latency',
      '300ms',
    ];
    this.exec(ns, TC, args);
  }

  /** Removes every impairment. */
  clear() {
    this.clearDownlink();
    this.clearUplink();
  }

  clearDownlink() {
    quiet(IP, ['netns', 'exec', this.janusNs, TC, 'qdisc', 'del', 'dev', this.janusIf, 'root']);
    quiet(IP, ['netns', 'exec', this.janusNs, IPTABLES, '-F', 'OUTPUT']);
  }

  clearUplink() {
    quiet(IP, ['netns', 'exec', this.publisherNs, TC, 'qdisc', 'del', 'dev', this.publisherIf, 'root']);
  }

  /**
   * A shell script that runs Chromium inside `ns`, for playwright's `executablePath`
   * (`ip netns exec` execs in place, so Playwright's pipe file descriptors stay open).
   */
  chromiumWrapper(ns, chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') {
    const file = path.join(this.folder, `chromium-${ns}.sh`);
    fs.writeFileSync(file, `#!/bin/sh\nexec ${IP} netns exec ${ns} ${chromium} "$@"\n`, { mode: 0o755 });
    return file;
  }

  /**
   * Starts the project's stack (demo/server/stack.mjs) and the test page server inside the Janus
   * namespace, through test/netns-stack.mjs. Janus gathers ICE on 10.77.0.1 only; the page server
   * listens on every address of that namespace.
   * @returns {Promise<{ janus: { ws: string, wsLocal: string }, pages: string, pagesLocal: string, stop(): Promise<void> }>}
   */
  async startStack() {
    const script = path.join(HERE, 'netns-stack.mjs');
    const env = { ...process.env, STACK_HOST_ADDRESS: this.janusAddress };
    // Everything inside the namespace is private to it: the default ports never clash with another run.
    for (const name of [
      'JANUS_WS_PORT',
      'JANUS_HTTP_PORT',
      'JANUS_ADMIN_PORT',
      'TURN_PORT',
      'TURN_REST_PORT',
      'TURN_RELAY_RANGE',
      'TURN_REST_RELAY_RANGE',
    ]) {
      delete env[name];
    }
    const argv = [
      'netns',
      'exec',
      this.janusNs,
      ...(fs.existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'SIGTERM', '--'] : []),
      process.execPath,
      script,
    ];
    const child = spawn(IP, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const info = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('the namespaced stack did not start within 30 s')), 30000);
      child.stdout.on('data', (chunk) => {
        text += chunk;
        const line = text.split('\n').find((l) => l.startsWith('{'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the namespaced stack exited (code ${code}) before it was ready`));
      });
    });
    return {
      ...info,
      stop: () =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }

  async destroy() {
    for (const child of this.children) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
        setTimeout(resolve, 6000).unref();
      });
    }
    this.destroySync();
  }

  destroySync() {
    for (const child of this.children) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const ns of [this.janusNs, this.clientNs, this.publisherNs]) quiet(IP, ['netns', 'del', ns]);
    fs.rmSync(this.folder, { recursive: true, force: true });
    live.delete(this);
  }
}
