// Side-effect-free entry for bundler users: classes and types, no custom element registered.
export * from './core/errors.js';
export { VideoRoomPublisher, type PublishOptions, type VideoCodec } from './core/publisher.js';
export {
  VideoRoomSubscriber,
  type SubscribeOptions,
  type SubscribedStream,
  type LayerChoice,
} from './core/subscriber.js';
export { acquireSession, pooledSessionCount, type SessionLease } from './core/session.js';
export { captureMedia, stopStream, type CaptureOptions, type Capture } from './core/media.js';
export { LivePublisher, type PublisherState, type PublisherSettings } from './core/live-publisher.js';
export { parseConnection, type ConnectionConfig } from './core/validation.js';
export { JanusPublisher, PUBLISHER_STRINGS } from './components/janus-publisher/janus-publisher.js';
export type * from './components/shared/events.js';
export {
  JanusStats,
  STATS_STRINGS,
  type StatsStrings,
  type StatsDiagnostics,
} from './components/janus-stats/janus-stats.js';
export { StatsController } from './controllers/stats-controller.js';
export { StatsSampler, type LiveStatsSample, type SlowLinkReport, type ReceivedLayer } from './core/stats-sampler.js';
export type { StatsSource } from './components/shared/stats-host.js';
export {
  RoomViewer,
  type ViewerState,
  type ViewerSettings,
  type Quality,
  type WatchedFeed,
} from './core/room-viewer.js';
export { JanusViewer, VIEWER_STRINGS } from './components/janus-viewer/janus-viewer.js';
