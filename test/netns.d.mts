export const JANUS_ADDRESS: string;
export const CLIENT_ADDRESS: string;

/** Why the namespaces cannot be made here: the suite counts its scenarios as skipped. */
export class NetnsUnavailable extends Error {}

export interface NamespacedStack {
  janus: { ws: string; wsLocal: string };
  /** The page server as the client namespace reaches it (the veth address). */
  pages: string;
  /** The page server from inside the Janus namespace (loopback: a secure origin for getUserMedia). */
  pagesLocal: string;
  folder: string;
  stop(): Promise<void>;
}

export interface Topology {
  readonly janusNs: string;
  readonly clientNs: string;
  readonly janusIf: string;
  readonly clientIf: string;
  readonly janusAddress: string;
  readonly clientAddress: string;
  exec(ns: string, cmd: string, args: string[]): string;
  impair(impairment: { rateKbit?: number; lossPercent?: number }): Promise<void>;
  clear(): void;
  chromiumWrapper(ns: string, chromium?: string): string;
  startStack(): Promise<NamespacedStack>;
  destroy(): Promise<void>;
  destroySync(): void;
}

export function createTopology(): Promise<Topology>;
