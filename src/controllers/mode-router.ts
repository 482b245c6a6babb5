import type { ReactiveController } from 'lit';
import type { HlsController, HlsHost, WebRtcController } from './hls-controller.js';

/** Where a WebRTC failure is remembered for the session (read here, written by the HLS controller). */
export const MEMORY_PREFIX = 'janus-widgets:webrtc-failed:';

/**
 * Routes a viewer to WebRTC until HLS may play, and only then loads the {@link HlsController} (the
 * HLS mode, its hand-off timer and background probe: a chunk of the CDN build, next to the bundle).
 * Without `hls` it never loads. With `mode="auto"` WebRTC starts at once and the HLS controller,
 * once here, watches it from that start; a forced or remembered HLS waits for the chunk (HLS itself
 * needs a chunk anyway, fetched in parallel).
 */
export class ModeRouter implements ReactiveController {
  private hls: HlsController | undefined;
  private pendingFirst = false;
  private loading = false;
  /** When WebRTC was started for `mode="auto"` while the HLS controller loads; undefined otherwise. */
  private startedAt: number | undefined;

  constructor(
    private readonly host: HlsHost,
    private readonly webrtc: WebRtcController,
  ) {
    host.addController(this);
  }

  /** What plays now. */
  get mode(): 'webrtc' | 'hls' {
    return this.hls?.mode ?? 'webrtc';
  }

  get player() {
    return this.hls?.player;
  }

  hostConnected(): void {
    if (this.hls) return; // it has its own hostConnected
    this.pendingFirst = true;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.pendingFirst = false;
  }

  /** Called from `willUpdate` instead of the WebRTC controller's `update`. */
  route(settingsChanged: boolean): void {
    if (this.hls) return this.hls.route(settingsChanged);
    const first = this.pendingFirst;
    this.pendingFirst = false;
    if (!first && !(settingsChanged && this.host.isConnected)) {
      this.webrtc.update(false);
      return;
    }
    let mode: string;
    try {
      mode = this.host.hlsSettings().mode;
    } catch {
      this.webrtc.update(true); // the WebRTC controller reports the invalid attribute
      return;
    }
    if (mode === 'webrtc') {
      this.webrtc.update(true);
      return;
    }
    if (mode === 'auto' && !this.remembered()) {
      this.webrtc.update(true);
      this.startedAt = performance.now();
    } else {
      this.startedAt = undefined;
      this.webrtc.suspend(); // HLS only: WebRTC must not start (nor judge the connection attributes)
      void import('../core/hls-engine.js').catch(() => {}); // the player imports it again, from the cache
    }
    this.load();
  }

  private load(): void {
    if (this.loading) return;
    this.loading = true;
    void import('./hls-controller.js').then(
      ({ HlsController }) => {
        this.loading = false;
        let mode: string | undefined;
        try {
          mode = this.host.hlsSettings().mode;
        } catch {
          // invalid now: the WebRTC controller reports it; a valid change routes here again
        }
        if (mode === undefined || mode === 'webrtc') return; // `hls` went away meanwhile
        const connected = this.host.isConnected;
        this.hls = new HlsController(this.host, this.webrtc, connected ? this.startedAt : undefined);
        // It registers itself with the host, whose hostConnected call then comes from the base
        // constructor, before the controller's own fields exist: it takes over now, in full.
        if (connected) this.hls.hostConnected();
      },
      () => {
        this.loading = false; // tried again at the next settings change
      },
    );
  }

  private remembered(): boolean {
    try {
      return sessionStorage.getItem(MEMORY_PREFIX + this.host.webrtcKey()) !== null;
    } catch {
      return false; // storage blocked (sandboxed frame, privacy settings)
    }
  }
}
