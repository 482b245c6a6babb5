import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { JanusWidgetError, isAbortError, toWidgetError } from '../core/errors.js';
import {
  RoomViewer,
  type Quality,
  type QualityReason,
  type ViewerSettings,
  type ViewerState,
  type WatchedFeed,
} from '../core/room-viewer.js';
import type { FeedId } from '../core/subscriber.js';

/** What the controller needs from its element. */
export interface ViewerHost extends ReactiveControllerHost {
  readonly isConnected: boolean;
  viewerSettings(): ViewerSettings;
  setState(state: ViewerState): void;
  reportError(error: JanusWidgetError): void;
}

export interface ViewerControllerEvents {
  feedAdded(feed: WatchedFeed): void;
  feedRemoved(feed: WatchedFeed): void;
  quality(detail: { feedId: FeedId; quality: Quality; reason: QualityReason }): void;
  peerConnection(pc: RTCPeerConnection | undefined): void;
  slowlink(report: { uplink: boolean; lost: number }): void;
  layer(layer: { feedId: FeedId; substream?: number | undefined; temporal?: number | undefined }): void;
}

/** Owns a RoomViewer for an element: started on connect, disposed on disconnect, rebuilt on config change. */
export class ViewerController implements ReactiveController {
  viewer: RoomViewer | undefined;

  constructor(
    private readonly host: ViewerHost,
    private readonly events: ViewerControllerEvents,
  ) {
    host.addController(this);
  }

  /** The feeds being shown, in arrival order. */
  get feeds(): WatchedFeed[] {
    return [...(this.viewer?.feeds.values() ?? [])];
  }

  /** Set on connect; the first update opens, so properties set right after `append()` count. */
  private pendingOpen = false;

  hostConnected(): void {
    this.pendingOpen = true;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.pendingOpen = false;
    this.close();
  }

  /** Called from the element's `willUpdate`: opens after connecting, and again when `settingsChanged`. */
  update(settingsChanged: boolean): void {
    if (!this.pendingOpen && !(settingsChanged && this.host.isConnected)) return;
    this.pendingOpen = false;
    this.close();
    this.open();
  }

  restart(): void {
    this.close();
    if (this.host.isConnected) this.open();
  }

  private open(): void {
    let settings: ViewerSettings;
    try {
      settings = this.host.viewerSettings();
    } catch (error) {
      this.fail(error);
      return;
    }
    const viewer = new RoomViewer(settings);
    this.viewer = viewer;
    // A disposed viewer still settles (its `closed` comes after a rebuild failed with
    // invalid-config): only the current one speaks for the element.
    const current = () => this.viewer === viewer;
    viewer.on('state', (state) => current() && this.host.setState(state));
    viewer.on('error', (error) => current() && this.host.reportError(error));
    viewer.on('feeds', () => current() && this.host.requestUpdate());
    viewer.on('feed-added', (feed) => current() && this.events.feedAdded(feed));
    viewer.on('feed-removed', (feed) => current() && this.events.feedRemoved(feed));
    viewer.on('quality', (detail) => current() && this.events.quality(detail));
    viewer.on('pc', (pc) => (current() || !pc) && this.events.peerConnection(pc));
    viewer.on('slowlink', (report) => current() && this.events.slowlink(report));
    viewer.on('layer', (layer) => current() && this.events.layer(layer));
    this.host.setState('idle');
    // Failures arrive through the state and `janus-error`; nothing may go unhandled.
    viewer.start().catch(() => {});
  }

  private close(): void {
    const viewer = this.viewer;
    this.viewer = undefined;
    if (!viewer) return;
    void viewer.dispose();
    this.host.setState('closed');
    this.events.peerConnection(undefined);
  }

  private fail(error: unknown): void {
    if (isAbortError(error)) return;
    this.host.setState('error');
    this.host.reportError(toWidgetError(error));
  }
}
