import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { JanusWidgetError, isAbortError, toWidgetError } from '../core/errors.js';
import { LivePublisher, type PublisherSettings, type PublisherState } from '../core/live-publisher.js';
import type { VideoSource } from '../core/media.js';
import type { StatsController } from './stats-controller.js';

/** What the controller needs from its element. */
export interface PublisherHost extends ReactiveControllerHost, EventTarget {
  readonly isConnected: boolean;
  /** Builds the settings from the element's attributes; throws `invalid-config` errors. */
  publisherSettings(): PublisherSettings;
  /** Whether to publish as soon as connected (else: preview only). */
  readonly autostart: boolean;
  readonly muted: boolean;
  readonly cameraOff: boolean;
  readonly state: string;
  setState(state: PublisherState): void;
  reportError(error: JanusWidgetError): void;
  /** Samples the publishing PeerConnection for `janus-stats`. */
  readonly statsController?: StatsController;
  dispatchEvent(event: Event): boolean;
}

export interface PublisherControllerEvents {
  published(detail: { feedId: number | string; room: number | string }): void;
  unpublished(detail: { feedId: number | string; room: number | string }): void;
  fallback(reason: 'audio-only'): void;
  /** The machine reverted the video source (a cancelled screen picker): mirror it on the element. */
  source(detail: { video: VideoSource; videoDevice?: string | undefined }): void;
}

/**
 * Owns a LivePublisher for an element: built at the first update after connecting (so every
 * attribute and property set right after `append()` counts), disposed on disconnect, re-built
 * when the connection or capture settings change. Forwards its events to the element.
 */
export class PublisherController implements ReactiveController {
  publisher: LivePublisher | undefined;
  /** Why no machine could be built (an invalid attribute); `start()` rejects with it. */
  private configError: JanusWidgetError | undefined;
  private pendingOpen = false;

  constructor(
    private readonly host: PublisherHost,
    private readonly events: PublisherControllerEvents,
  ) {
    host.addController(this);
  }

  get stream(): MediaStream | undefined {
    return this.publisher?.stream;
  }

  hostConnected(): void {
    this.pendingOpen = true;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.pendingOpen = false;
    this.close();
    this.host.setState('closed');
  }

  /**
   * Called from the element's `willUpdate`: builds the machine once after connecting, and again
   * when `settingsChanged` (publishing again if it was publishing). Returns true when it built one.
   */
  update(settingsChanged: boolean): boolean {
    if (this.pendingOpen) {
      this.pendingOpen = false;
      this.close();
      this.open(this.host.autostart);
      return true;
    }
    if (settingsChanged && this.host.isConnected) {
      const wasPublishing = ['connecting', 'live', 'reconnecting'].includes(this.host.state);
      this.close();
      this.open(this.host.autostart || wasPublishing);
      return true;
    }
    return false;
  }

  private open(publish: boolean): void {
    this.configError = undefined;
    let settings: PublisherSettings;
    try {
      settings = this.host.publisherSettings();
    } catch (error) {
      this.configError = toWidgetError(error, 'invalid-config');
      this.host.setState('error');
      this.host.reportError(this.configError);
      return;
    }
    const publisher = new LivePublisher(settings);
    this.publisher = publisher;
    publisher.audioEnabled = !this.host.muted;
    publisher.videoEnabled = !this.host.cameraOff;
    // A disposed machine may still settle late; only the current one speaks for the element.
    const current = () => this.publisher === publisher;
    let last: { feedId: number | string; room: number | string } | undefined;
    publisher.on('state', (state) => current() && this.host.setState(state));
    publisher.on('error', (error) => current() && this.host.reportError(error));
    publisher.on('stream', () => current() && this.host.requestUpdate());
    publisher.on('published', (detail) => {
      if (!current()) return;
      last = detail;
      this.events.published(detail);
    });
    publisher.on('unpublished', () => {
      if (current() && last) this.events.unpublished(last);
    });
    publisher.on('fallback', ({ reason }) => current() && this.events.fallback(reason));
    publisher.on('source', (detail) => current() && this.events.source(detail));
    // A replaced machine may still drop its PeerConnection, never install one.
    publisher.on('pc', (pc) => (current() || !pc) && this.host.statsController?.setPeerConnection(pc));
    publisher.on('slowlink', (report) => current() && this.host.statsController?.sampler.addSlowLink(report));
    this.host.setState('idle');
    const first = publish ? publisher.start() : publisher.preview();
    // Failures are reported through the state and `janus-error`; nothing may go unhandled.
    first.catch(() => {});
  }

  private close(): void {
    const publisher = this.publisher;
    this.publisher = undefined;
    void publisher?.dispose();
  }

  /** Publishes; rejects with the widget error on failure. */
  async start(): Promise<void> {
    if (!this.publisher) throw this.configError ?? this.notReady();
    await this.publisher.start();
  }

  async stop(): Promise<void> {
    await this.publisher?.stop();
  }

  /** Applies a rejected async call (mute, device switch) to the element without leaving it unhandled. */
  report(error: unknown): void {
    if (!isAbortError(error) && this.publisher) this.host.reportError(toWidgetError(error));
  }

  private notReady(): JanusWidgetError {
    return new JanusWidgetError('invalid-config', 'The element is not connected to a document.');
  }
}
