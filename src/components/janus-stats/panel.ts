/**
 * What `<janus-stats>` draws: the templates, styles, rows and diagnosis texts. Only pages with a
 * `<janus-stats>` need them, so the CDN build makes this a chunk of its own, fetched when the
 * first one connects (the element waits for it before its first render).
 */
import { html, nothing } from 'lit';
import type { HlsSample } from '../../core/hls-player.js';
import type { DiagnosisCode } from '../../core/quality.js';
import type { LiveStatsSample, SlowLinkReport } from '../../core/stats-sampler.js';
import type { JanusErrorDetail } from '../shared/events.js';
import { hlsRows, metricRows } from './format.js';
import type { StatsQuality, StatsStrings } from './janus-stats.js';

export { DEFAULT_QUALITY_MESSAGES, hlsQuality } from '../../core/quality.js';
export { statsStyles } from './styles.js';

/** What the element hands over to be drawn. */
export interface PanelView {
  compact: boolean;
  open: boolean;
  quality: StatsQuality;
  error: JanusErrorDetail | undefined;
  announcement: string;
  sample: LiveStatsSample | undefined;
  hls: HlsSample | undefined;
  attached: boolean;
  slowLinks: { count: number; last?: SlowLinkReport };
  text: (key: keyof StatsStrings) => string;
  message: (code: DiagnosisCode) => string;
  copy: () => void;
  toggle: () => void;
}

function renderPanel(view: PanelView) {
  const { sample, hls, text } = view;
  const rows = hls ? hlsRows(hls, text) : sample ? metricRows(sample, view.slowLinks, text) : [];
  return html`<section part="panel" id="panel" aria-label=${text('details')}>
      <div part="header"><span part="indicator" aria-hidden="true"></span>${text('quality')}: ${text(view.quality)}</div>
      ${
        rows.length
          ? html`<dl part="metrics">
            ${rows.map(
              ([name, label, value]) =>
                html`<div part="metric metric-${name}"><dt part="label">${label}</dt><dd part="value">${value}</dd></div>`,
            )}
          </dl>`
          : html`<p part="message">${text(view.attached ? 'waiting' : 'detached')}</p>`
      }
      <ul part="diagnosis">
        ${
          !hls && sample?.diagnosis.length
            ? sample.diagnosis.map(
                (d) =>
                  html`<li part="diagnosis-item diagnosis-${d.severity}" data-code=${d.code}>${view.message(d.code)}</li>`,
              )
            : html`<li part="diagnosis-item diagnosis-good">${sample || hls ? text('noIssues') : nothing}</li>`
        }
      </ul>
      <button part="copy-button" ?disabled=${!view.attached} @click=${view.copy}>${text('copy')}</button>
    </section>`;
}

export function renderStats(view: PanelView) {
  const { text } = view;
  return html`<div part="base" data-quality=${view.quality}>
      ${
        view.compact
          ? html`<button part="badge" aria-expanded=${view.open ? 'true' : 'false'} aria-controls="panel" @click=${view.toggle}>
            <span part="indicator" aria-hidden="true"></span><span class="visually-hidden">${text('quality')}: </span>${text(view.quality)}
          </button>`
          : nothing
      }
      ${!view.compact || view.open ? renderPanel(view) : nothing}
      ${view.error ? html`<p part="error" role="alert">${view.error.message}</p>` : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${view.announcement}</div>
    </div>`;
}
