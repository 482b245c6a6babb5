/**
 * Polls one PeerConnection's `getStats()` while someone needs the numbers, and turns each report
 * into a {@link LiveStatsSample}: the plain {@link StatsSample} plus the quality assessment and the
 * facts only the owner knows (Janus slowlink reports, the simulcast layer received, the
 * degradation level). No DOM, no Lit: hosts feed it their PeerConnection, consumers retain it.
 */
import { loadAnalysis, type Analysis } from './analysis-loader.js';
import { Emitter } from './emitter.js';
import type { AssessOptions, Diagnosis, QualityLevel } from './quality.js';
import type { Direction, StatsSample } from './stats.js';

/** A Janus `slowlink` event: the side that lost packets, as Janus sees it. */
export interface SlowLinkReport {
  /** True when Janus lost packets it was receiving from us, false for packets it sent us. */
  uplink: boolean;
  lost: number;
}

/** The simulcast layer Janus relays to a viewer. */
export interface ReceivedLayer {
  substream?: number | undefined;
  temporal?: number | undefined;
}

export interface LiveStatsSample extends StatsSample {
  quality: QualityLevel;
  diagnosis: Diagnosis[];
  /** Counts PeerConnection changes (reconnects, feed changes): samples of one connection share it. */
  connection: number;
  /** Janus slowlink reports since the previous sample. */
  slowLinks?: SlowLinkReport[];
  /** recv: the simulcast layer Janus relays now. */
  layer?: ReceivedLayer;
  /** recv: the degradation level, while the viewer's adaptation holds the stream down. */
  degradation?: string;
}

export interface StatsSamplerOptions {
  direction: Direction;
  /** Milliseconds between samples unless a consumer asks for less (default 1000). */
  interval?: number;
  /** Samples kept in {@link StatsSampler.history} (default 30). */
  historySize?: number;
  /** Passed to {@link assessQuality}. */
  assess?: AssessOptions;
}

export const DEFAULT_STATS_INTERVAL = 1000;
/** Browsers refresh most RTP stats about every 100-200 ms; faster polling only repeats them. */
const MIN_INTERVAL = 200;

/**
 * Samples a PeerConnection while retained. Each `retain()` must be matched by calling the
 * function it returns; with no retainer or no PeerConnection nothing runs.
 */
export class StatsSampler extends Emitter<{ sample: LiveStatsSample; pc: RTCPeerConnection | undefined }> {
  readonly direction: Direction;
  /** The newest sample, kept across a PeerConnection change until the next one arrives. */
  latest: LiveStatsSample | undefined;
  private readonly samples: LiveStatsSample[] = [];
  private readonly historySize: number;
  private readonly defaultInterval: number;
  private readonly retainers = new Map<symbol, number>();
  private pc: RTCPeerConnection | undefined;
  private connection = 0;
  private previous: StatsSample | undefined;
  private slowLinks: SlowLinkReport[] = [];
  private layer: ReceivedLayer | undefined;
  private degradation: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever the loop must drop an in-flight getStats() (stop, PC change). */
  private generation = 0;
  private disposed = false;

  constructor(private readonly options: StatsSamplerOptions) {
    super();
    this.direction = options.direction;
    this.historySize = Math.max(1, options.historySize ?? 30);
    this.defaultInterval = options.interval ?? DEFAULT_STATS_INTERVAL;
  }

  /** Recent samples, oldest first, across PeerConnections (see {@link LiveStatsSample.connection}). */
  get history(): readonly LiveStatsSample[] {
    return this.samples;
  }

  /** The PeerConnection sampled now. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.pc;
  }

  /** Number of consumers holding the sampler. */
  get retained(): number {
    return this.retainers.size;
  }

  /** Whether a poll loop is running (retained and a PeerConnection is set). */
  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** The interval in effect: the smallest any retainer asked for. */
  get interval(): number {
    const asked = [...this.retainers.values()];
    return Math.max(MIN_INTERVAL, asked.length > 0 ? Math.min(...asked) : this.defaultInterval);
  }

