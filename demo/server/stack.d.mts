// Types for the parts of stack.mjs that TypeScript tests use (see the header of stack.mjs).
export interface StackOptions {
  wsPort?: number;
  httpPort?: number;
  adminPort?: number;
  adminSecret?: string;
  rtpRange?: string;
  debugLevel?: number;
  turnPort?: number;
  turnRestPort?: number;
  turnRelayRange?: string;
  turnRestRelayRange?: string;
  turnUser?: string;
  turnSecret?: string;
  hostAddress?: string;
  /** Where Janus WebSockets listens (default 127.0.0.1; 0.0.0.0 to be reached from another network namespace). */
  wsListenAddress?: string;
  timeoutMs?: number;
  keepFolder?: boolean;
  handleSignals?: boolean;
  log?: (message: string) => void;
}

export interface Stack {
  janus: {
    ws: string;
    http: string;
    admin: string;
    adminSecret: string;
    serverName: string;
    adminRequest(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  };
  turn: {
    static: { urls: string[]; username: string; credential: string };
    rest: { urls: string[]; secret: string };
  };
  hostAddress: string;
  folder: string;
  startupMs: number;
  stop(): Promise<void>;
}

export declare function startStack(options?: StackOptions): Promise<Stack>;
export declare function ensureInstalled(options?: {
  chromium?: boolean;
  log?: (message: string) => void;
}): Promise<Record<string, unknown>>;
