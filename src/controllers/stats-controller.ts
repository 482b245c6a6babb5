import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Emitter } from '../core/emitter.js';
import type { Direction } from '../core/stats.js';
import type { HlsSample } from '../core/hls-player.js';
import { StatsSampler, type LiveStatsSample, type StatsSamplerOptions } from '../core/stats-sampler.js';

export type StatsHostElement = ReactiveControllerHost & HTMLElement;

type Listener = EventListenerOrEventListenerObject;

/**
 * Gives a publisher or viewer element its stats: owns a {@link StatsSampler}, fires `janus-stats`
 * (bubbling, composed, `detail` = the sample) from the host at each sample, and keeps the latest.
 *
 * The sampler polls only while somebody needs it: a `<janus-stats>` that retains it, or a
 * `janus-stats` listener added on the host itself. The controller counts those by wrapping the
 * host's own `addEventListener`/`removeEventListener` (`once` and `signal` included). Listeners
 * further up (document, window) are not seen: they get the events while something else samples,
 * or call `retain()` themselves.
 */
export class StatsController
  extends Emitter<{ connected: boolean; hls: HlsSample | undefined }>
  implements ReactiveController
{
  readonly sampler: StatsSampler;
  /** The HLS figures while the host plays HLS (it has no PeerConnection then). */
  hls: HlsSample | undefined;
  /** `janus-stats` listeners on the host, by listener and capture flag (the DOM ignores duplicates). */
  private readonly statsListeners = new Map<Listener, Set<boolean>>();
  private onceListeners = new Set<Listener>();
  private releaseListeners: (() => void) | undefined;

  constructor(
    private readonly host: StatsHostElement,
    direction: Direction,
    options: Omit<StatsSamplerOptions, 'direction'> = {},
  ) {
    super();
    this.sampler = new StatsSampler({ ...options, direction });
    this.sampler.on('sample', (sample) => {
      host.dispatchEvent(new CustomEvent('janus-stats', { detail: sample, bubbles: true, composed: true }));
      // A `once` listener has just run and been removed by the DOM.
      for (const listener of this.onceListeners) this.forget(listener, undefined);
      this.onceListeners.clear();
    });
    this.countListeners();
    host.addController(this);
  }

  /** The newest sample, or undefined before the first one. */
  get latest(): LiveStatsSample | undefined {
    return this.sampler.latest;
  }

  /** Hosts call this whenever their PeerConnection changes (reconnect, feed change, stop). */
  setPeerConnection(pc: RTCPeerConnection | undefined): void {
    this.sampler.setPeerConnection(pc);
  }

  /** Hosts call this with each HLS sample while they play HLS, and with undefined when they stop. */
  setHls(sample: HlsSample | undefined): void {
    if (sample === this.hls) return;
    this.hls = sample;
    this.emit('hls', sample);
  }

  /** Samples (at most every `interval` ms) until the returned function is called. */
  retain(interval?: number): () => void {
    return this.sampler.retain(interval);
  }

  hostConnected(): void {
    this.emit('connected', true);
  }

  hostDisconnected(): void {
    this.sampler.setPeerConnection(undefined);
    this.emit('connected', false);
  }

  private countListeners(): void {
    const host = this.host;
    const add = host.addEventListener;
    const remove = host.removeEventListener;
    host.addEventListener = (type: string, listener: Listener | null, options?: boolean | AddEventListenerOptions) => {
      add.call(host, type, listener as Listener, options);
      if (type !== 'janus-stats' || !listener) return;
      const opts = typeof options === 'object' ? options : { capture: Boolean(options) };
      if (opts.signal?.aborted) return;
      const captures = this.statsListeners.get(listener) ?? new Set();
      captures.add(Boolean(opts.capture));
      this.statsListeners.set(listener, captures);
      if (opts.once) this.onceListeners.add(listener);
      opts.signal?.addEventListener('abort', () => this.forget(listener, Boolean(opts.capture)), { once: true });
      this.updateListenerRetention();
    };
    host.removeEventListener = (type: string, listener: Listener | null, options?: boolean | EventListenerOptions) => {
      remove.call(host, type, listener as Listener, options);
      if (type !== 'janus-stats' || !listener) return;
      this.forget(listener, typeof options === 'object' ? Boolean(options.capture) : Boolean(options));
    };
  }

  /** Forgets one registration (`capture` given) or every registration of `listener`. */
  private forget(listener: Listener, capture: boolean | undefined): void {
    const captures = this.statsListeners.get(listener);
    if (!captures) return;
    if (capture === undefined) captures.clear();
    else captures.delete(capture);
    if (captures.size === 0) this.statsListeners.delete(listener);
    this.updateListenerRetention();
  }

  private updateListenerRetention(): void {
    if (this.statsListeners.size > 0) this.releaseListeners ??= this.sampler.retain();
    else {
      this.releaseListeners?.();
      this.releaseListeners = undefined;
    }
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'janus-stats': CustomEvent<LiveStatsSample>;
  }
}
