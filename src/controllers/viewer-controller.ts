import {
  RoomViewer,
  type Quality,
  type QualityReason,
  type RoomViewerEvents,
  type ViewerSettings,
  type ViewerState,
  type WatchedFeed,
} from '../core/room-viewer.js';
import type { FeedId } from '../core/subscriber.js';
import { MachineController, type MachineHost } from './machine-controller.js';

/** What the controller needs from its element. */
export interface ViewerHost extends MachineHost<ViewerState> {
  viewerSettings(): ViewerSettings;
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
export class ViewerController extends MachineController<ViewerState, RoomViewerEvents, RoomViewer> {
  constructor(
    protected override readonly host: ViewerHost,
    private readonly events: ViewerControllerEvents,
  ) {
    super(host);
  }

  get viewer(): RoomViewer | undefined {
    return this.machine;
  }

  /** The feeds being shown, in arrival order. */
  get feeds(): WatchedFeed[] {
    return [...(this.machine?.feeds.values() ?? [])];
  }

  /** A viewer already live (the HLS controller's background attempt), used by the next build instead of a new one. */
  private adopted: RoomViewer | undefined;

  /** Makes the next build take over `viewer` rather than connect again: no gap on screen. */
  adopt(viewer: RoomViewer): void {
    void this.adopted?.dispose();
    this.adopted = viewer;
  }

  protected create(): RoomViewer {
    const adopted = this.adopted;
    this.adopted = undefined;
    const viewer = adopted ?? new RoomViewer(this.host.viewerSettings());
    this.forward(viewer, 'feeds', () => this.host.requestUpdate());
    this.forward(viewer, 'feed-added', (feed) => this.events.feedAdded(feed));
    this.forward(viewer, 'feed-removed', (feed) => this.events.feedRemoved(feed));
    this.forward(viewer, 'quality', (detail) => this.events.quality(detail));
    this.forward(viewer, 'pc', (pc) => this.events.peerConnection(pc));
    this.forward(viewer, 'slowlink', (report) => this.events.slowlink(report));
    this.forward(viewer, 'layer', (layer) => this.events.layer(layer));
    if (adopted) {
      // What it said while nobody listened.
      this.events.peerConnection(adopted.pc);
      for (const feed of adopted.feeds.values()) this.events.feedAdded(feed);
    }
    return viewer;
  }

  protected begin(viewer: RoomViewer): Promise<unknown> {
    // An adopted viewer is already running: start() leaves it alone.
    return viewer.start();
  }

  protected override released(): void {
    this.events.peerConnection(undefined);
    this.host.requestUpdate();
  }
}
