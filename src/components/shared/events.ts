import type { JanusErrorCode } from '../../core/errors.js';
import type {
  LadderLevel,
  LadderMetrics,
  LadderTrigger,
  UplinkLevel,
  UplinkMetrics,
  UplinkTrigger,
} from '../../core/types.js';

/** Detail of `janus-error`. */
export interface JanusErrorDetail {
  code: JanusErrorCode;
  message: string;
  janusCode?: number;
}

export interface JanusStateDetail {
  state: string;
  previous: string;
}

export interface JanusPublishedDetail {
  feedId: number | string;
  room: number | string;
}

export interface JanusFeedDetail {
  feedId: number | string;
  display?: string | undefined;
}

export interface JanusQualityDetail {
  /** The layer now received. */
  quality: 'high' | 'medium' | 'low' | 'audio';
  /** Why it changed. */
  reason: 'size' | 'visibility' | 'network' | 'manual';
  feedId?: number | string | undefined;
  /** The network ladder's level: `high` (nothing held down), `medium`, `low`, `low-fps`, `audio`. */
  level: LadderLevel;
  /** Set when the ladder moved: which way. */
  direction?: 'up' | 'down' | undefined;
  /** Set when the ladder moved: the input that moved it. */
  trigger?: LadderTrigger | undefined;
  /** Set when the ladder moved: the measurements behind the move. */
  metrics?: LadderMetrics | undefined;
}

/** Detail of `janus-quality` on `<janus-publisher>`: its uplink ladder moved. */
export interface JanusPublisherQualityDetail {
  /** The top layer it sends now: `high` (all layers), `medium`, `low`, or `audio` (no video). */
  quality: 'high' | 'medium' | 'low' | 'audio';
  reason: 'network';
  /** Our own feed id, once published. */
  feedId?: number | string | undefined;
  /** The uplink ladder's level: `full`, `capped`, `two-layers`, `one-layer`, `low-fps`, `audio`. */
  level: UplinkLevel;
  direction: 'up' | 'down';
  /** The input that moved it. */
  trigger: UplinkTrigger;
  /** The sender-side measurements behind the move. */
  metrics: UplinkMetrics;
}

export interface JanusDeviceChangeDetail {
  kind: 'video' | 'audio';
  deviceId?: string | undefined;
  source?: 'camera' | 'screen' | 'none' | undefined;
  /** Set when the change was a fallback rather than a request (e.g. no camera: audio only). */
  fallback?: 'audio-only' | undefined;
}

export interface JanusModeDetail {
  /** What plays now. */
  mode: 'webrtc' | 'hls';
  /** Why: `forced` (mode="hls"), `remembered` (WebRTC failed earlier in this session), `timeout`, `room-full`, `webrtc-failed`; back to WebRTC: `recovered`. */
  reason: 'forced' | 'remembered' | 'timeout' | 'room-full' | 'webrtc-failed' | 'recovered';
}

/** Creates the bubbling, composed events every widget fires. */
export function widgetEvent<T>(type: string, detail: T): CustomEvent<T> {
  return new CustomEvent(type, { detail, bubbles: true, composed: true });
}

declare global {
  interface GlobalEventHandlersEventMap {
    'janus-state': CustomEvent<JanusStateDetail>;
    'janus-error': CustomEvent<JanusErrorDetail>;
    'janus-published': CustomEvent<JanusPublishedDetail>;
    'janus-unpublished': CustomEvent<JanusPublishedDetail>;
    'janus-device-change': CustomEvent<JanusDeviceChangeDetail>;
    'janus-feed-added': CustomEvent<JanusFeedDetail>;
    'janus-feed-removed': CustomEvent<JanusFeedDetail>;
    'janus-quality': CustomEvent<JanusQualityDetail | JanusPublisherQualityDetail>;
    'janus-playing': CustomEvent<JanusFeedDetail>;
    'janus-mode': CustomEvent<JanusModeDetail>;
  }
}
