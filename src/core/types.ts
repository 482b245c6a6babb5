// Types shared by the pure policies (degradation, layer choice) and the machines that apply them,
// so that a policy never imports a state machine.

/** What a viewer receives of a feed: a simulcast layer, or `audio` (video paused at Janus). */
export type Quality = 'high' | 'medium' | 'low' | 'audio';

/** Why the received layer changed. */
export type QualityReason = 'size' | 'visibility' | 'network' | 'manual';
