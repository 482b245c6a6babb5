/**
 * What `<janus-stats>` does once it has something to show: attaching to its host, validating,
 * following samples, and drawing them (templates, styles, rows and diagnosis texts). Only pages with
 * a `<janus-stats>` need it, so the CDN build makes this a chunk of its own, fetched when the first
 * one connects; the element attaches and renders once it is here.
 */
import { html, nothing } from 'lit';
import { toWidgetError } from '../../core/errors.js';
import { DEFAULT_QUALITY_MESSAGES, hlsQuality, type DiagnosisCode } from '../../core/quality.js';
import type { LiveStatsSample, SlowLinkReport } from '../../core/stats-sampler.js';
import { overridden, parseStats } from '../../core/validation.js';
import { widgetEvent } from '../shared/events.js';
import { isStatsSource, type StatsSource } from '../shared/stats-host.js';
import { hlsRows, metricRows } from './format.js';
import { STATS_STRINGS, type JanusStats, type StatsDiagnostics, type StatsStrings } from './janus-stats.js';

export { statsStyles } from './styles.js';

/** An element's bookkeeping, kept on the element between calls. */
export interface StatsLink {
  candidate?: StatsSource | undefined;
  target?: StatsSource | undefined;
  retainedInterval: number;
  cleanup: Array<() => void>;
  offConnected?: (() => void) | undefined;
  observer?: MutationObserver | undefined;
  slowLinks: { connection: number; count: number; last?: SlowLinkReport };
  /** Polite announcement: changes only when the quality or the list of problems changes. */
  announcement: string;
}

/** Completes {@link JanusStats.diagnostics}'s report with the attached host's samples and states. */
export function diagnose(el: JanusStats, link: StatsLink, report: StatsDiagnostics): StatsDiagnostics {
  const target = link.target;
  const pc = target?.statsController.sampler.peerConnection;
  report.samples = (target?.statsController.sampler.history ?? []).map(({ counters: _counters, ...rest }) => rest);
  if (el.hls) report.hls = el.hls;
  if (target) {
    const state = (target as { state?: unknown }).state;
    report.source = { tag: target.localName, id: target.id };
    if (typeof state === 'string') report.source.state = state;
    if (pc)
      Object.assign(report.source, {
        iceConnectionState: pc.iceConnectionState,
        connectionState: pc.connectionState,
      });
  }
  return report;
}

/** Attaches to the right host (or detaches) after any change of `for`, `source`, nesting or connection. */
export function sync(el: JanusStats, link: StatsLink): void {
  if (!el.isConnected) link.observer?.disconnect();
  const candidate = el.isConnected ? resolve(el, link) : undefined;
  if (candidate !== link.candidate) {
    link.offConnected?.();
    link.candidate = candidate;
    // Hears the host being removed or re-inserted, whichever way it was found.
    link.offConnected = candidate?.statsController.on('connected', () => sync(el, link));
  }
  const interval = validInterval(el);
  const target = candidate?.isConnected && interval ? candidate : undefined;
  if (target === link.target && link.retainedInterval === interval) return;
  for (const off of link.cleanup.splice(0)) off();
  if (target !== link.target) {
    el.hls = target?.statsController.hls;
    show(el, link, target?.statsController.latest);
  }
  link.target = target;
  link.retainedInterval = interval ?? 0;
  if (!el.error) el.state = target ? 'attached' : 'detached';
  if (!target) return;
  const controller = target.statsController;
  link.cleanup.push(
    controller.sampler.on('sample', (sample) => show(el, link, sample)),
    controller.sampler.on('pc', () => show(el, link, undefined)),
    controller.on('hls', (sample) => {
      el.hls = sample;
      show(el, link, el.sample);
    }),
    controller.retain(interval),
  );
}

/** The interval to sample at, or undefined (then `state="error"`, one `janus-error`) when an attribute is invalid. */
function validInterval(el: JanusStats): number | undefined {
  try {
    const { interval } = parseStats(el);
    if (el.error) {
      el.error = undefined;
      el.state = 'detached';
    }
    return interval;
  } catch (thrown) {
    const error = toWidgetError(thrown, 'invalid-config').toJSON();
    // sync() runs on every change of nesting or connection: one event per distinct failure.
    if (el.isConnected && el.error?.message !== error.message) {
      el.error = error;
      el.state = 'error';
      el.dispatchEvent(widgetEvent('janus-error', error));
    }
    return undefined;
  }
}

