import type { HlsSample } from '../../core/hls-player.js';
import type { LiveStatsSample, SlowLinkReport } from '../../core/stats-sampler.js';
import type { StatsStrings } from './janus-stats.js';

/** One row of the panel: part name suffix, label, value. */
export type MetricRow = [name: string, label: string, value: string];

const DASH = '—';

const ms = (value: number | undefined) => (value === undefined ? DASH : `${Math.round(value)} ms`);
const kbps = (value: number) => `${Math.round(value)} kbit/s`;

/**
 * The panel's rows for one sample. Rows depend only on the direction, never on which values
 * happen to be present, so the panel keeps its shape from one second to the next.
 */
export function metricRows(
  s: LiveStatsSample,
  slowLinks: { count: number; last?: SlowLinkReport },
  text: (key: keyof StatsStrings) => string,
): MetricRow[] {
  const pair = s.candidatePair;
  const route = pair ? `${pair.local}${pair.relayProtocol ? ` (${pair.relayProtocol})` : ''} → ${pair.remote}` : DASH;
  const v = s.video;
  const size = v.width && v.height ? `${v.width}×${v.height}${v.fps ? ` @ ${Math.round(v.fps)} fps` : ''}` : DASH;
  const rows: MetricRow[] = [
    ['ice', text('ice'), s.iceState],
    ['route', text('route'), route],
    ['rtt', text('rtt'), ms(s.rttMs)],
    ['jitter', text('jitter'), ms(s.jitterMs)],
    ['loss', text('loss'), `${s.lossPercent.toFixed(1)} % (${s.packetsLost} ${text('lost')})`],
    ['video', text('video'), kbps(v.bitrateKbps)],
    ['audio', text('audio'), kbps(s.audio.bitrateKbps)],
    ['resolution', text('resolution'), size],
    ['codec', text('codec'), v.codec ?? DASH],
  ];
  if (s.direction === 'send') {
    const layers = (v.layers ?? []).map(
      (l, i) =>
        `${l.rid ?? i}: ${l.active && l.bitrateKbps > 0 ? `${l.height ? `${l.height}p ` : ''}${kbps(l.bitrateKbps)}` : text('paused')}`,
    );
    rows.push(
      ['layers', text('layers'), layers.join(', ') || DASH],
      ['limitation', text('limitation'), v.qualityLimitationReason ?? DASH],
    );
  } else {
    const layer = s.layer;
    rows.push(
      ['layer', text('layer'), layer ? `${layer.substream ?? DASH} / ${layer.temporal ?? DASH}` : DASH],
      ['freezes', text('freezes'), String(v.freezeCount ?? 0)],
      ['jitter-buffer', text('jitterBuffer'), ms(v.jitterBufferDelayMs)],
      ['degradation', text('degradation'), s.degradation ?? text('none')],
    );
  }
  const last = slowLinks.last;
  rows.push([
    'slow-link',
    text('slowLink'),
    last
      ? `${slowLinks.count} × (${text(last.uplink ? 'uplink' : 'downlink')}, ${last.lost} ${text('lost')})`
      : text('none'),
  ]);
  return rows;
}

/** The panel's rows while the host plays HLS: the same shape every second, as for WebRTC. */
export function hlsRows(s: HlsSample, text: (key: keyof StatsStrings) => string): MetricRow[] {
  const seconds = (value: number | undefined) => (value === undefined ? DASH : `${value.toFixed(1)} s`);
  const level = s.level;
  return [
    ['mode', text('mode'), `HLS (${s.engine})`],
    ['level', text('level'), level ? `${level.width}×${level.height}, ${kbps(level.bitrate / 1000)}` : DASH],
    ['bitrate', text('bitrate'), kbps(s.bitrate / 1000)],
    ['buffer', text('buffer'), seconds(s.buffer)],
    ['latency', text('behindLive'), seconds(s.latency)],
  ];
}
