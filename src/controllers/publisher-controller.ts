import { JanusWidgetError, isAbortError, toWidgetError } from '../core/errors.js';
import {
  LivePublisher,
  type LivePublisherEvents,
  type PublisherSettings,
  type PublisherState,
} from '../core/live-publisher.js';
import type { VideoSource } from '../core/media.js';
import { MachineController, type MachineHost } from './machine-controller.js';
import type { StatsController } from './stats-controller.js';

/** What the controller needs from its element. */
export interface PublisherHost extends MachineHost<PublisherState>, EventTarget {
  /** Builds the settings from the element's attributes; throws `invalid-config` errors. */
  publisherSettings(): PublisherSettings;
  /** Whether to publish as soon as connected (else: preview only). */
  readonly autostart: boolean;
  readonly muted: boolean;
  readonly cameraOff: boolean;
  /** Samples the publishing PeerConnection for `janus-stats`. */
  readonly statsController?: StatsController;
}

export interface PublisherControllerEvents {
  published(detail: { feedId: number | string; room: number | string }): void;
  unpublished(detail: { feedId: number | string; room: number | string }): void;
  fallback(reason: 'audio-only'): void;
  /** The machine changed the video source on its own (the browser ended a screen share). */
  source(detail: { video: VideoSource; videoDevice?: string | undefined }): void;
}

/**
 * Owns a LivePublisher for an element. A settings change while publishing publishes again, under
 * the same feed id, so that `<janus-viewer feed="...">` keeps watching.
 */
export class PublisherController extends MachineController<PublisherState, LivePublisherEvents, LivePublisher> {
  constructor(
    protected override readonly host: PublisherHost,
    private readonly events: PublisherControllerEvents,
  ) {
    super(host);
  }

  get publisher(): LivePublisher | undefined {
    return this.machine;
  }

  get stream(): MediaStream | undefined {
    return this.machine?.stream;
  }

  protected create(previous: LivePublisher | undefined): LivePublisher {
    const publisher = new LivePublisher(this.host.publisherSettings());
    publisher.audioEnabled = !this.host.muted;
    publisher.videoEnabled = !this.host.cameraOff;
    publisher.feedId = previous?.feedId;
    let last: { feedId: number | string; room: number | string } | undefined;
    // While connecting, the state that ends it renders the preview: the camera comes in the middle
    // of the offer, and setting up a video element then holds up what the first packets wait for.
    this.forward(publisher, 'stream', () => {
      if (publisher.state !== 'connecting') this.host.requestUpdate();
    });
    this.forward(publisher, 'published', (detail) => {
      last = detail;
      this.events.published(detail);
    });
    this.forward(publisher, 'unpublished', () => last && this.events.unpublished(last));
    this.forward(publisher, 'fallback', ({ reason }) => this.events.fallback(reason));
    this.forward(publisher, 'source', (detail) => this.events.source(detail));
    this.forward(publisher, 'pc', (pc) => this.host.statsController?.setPeerConnection(pc));
    this.forward(publisher, 'slowlink', (report) => this.host.statsController?.sampler.addSlowLink(report));
    return publisher;
  }

  protected async begin(publisher: LivePublisher, wasRunning: boolean): Promise<unknown> {
    if (!this.host.autostart && !wasRunning) return publisher.preview();
    // The feed id is free once the replaced publisher has left the room.
    if (publisher.feedId !== undefined) await this.closing;
    return this.machine === publisher ? publisher.start() : undefined;
  }

  protected override released(): void {
    this.host.statsController?.setPeerConnection(undefined);
  }

  /** Publishes; rejects with the widget error on failure. */
  async start(): Promise<void> {
    if (!this.machine) throw this.configError ?? this.notReady();
    await this.machine.start();
  }

  async stop(): Promise<void> {
    await this.machine?.stop();
  }

  /** Applies a rejected async call (mute, device switch) to the element without leaving it unhandled. */
  report(error: unknown): void {
    if (!isAbortError(error) && this.machine) this.host.reportError(toWidgetError(error));
  }

  private notReady(): JanusWidgetError {
    return new JanusWidgetError('invalid-config', 'The element is not connected to a document.');
  }
}
