import { JanusConnection, type ConnectOptions } from './janus.js';
import { abortable, throwIfAborted } from './errors.js';

/** A share of a pooled Janus session; `release()` gives it back (once). */
export interface SessionLease {
  readonly connection: JanusConnection;
  release(): void;
}

interface PoolEntry {
  key: string;
  refs: number;
  connecting: AbortController;
  connection: Promise<JanusConnection>;
}

const pool = new Map<string, PoolEntry>();

function poolKey(options: Omit<ConnectOptions, 'signal'>): string {
  return JSON.stringify([
    options.servers,
    options.token ?? '',
    options.iceServers,
    options.iceTransportPolicy ?? 'all',
  ]);
}

function unref(entry: PoolEntry): void {
  entry.refs--;
  if (entry.refs > 0) return;
  if (pool.get(entry.key) === entry) pool.delete(entry.key);
  entry.connecting.abort();
  entry.connection.then(
    (connection) => connection.destroy(),
    () => {},
  );
}

/**
 * Every element naming the same servers, token and ICE configuration shares one Janus session
 * (one WebSocket); it is destroyed when the last lease is released.
 */
export async function acquireSession(options: ConnectOptions): Promise<SessionLease> {
  const { signal, ...connectOptions } = options;
  throwIfAborted(signal);
  const key = poolKey(connectOptions);
  let entry = pool.get(key);
  if (!entry) {
    const connecting = new AbortController();
    const created: PoolEntry = {
      key,
      refs: 0,
      connecting,
      connection: JanusConnection.connect({ ...connectOptions, signal: connecting.signal }),
    };
    entry = created;
    pool.set(key, created);
    created.connection.then(
      (connection) => {
        // A lost session must not be handed out again; its holders reconnect on their own.
        connection.on('lost', () => {
          if (pool.get(key) === created) pool.delete(key);
        });
      },
      () => {
        if (pool.get(key) === created) pool.delete(key);
      },
    );
  }
  const held = entry;
  held.refs++;
  try {
    const connection = await abortable(held.connection, signal);
    let released = false;
    return {
      connection,
      release() {
        if (released) return;
        released = true;
        unref(held);
      },
    };
  } catch (error) {
    unref(held);
    throw error;
  }
}

/** How many distinct sessions the page holds (for tests and diagnostics). */
export function pooledSessionCount(): number {
  return pool.size;
}
