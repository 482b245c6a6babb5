export const JANUS_ADDRESS: string;
export const CLIENT_ADDRESS: string;
export const PUBLISHER_ADDRESS: string;

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
  /** Where the publisher's Chromium runs; its uplink is what `impairUplink` caps. */
  readonly publisherNs: string;
  readonly janusIf: string;
  readonly clientIf: string;
  readonly janusPublisherIf: string;
  readonly publisherIf: string;
  /** The bridge in the Janus namespace that carries Janus' address and joins both pairs. */
  readonly bridge: string;
  readonly publisherAddress: string;
  readonly janusAddress: string;
  readonly clientAddress: string;
  exec(ns: string, cmd: string, args: string[]): string;
  /** Impairs the viewer's downlink (Janus' end of the client pair). */
  impair(impairment: { rateKbit?: number; lossPercent?: number }): Promise<void>;
  /** Caps the publisher's uplink (the publisher's end of its pair). */
  impairUplink(impairment: { rateKbit: number }): Promise<void>;
  /** Removes every impairment, downlink and uplink. */
  clear(): void;
  clearDownlink(): void;
  clearUplink(): void;
  chromiumWrapper(ns: string, chromium?: string): string;
  startStack(): Promise<NamespacedStack>;
  destroy(): Promise<void>;
  destroySync(): void;
}

export function createTopology(): Promise<Topology>;
