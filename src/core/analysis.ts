/**
 * What turns `getStats()` reports into numbers, a quality verdict and ladder moves. Nothing needs
 * it before a host first samples its PeerConnection, so the CDN build makes it a chunk of its own
 * (next to the bundle, fetched when sampling starts: src/core/analysis-loader.ts).
 */
import type { LadderInput } from './degradation.js';
import { QUALITY_THRESHOLDS, levelOf } from './quality.js';
import type { LiveStatsSample } from './stats-sampler.js';

export { toStatsSample } from './stats.js';
export { assessQuality } from './quality.js';
export { DownlinkLadder, capQuality } from './degradation.js';

/**
 * The ladder's view of a stats sample. Jitter is judged on audio alone: when Janus drops temporal
 * layers (low-fps) or switches layers, RTP timestamps of video jump and its interarrival jitter
 * climbs on a clean link, which would keep the ladder from ever climbing back.
 */
export function ladderInput(sample: LiveStatsSample): LadderInput {
  const audioJitter = sample.audio.jitterMs;
  const diagnosis =
    audioJitter === undefined
      ? sample.diagnosis
      : [
          ...sample.diagnosis.filter((d) => d.code !== 'jitter'),
          { code: 'jitter' as const, severity: levelOf(audioJitter, QUALITY_THRESHOLDS.jitterMs), value: audioJitter },
        ];
  return {
    timestamp: sample.timestamp,
    diagnosis,
    lossPercent: sample.lossPercent,
    rttMs: sample.rttMs,
    rttFresh: sample.rttFresh,
    jitterMs: audioJitter ?? sample.jitterMs,
    slowLinks: sample.slowLinks,
  };
}
