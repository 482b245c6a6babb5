export declare const DEMO_HLS_FOLDER: string;
export declare function startDemoSite(options: {
  root: string;
  stack: {
    janus: { ws: string };
    turn: { static: unknown; rest: { urls: string[]; secret: string } };
  };
  port?: number;
  bundle?: string;
}): Promise<{ url: string; close(): Promise<void> }>;
export declare function startDemoHls(
  root: string,
  stack: { janus: { http: string } },
): Promise<{ stop(): Promise<void> }>;
