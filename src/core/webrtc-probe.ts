import { RoomViewer, type ViewerSettings } from './room-viewer.js';

/** Pauses before each background WebRTC attempt while HLS plays (the last one repeats). */
export const PROBE_DELAYS_MS = [5000, 15000, 30000, 60000];
/** An attempt must be live with frames decoding this long, without a break, before the viewer steps up. */
export const STEP_UP_MS = 3000;
/** An attempt not decoding by then is given up: longer than a working network ever needs to connect. */
export const PROBE_ATTEMPT_MS = 12000;
const POLL_MS = 500;
const SINK_HANDOVER_MS = 3000;

/**
 * Tries WebRTC in the background while a viewer plays HLS: a RoomViewer of its own, nothing on
 * screen, attempts spaced along {@link PROBE_DELAYS_MS}. It hands over a viewer only once that has
 * decoded frames for {@link STEP_UP_MS} in a row, so a network that lets WebRTC connect and then
 * drops it does not make the element flap. The spacing is never reset by a step-up: a WebRTC that
 * fails again after one waits longer for the next.
 */
export class WebRtcProbe {
  private attempts = 0;
  private viewer: RoomViewer | undefined;
  private sink: HTMLVideoElement | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private off: Array<() => void> = [];

  constructor(
    private readonly settings: () => ViewerSettings,
    private readonly recovered: (viewer: RoomViewer) => void,
  ) {}

  /** Whether an attempt is scheduled or running. */
  get active(): boolean {
    return this.timer !== undefined || this.viewer !== undefined;
  }

  /** Schedules the next attempt; `now` tries at once (the connection settings changed). */
  schedule(now = false): void {
    this.stop();
    const delay = now ? 0 : (PROBE_DELAYS_MS[Math.min(this.attempts, PROBE_DELAYS_MS.length - 1)] ?? 0);
    this.attempts++;
    this.timer = setTimeout(() => this.attempt(), delay);
  }

  /** Stops the current attempt, dropping its viewer; the spacing so far is kept. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const viewer = this.release();
    if (viewer) void viewer.dispose();
  }

  private attempt(): void {
    this.timer = undefined;
    let viewer: RoomViewer;
    try {
      viewer = new RoomViewer(this.settings());
    } catch {
      this.schedule(); // invalid settings: the element reports them when it uses them
      return;
    }
    this.viewer = viewer;
    const started = performance.now();
    let frames = 0;
    let decodingSince: number | undefined;
    this.off.push(
      viewer.on('state', (state) => state === 'error' && this.viewer === viewer && this.schedule()),
      // Frames are decoded only for a track with a sink: a muted <video> outside the page.
      viewer.on('feeds', (feeds) => {
        const stream = feeds[0]?.stream;
        if (!stream || this.sink?.srcObject === stream) return;
        this.sink ??= Object.assign(document.createElement('video'), { muted: true, playsInline: true });
        this.sink.srcObject = stream;
        void this.sink.play().catch(() => {});
      }),
    );
    this.poll = setInterval(async () => {
      const decoded = viewer.state === 'live' ? await framesDecoded(viewer.pc) : 0;
      if (this.viewer !== viewer) return;
      const now = performance.now();
      decodingSince = decoded > frames ? (decodingSince ?? now) : undefined;
      frames = decoded;
      if (decodingSince !== undefined && now - decodingSince >= STEP_UP_MS) {
        this.release();
        this.recovered(viewer);
      } else if (decodingSince === undefined && now - started > PROBE_ATTEMPT_MS) this.schedule();
    }, POLL_MS);
    viewer.start().catch(() => {}); // a failure arrives as the `error` state
  }

  /** Detaches the current viewer from the probe without disposing it. */
  private release(): RoomViewer | undefined {
    clearInterval(this.poll);
    this.poll = undefined;
    for (const off of this.off.splice(0)) off();
    const sink = this.sink;
    this.sink = undefined;
    // A receiver left without a sink stops decoding and waits for a keyframe: keep this one until
    // the element's own <video> has taken over the stream.
    if (sink) setTimeout(() => (sink.srcObject = null), SINK_HANDOVER_MS);
    const viewer = this.viewer;
    this.viewer = undefined;
    return viewer;
  }
}

async function framesDecoded(pc: RTCPeerConnection | undefined): Promise<number> {
  let frames = 0;
  const report = await pc?.getStats().catch(() => undefined);
  report?.forEach((entry: { type?: string; kind?: string; framesDecoded?: number }) => {
    if (entry.type === 'inbound-rtp' && entry.kind === 'video') frames += entry.framesDecoded ?? 0;
  });
  return frames;
}
