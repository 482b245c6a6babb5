import { HlsPlayer, type HlsPlayerEvents, type HlsSample } from '../core/hls-player.js';
import type { RoomViewer, ViewerSettings, ViewerState } from '../core/room-viewer.js';
import { WebRtcProbe } from '../core/webrtc-probe.js';
import type { ViewerMode } from '../core/validation.js';
import type { JanusErrorDetail } from '../components/shared/events.js';
import { MachineController, type MachineHost } from './machine-controller.js';
import { MEMORY_PREFIX } from './mode-router.js';

/**
 * `mode="auto"`: how long WebRTC may stay `connecting` (or `reconnecting`) before the viewer
 * hands off to HLS. Signalling plus ICE on a working network takes well under 2 s; a network that
 * blocks UDP and TURN never gets there, and Chromium's own ICE timeout is ~30 s.
 */
export const WEBRTC_FALLBACK_MS = 8000;

/** Why the viewer plays what it plays. */
export type ModeReason = 'forced' | 'remembered' | 'timeout' | 'room-full' | 'webrtc-failed' | 'recovered';

export interface HlsHost extends MachineHost<ViewerState> {
  readonly state: string;
  readonly error: JanusErrorDetail | undefined;
  /** The validated `hls` and `mode`; throws `invalid-config`. */
  hlsSettings(): { hls?: string; mode: ViewerMode };
  /** The WebRTC settings, for the background attempts while on HLS; throws `invalid-config`. */
  viewerSettings(): ViewerSettings;
  /** Identifies the WebRTC source whose failure is remembered (server and room). */
  webrtcKey(): string;
  modeChanged(detail: { mode: 'webrtc' | 'hls'; reason: ModeReason }): void;
  hlsSample(sample: HlsSample): void;
  soundBlocked(): void;
}

/** The WebRTC controller, as far as the hand-off needs it. */
export interface WebRtcController {
  update(settingsChanged: boolean): boolean;
  suspend(): void;
  adopt(viewer: RoomViewer): void;
}

/**
 * Chooses between WebRTC and HLS for a viewer and owns the HLS player: WebRTC first in `auto`,
 * HLS when WebRTC cannot connect within {@link WEBRTC_FALLBACK_MS}, the room is full, or its
 * retries ran out (then remembered in sessionStorage for the page's session). While HLS plays
 * after a WebRTC failure, WebRTC is tried again in the background and takes over once it decodes.
 * Loaded by the {@link ModeRouter} only when `hls` is set (a chunk of the CDN build).
 */
export class HlsController extends MachineController<ViewerState, HlsPlayerEvents, HlsPlayer> {
  /** What plays now. */
  mode: 'webrtc' | 'hls' = 'webrtc';
  private watchSince: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The playlist playing, to tell a change of it from a change of the WebRTC connection only. */
  private playing: string | undefined;
  private readonly probe = new WebRtcProbe(
    () => this.host.viewerSettings(),
    (viewer) => this.recovered(viewer),
  );

  /**
   * @param startedAt When the router, before this chunk arrived, started WebRTC for `mode="auto"`:
   * the hand-off is then timed from that start instead of starting WebRTC again.
   */
  constructor(
    protected override readonly host: HlsHost,
    private readonly webrtc: WebRtcController,
    private startedAt?: number,
  ) {
    super(host);
  }

  get player(): HlsPlayer | undefined {
    return this.machine;
  }

  /** Called from `willUpdate` instead of the WebRTC controller's `update`. */
  route(settingsChanged: boolean): void {
    const first = this.pendingFirst;
    const starting = this.webrtcStarting(settingsChanged);
    if (!starting) {
      if (this.mode === 'webrtc') this.webrtc.update(false);
      return;
    }
    let settings: { hls?: string; mode: ViewerMode };
    try {
      settings = this.host.hlsSettings();
    } catch {
      // The WebRTC controller reports the invalid attribute.
      this.toWebRtc(false);
      return;
    }
    const auto = settings.mode === 'auto';
    // Only the WebRTC connection changed (say, its ICE servers) while HLS plays: keep playing, try it now.
    if (!first && auto && this.mode === 'hls' && this.probe.active && settings.hls === this.playing) {
      this.probe.schedule(true);
      return;
    }
    if (settings.mode === 'hls') this.toHls('forced');
    else if (auto && this.remembered()) this.toHls('remembered');
    else this.toWebRtc(auto);
  }

