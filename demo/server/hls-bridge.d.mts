// Types for hls-bridge.mjs (see its header).
export interface HlsBridgeOptions {
  /** Janus HTTP API URL, e.g. http://127.0.0.1:8088/janus. */
  janus: string;
  room: number | string;
  /** Where index.m3u8 and its segments are written (serve it over HTTP). */
  folder: string;
  /** The room's secret, for rtp_forward. */
  secret?: string;
  /** The room's PIN, for joining it. */
  pin?: string;
  /** Follow only this publisher (default: the first one publishing). */
  feed?: number | string;
  /** First of four local UDP ports (default HLS_RTP_PORT or 46000; the next free block is taken). */
  rtpPort?: number;
  host?: string;
  log?: (message: string) => void;
}

export interface HlsBridge {
  readonly folder: string;
  readonly playlist: string;
  readonly rtpPort: number;
  readonly ffmpegPid: number | undefined;
  status(): { publisher?: number | string; ffmpegPid?: number; publishers: Array<number | string> };
  stop(): Promise<void>;
}

export declare function startHlsBridge(options: HlsBridgeOptions): Promise<HlsBridge>;
