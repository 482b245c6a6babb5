import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { JanusWidgetError, isAbortError, toWidgetError } from '../core/errors.js';
import { LivePublisher, type PublisherSettings, type PublisherState } from '../core/live-publisher.js';

/** What the controller needs from its element. */
export interface PublisherHost extends ReactiveControllerHost, EventTarget {
  readonly isConnected: boolean;
  /** Builds the settings from the element's attributes; throws `invalid-config` errors. */
  publisherSettings(): PublisherSettings;
  /** Whether to publish as soon as connected (else: preview only). */
  readonly autostart: boolean;
  readonly muted: boolean;
  readonly cameraOff: boolean;
  setState(state: PublisherState): void;
  reportError(error: JanusWidgetError): void;
  dispatchEvent(event: Event): boolean;
}

/**
 * Owns a LivePublisher for an element: created on connect, disposed on disconnect, re-created
 * when the connection settings change. Forwards its events to the element.
 */
export class PublisherController implements ReactiveController {
  publisher: LivePublisher | undefined;

  constructor(
    private readonly host: PublisherHost,
    private readonly events: {
      published(detail: { feedId: number | string; room: number | string }): void;
      unpublished(detail: { feedId: number | string; room: number | string }): void;
      fallback(reason: 'audio-only'): void;
    },
  ) {
    host.addController(this);
  }

  get stream(): MediaStream | undefined {
    return this.publisher?.stream;
  }

  hostConnected(): void {
    this.open();
  }

  hostDisconnected(): void {
    this.close();
  }

  /** Disposes the current machine and builds a fresh one from the element's settings. */
  restart(): void {
    this.close();
    if (this.host.isConnected) this.open();
  }

  private open(): void {
    let settings: PublisherSettings;
    try {
      settings = this.host.publisherSettings();
    } catch (error) {
      this.fail(error);
      return;
    }
    const publisher = new LivePublisher(settings);
    this.publisher = publisher;
    publisher.audioEnabled = !this.host.muted;
    publisher.videoEnabled = !this.host.cameraOff;
    let last: { feedId: number | string; room: number | string } | undefined;
    publisher.on('state', (state) => this.host.setState(state));
    publisher.on('error', (error) => this.host.reportError(error));
    publisher.on('stream', () => this.host.requestUpdate());
    publisher.on('published', (detail) => {
      last = detail;
      this.events.published(detail);
    });
    publisher.on('unpublished', () => {
      if (last) this.events.unpublished(last);
    });
    publisher.on('fallback', ({ reason }) => this.events.fallback(reason));
    this.host.setState('idle');
    const first = this.host.autostart ? publisher.start() : publisher.preview();
    // Failures are reported through the state and `janus-error`; nothing may go unhandled.
    first.catch(() => {});
  }

  private close(): void {
    const publisher = this.publisher;
    this.publisher = undefined;
    void publisher?.dispose();
    if (publisher) this.host.setState('closed');
  }

  private fail(error: unknown): void {
    if (isAbortError(error)) return;
    this.host.setState('error');
    this.host.reportError(toWidgetError(error));
  }

  /** Publishes; rejects with the widget error on failure. */
  async start(): Promise<void> {
    if (!this.publisher) throw this.notReady();
    await this.publisher.start();
  }

  async stop(): Promise<void> {
    await this.publisher?.stop();
  }

  private notReady(): JanusWidgetError {
    return new JanusWidgetError('invalid-config', 'The element is not connected or its attributes are invalid.');
  }
}