function resolve(el: JanusStats, link: StatsLink): StatsSource | undefined {
  link.observer?.disconnect();
  if (el.source) return el.source;
  const root = el.getRootNode() as Document | ShadowRoot;
  if (el.for) {
    // Watches for the element appearing, disappearing or changing id.
    link.observer ??= new MutationObserver(() => sync(el, link));
    link.observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['id'] });
    return upgraded(el, link, root.getElementById(el.for));
  }
  for (
    let node: Element | null = el.parentElement;
    node;
    node = node.parentElement ?? (node.parentNode as ShadowRoot | null)?.host ?? null
  ) {
    const found = upgraded(el, link, node);
    if (found) return found;
  }
  return undefined;
}

/** The element as a stats source, or undefined; a not-yet-defined custom element is retried once defined. */
function upgraded(el: JanusStats, link: StatsLink, element: Element | null): StatsSource | undefined {
  if (isStatsSource(element)) return element;
  if (element?.localName.includes('-') && !customElements.get(element.localName)) {
    void customElements.whenDefined(element.localName).then(() => sync(el, link));
  }
  return undefined;
}

function show(el: JanusStats, link: StatsLink, sample: LiveStatsSample | undefined): void {
  const before = el.sample;
  el.sample = sample;
  el.quality = el.hls ? hlsQuality(el.hls) : (sample?.quality ?? 'unknown');
  if (sample && sample.connection !== link.slowLinks.connection)
    link.slowLinks = { connection: sample.connection, count: 0 };
  for (const report of sample?.slowLinks ?? [])
    link.slowLinks = { ...link.slowLinks, count: link.slowLinks.count + 1, last: report };
  // Announce changes of level or of the problem list, never the numbers ticking.
  const key = (s: LiveStatsSample | undefined) => (s ? `${s.quality}:${s.diagnosis.map((d) => d.code).join()}` : '');
  if (sample && key(sample) !== key(before)) {
    const first = sample.diagnosis[0];
    announce(
      el,
      link,
      `${text(el, 'quality')}: ${text(el, sample.quality)}.${first ? ` ${message(el, first.code)}` : ''}`,
    );
  }
}

function announce(el: JanusStats, link: StatsLink, announcement: string): void {
  link.announcement = announcement;
  el.requestUpdate();
}

function text(el: JanusStats, key: keyof StatsStrings): string {
  return overridden(el.strings, key, STATS_STRINGS[key] ?? '');
}

function message(el: JanusStats, code: DiagnosisCode): string {
  const diagnosis = (el.strings as { diagnosis?: unknown } | null)?.diagnosis;
  return overridden(diagnosis, code, DEFAULT_QUALITY_MESSAGES[code] ?? '');
}

async function copy(el: JanusStats, link: StatsLink): Promise<void> {
  try {
    await el.copyDiagnostics();
    announce(el, link, text(el, 'copied'));
  } catch {
    announce(el, link, text(el, 'copyFailed'));
  }
}

/** What one render draws from. */
interface PanelView {
  el: JanusStats;
  sample: LiveStatsSample | undefined;
  attached: boolean;
  slowLinks: StatsLink['slowLinks'];
  text: (key: keyof StatsStrings) => string;
  copy: () => void;
}

function renderPanel(view: PanelView) {
  const { sample, text, el } = view;
  const hls = el.hls;
  const rows = hls ? hlsRows(hls, text) : sample ? metricRows(sample, view.slowLinks, text) : [];
  return html`<section part="panel" id="panel" aria-label=${text('details')}>
      <div part="header"><span part="indicator" aria-hidden="true"></span>${text('quality')}: ${text(el.quality)}</div>
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
                  html`<li part="diagnosis-item diagnosis-${d.severity}" data-code=${d.code}>${message(el, d.code)}</li>`,
              )
            : html`<li part="diagnosis-item diagnosis-good">${sample || hls ? text('noIssues') : nothing}</li>`
        }
      </ul>
      <button part="copy-button" ?disabled=${!view.attached} @click=${view.copy}>${text('copy')}</button>
    </section>`;
}

export function renderStats(el: JanusStats, link: StatsLink) {
  const view: PanelView = {
    el,
    sample: el.sample,
    attached: link.target !== undefined,
    slowLinks: link.slowLinks,
    text: (key) => text(el, key),
    copy: () => void copy(el, link),
  };
  return html`<div part="base" data-quality=${el.quality}>
      ${
        el.compact
          ? html`<button part="badge" aria-expanded=${el.open ? 'true' : 'false'} aria-controls="panel" @click=${() => (el.open = !el.open)}>
            <span part="indicator" aria-hidden="true"></span><span class="visually-hidden">${view.text('quality')}: </span>${view.text(el.quality)}
          </button>`
          : nothing
      }
      ${!el.compact || el.open ? renderPanel(view) : nothing}
      ${el.error ? html`<p part="error" role="alert">${el.error.message}</p>` : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${link.announcement}</div>
    </div>`;
}
