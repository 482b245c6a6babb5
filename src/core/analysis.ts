/**
 * What turns `getStats()` reports into numbers, a quality verdict and ladder moves. Nothing needs
 * it before a host first samples its PeerConnection, so the CDN build makes it a chunk of its own
 * (next to the bundle, fetched when sampling starts; see {@link loadAnalysis}).
 */
export { toStatsSample } from './stats.js';
export { QUALITY_THRESHOLDS, assessQuality, levelOf } from './quality.js';
export { DownlinkLadder, capQuality } from './degradation.js';