  /** Whether this update (re)builds the machines: the first after connecting, or a settings change. */
  private webrtcStarting(settingsChanged: boolean): boolean {
    const first = this.pendingFirst;
    this.pendingFirst = false;
    return first || (settingsChanged && this.host.isConnected);
  }

  private pendingFirst = false;

  override hostConnected(): void {
    const startedAt = this.startedAt;
    this.startedAt = undefined;
    this.host.requestUpdate();
    if (startedAt === undefined) {
      this.pendingFirst = true;
      return;
    }
    // WebRTC is on its way already: watch it from its start (the update just requested lets
    // hostUpdated see the state it reached meanwhile).
    this.watchSince = startedAt;
    this.armTimer(Math.max(0, WEBRTC_FALLBACK_MS - (performance.now() - startedAt)));
  }

  override hostDisconnected(): void {
    this.pendingFirst = false;
    clearTimeout(this.timer);
    this.watchSince = undefined;
    this.probe.stop();
    super.hostDisconnected();
  }

  private toWebRtc(watch: boolean): void {
    this.probe.stop();
    super.suspend();
    this.mode = 'webrtc';
    this.playing = undefined;
    clearTimeout(this.timer);
    this.watchSince = watch ? performance.now() : undefined;
    this.webrtc.update(true);
    if (watch) this.armTimer();
  }

  private toHls(reason: ModeReason): void {
    clearTimeout(this.timer);
    this.watchSince = undefined;
    this.webrtc.suspend();
    this.mode = 'hls';
    this.playing = this.host.hlsSettings().hls;
    this.restart();
    if (reason === 'forced') this.probe.stop();
    else this.probe.schedule();
    this.host.modeChanged({ mode: 'hls', reason });
  }

  /** A background attempt has decoded long enough: it becomes the element's viewer, HLS stops. */
  private recovered(viewer: RoomViewer): void {
    if (this.mode !== 'hls' || !this.host.isConnected) {
      void viewer.dispose();
      return;
    }
    this.forget();
    this.webrtc.adopt(viewer);
    this.toWebRtc(true);
    this.host.modeChanged({ mode: 'webrtc', reason: 'recovered' });
  }

  /** Watches the WebRTC states while `auto` may still hand off. */
  hostUpdated(): void {
    if (this.mode !== 'webrtc' || this.watchSince === undefined) return;
    const state = this.host.state;
    if (state === 'live' || state === 'waiting') {
      // Connected once: from now on only a failure after its retries hands off.
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (state === 'connecting' || state === 'reconnecting') {
      if (this.timer === undefined) this.armTimer();
    } else if (state === 'error') {
      const code = this.host.error?.code;
      if (code === 'invalid-config') return;
      this.handOff(code === 'room-full' ? 'room-full' : 'webrtc-failed');
    }
  }

  private armTimer(delay = WEBRTC_FALLBACK_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.handOff('timeout'), delay);
  }

  private handOff(reason: ModeReason): void {
    if (this.mode !== 'webrtc' || this.watchSince === undefined) return;
    this.remember();
    this.toHls(reason);
  }

  protected create(): HlsPlayer {
    const { hls } = this.host.hlsSettings();
    const player = new HlsPlayer(hls ?? '');
    player.video.setAttribute('part', 'video');
    this.forward(player, 'sample', (sample) => this.host.hlsSample(sample));
    this.forward(player, 'sound-blocked', () => this.host.soundBlocked());
    return player;
  }

  protected begin(player: HlsPlayer): Promise<unknown> {
    return player.start();
  }

  protected override released(): void {
    this.host.requestUpdate();
  }

  private remembered(): boolean {
    try {
      return sessionStorage.getItem(MEMORY_PREFIX + this.host.webrtcKey()) !== null;
    } catch {
      return false; // storage blocked (sandboxed frame, privacy settings)
    }
  }

  private forget(): void {
    try {
      sessionStorage.removeItem(MEMORY_PREFIX + this.host.webrtcKey());
    } catch {
      // storage blocked: nothing was remembered
    }
  }

  private remember(): void {
    try {
      sessionStorage.setItem(MEMORY_PREFIX + this.host.webrtcKey(), String(Date.now()));
    } catch {
      // storage blocked: the next load tries WebRTC again, which is only slower
    }
  }
}