  /** Sets (or clears) the PeerConnection to sample; rates restart from the next sample. */
  setPeerConnection(pc: RTCPeerConnection | undefined): void {
    if (pc === this.pc) return;
    this.pc = pc;
    this.connection++;
    this.previous = undefined;
    this.slowLinks = [];
    this.layer = undefined;
    this.degradation = undefined;
    // A new PeerConnection is still connecting: its first getStats() would only slow that down.
    this.restart(this.interval);
    this.emit('pc', pc);
  }

  /** Starts sampling (at most every `interval` ms) until the returned function is called. */
  retain(interval = this.defaultInterval): () => void {
    const key = Symbol('retainer');
    this.retainers.set(key, Number.isFinite(interval) && interval > 0 ? interval : this.defaultInterval);
    this.restart();
    return () => {
      if (this.retainers.delete(key)) this.restart();
    };
  }

  /** Records a Janus slowlink report; it appears in the next sample. */
  addSlowLink(report: SlowLinkReport): void {
    this.slowLinks.push({ uplink: report.uplink, lost: report.lost });
  }

  /** Records the simulcast layer Janus relays (viewers). */
  setLayer(layer: ReceivedLayer | undefined): void {
    this.layer = layer && { ...layer };
  }

  /** Records the viewer's degradation level; `undefined` when nothing is held down. */
  setDegradation(level: string | undefined): void {
    this.degradation = level;
  }

  /** Takes one sample now (whether retained or not); resolves `undefined` without a PeerConnection. */
  async sampleNow(): Promise<LiveStatsSample | undefined> {
    const pc = this.pc;
    const generation = this.generation;
    if (!pc || this.disposed) return undefined;
    let report: RTCStatsReport;
    let analysis: Analysis;
    try {
      // The first sample also fetches the analysis chunk (in parallel with the first getStats()).
      [report, analysis] = await Promise.all([pc.getStats(), loadAnalysis()]);
    } catch {
      return undefined; // a closed or replaced PeerConnection: the next one will be sampled
    }
    // Stale: the PeerConnection changed (or sampling stopped) while getStats() ran.
    if (pc !== this.pc || generation !== this.generation || this.disposed) return undefined;
    return this.record(analysis, analysis.toStatsSample(report, this.direction, this.previous, pc.iceConnectionState));
  }

  /** Stops sampling and forgets listeners and the PeerConnection. */
  dispose(): void {
    this.disposed = true;
    this.retainers.clear();
    this.pc = undefined;
    this.stop();
    this.removeAllListeners();
  }

  private record({ assessQuality }: Analysis, stats: StatsSample): LiveStatsSample {
    this.previous = stats;
    const connection = this.connection;
    const sameConnection = this.samples.filter((s) => s.connection === connection);
    const { quality, diagnosis } = assessQuality([...sameConnection, stats], this.options.assess);
    const sample: LiveStatsSample = { ...stats, quality, diagnosis, connection };
    if (this.slowLinks.length > 0) sample.slowLinks = this.slowLinks.splice(0);
    if (this.layer) sample.layer = { ...this.layer };
    if (this.degradation !== undefined) sample.degradation = this.degradation;
    this.samples.push(sample);
    if (this.samples.length > this.historySize) this.samples.splice(0, this.samples.length - this.historySize);
    this.latest = sample;
    this.emit('sample', sample);
    return sample;
  }

  private restart(firstAfterMs = 0): void {
    this.stop();
    if (this.disposed || !this.pc || this.retainers.size === 0) return;
    const generation = this.generation;
    const tick = async () => {
      await this.sampleNow();
      // Chained timeouts, not setInterval: a slow getStats() never overlaps the next one.
      if (generation === this.generation) this.timer = setTimeout(tick, this.interval);
    };
    this.timer = setTimeout(tick, firstAfterMs);
  }

  private stop(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
