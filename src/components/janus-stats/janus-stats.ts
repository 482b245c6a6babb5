import { LitElement, adoptStyles, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { DiagnosisCode, QualityLevel } from '../../core/quality.js';
import type { HlsSample } from '../../core/hls-player.js';
import type { LiveStatsSample } from '../../core/stats-sampler.js';
import { VERSION } from '../../core/version.js';
import type { JanusErrorDetail } from '../shared/events.js';
import type { StatsSource } from '../shared/stats-host.js';
import type { StatsLink } from './panel.js';

type Panel = typeof import('./panel.js');
let panel: Panel | undefined;
let loadingPanel: Promise<Panel | undefined> | undefined;

/** Loads the panel chunk once (relative to the bundle); undefined when it could not be fetched. */
function loadPanel(): Promise<Panel | undefined> {
  loadingPanel ??= import('./panel.js').then(
    (module) => (panel = module),
    () => (loadingPanel = undefined), // tried again on the next connection or change
  );
  return loadingPanel;
}

/** Every visible string, overridable through the `strings` property (i18n). */
export const STATS_STRINGS = {
  good: 'Good',
  fair: 'Fair',
  poor: 'Poor',
  bad: 'Bad',
  unknown: 'No data',
  quality: 'Connection quality',
  details: 'Connection details',
  ice: 'Connection',
  route: 'Route',
  rtt: 'Round trip',
  jitter: 'Jitter',
  loss: 'Packet loss',
  video: 'Video',
  audio: 'Audio',
  resolution: 'Resolution',
  codec: 'Codec',
  layers: 'Layers sent',
  limitation: 'Limited by',
  layer: 'Layer received',
  freezes: 'Freezes',
  jitterBuffer: 'Jitter buffer',
  degradation: 'Degradation',
  slowLink: 'Janus slow link',
  uplink: 'uplink',
  downlink: 'downlink',
  lost: 'lost',
  paused: 'paused',
  none: 'none',
  noIssues: 'No problems detected.',
  detached: 'Not attached to a publisher or viewer.',
  waiting: 'Waiting for the connection…',
  copy: 'Copy diagnostics',
  copied: 'Diagnostics copied.',
  copyFailed: 'Could not copy the diagnostics.',
  mode: 'Playing',
  level: 'Level',
  bitrate: 'Bitrate',
  buffer: 'Buffer',
  behindLive: 'Behind live',
};

export type StatsStrings = typeof STATS_STRINGS;
export type StatsQuality = QualityLevel | 'unknown';

/** What "copy diagnostics" puts on the clipboard. */
export interface StatsDiagnostics {
  library: string;
  version: string;
  createdAt: string;
  userAgent: string;
  source?: { tag: string; id: string; state?: string; iceConnectionState?: string; connectionState?: string };
  quality: StatsQuality;
  samples: Array<Omit<LiveStatsSample, 'counters'>>;
  /** The latest HLS figures, while the host plays HLS. */
  hls?: HlsSample;
}

/**
 * Shows the live connection stats of a publisher or viewer and says in plain words what is wrong.
 *
 * Attach it with `for="id"` (a `<janus-publisher>` or `<janus-viewer>`), by placing it inside one
 * (e.g. `slot="overlay"`), or with the `source` property. It follows the host across reconnects.
 *
 * @tag janus-stats
 * @summary Connection quality badge and stats panel.
 *
 * @csspart base - The wrapper of everything.
 * @csspart badge - The quality button of compact mode.
 * @csspart indicator - The coloured quality dot (badge and panel header).
 * @csspart panel - The full panel.
 * @csspart header - The quality line at the top of the panel.
 * @csspart metrics - The list of numbers.
 * @csspart metric - One row of numbers; also `metric-<name>` (e.g. `metric-rtt`).
 * @csspart label - The name of a number.
 * @csspart value - A number.
 * @csspart diagnosis - The list of problems.
 * @csspart diagnosis-item - One problem; also `diagnosis-<severity>`.
 * @csspart message - The detached / waiting message.
 * @csspart copy-button - The "copy diagnostics" button.
 * @csspart error - The message of an invalid attribute.
 *
 * @fires {CustomEvent<JanusErrorDetail>} janus-error - An invalid attribute (`invalid-config`). `detail: {code, message}`.
 *
 * @cssprop [--janus-stats-bg=var(--janus-overlay-bg, rgb(0 0 0 / 0.72))] - Background.
 * @cssprop [--janus-stats-color=var(--janus-color, #fff)] - Text colour.
 * @cssprop [--janus-stats-font=12px/1.45 var(--janus-font-family)] - Font shorthand.
 * @cssprop [--janus-stats-radius=calc(var(--janus-radius, 8px) * 0.75)] - Corner radius.
 * @cssprop [--janus-stats-width=19em] - Width of the panel.
 * @cssprop [--janus-stats-good=#2e7d32] - Colour of good quality.
 * @cssprop [--janus-stats-fair=#f9a825] - Colour of fair quality.
 * @cssprop [--janus-stats-poor=#ef6c00] - Colour of poor quality.
 * @cssprop [--janus-stats-bad=var(--janus-danger, #c62828)] - Colour of bad quality.
 * @cssprop [--janus-stats-unknown=#757575] - Colour while there is no data.
 * @cssprop [--janus-color=#fff] - Shared token: text colour.
 * @cssprop [--janus-font-family=the page's font] - Shared token: font family.
 * @cssprop [--janus-radius=8px] - Shared token: the panel uses 0.75 of it.
 * @cssprop [--janus-accent=#4fc3f7] - Shared token: focus ring.
 * @cssprop [--janus-danger=#c62828] - Shared token: bad quality and errors.
 * @cssprop [--janus-overlay-bg=rgb(0 0 0 / 0.72)] - Shared token: background.
 * @cssprop [--janus-button-border=rgb(255 255 255 / 0.3)] - Border of the badge and the copy button.
 * @cssprop [--janus-error-bg=var(--janus-danger, #b71c1c)] - Background of the error message.
 * @cssprop [--janus-focus-ring=var(--janus-accent, #4fc3f7)] - Keyboard focus outline colour.
 * @cssprop [--janus-inset=8px] - Distance from the video's edges in `slot="overlay"`.
 *
 * @cssstate good - The connection is good.
 * @cssstate fair - Noticeable trouble (see the diagnosis).
 * @cssstate poor - Serious trouble.
 * @cssstate bad - Barely usable or broken.
 * @cssstate unknown - No sample yet, or detached.
 * @cssstate error - An attribute is invalid; see the `error` property.
 * @cssstate attached - Showing a publisher's or viewer's stats.
 * @cssstate detached - Not attached to anything.
 */
export class JanusStats extends LitElement {
  // Declared statically, not with decorators: see JanusRoomElement.properties.
  static override properties: PropertyDeclarations = {
    for: {},
    source: { attribute: false },
    interval: { type: Number },
    compact: { type: Boolean, reflect: true },
    open: { type: Boolean, reflect: true },
    strings: { attribute: false },
    quality: { reflect: true },
    state: { reflect: true },
    error: { attribute: false },
    sample: { state: true, attribute: false },
    hls: { state: true, attribute: false },
  };

  /** id of the `<janus-publisher>` or `<janus-viewer>` to show (in the same document or shadow root). */
  for = '';

  /** The element to show; takes precedence over `for` and the enclosing host. */
  source: StatsSource | undefined;

  /** Milliseconds between samples. */
  interval = 1000;

  /** Shows only a quality badge that opens the full panel. */
  compact = false;

  /** In compact mode: whether the panel is open. */
  open = false;

  /** Overrides for the visible strings; `diagnosis` overrides the problem descriptions by code. */
  strings: Partial<StatsStrings> & {
    diagnosis?: Partial<Record<DiagnosisCode, string>>;
  } = {};

  /** Read-only: the overall quality of the latest sample, `unknown` without one. */
  quality: StatsQuality = 'unknown';

  /** Read-only: `attached`, `detached`, or `error` when an attribute is invalid. */
  state: 'attached' | 'detached' | 'error' = 'detached';

  /** Read-only: why an attribute was refused, while `state` is `error`. */
  error: JanusErrorDetail | undefined;

  /** Read-only: the latest sample shown. */
  sample: LiveStatsSample | undefined;

  /** Read-only: the latest HLS figures shown, while the host plays HLS. */
  hls: HlsSample | undefined;

  /** What the panel keeps between samples (attachment, listeners, slow links, announcement). */
  private readonly link: StatsLink = {
    retainedInterval: 0,
    cleanup: [],
    slowLinks: { connection: -1, count: 0 },
    announcement: '',
  };
  private readonly internals = this.attachInternals();
  private styled = false;

  /** Read-only: the publisher or viewer whose stats are shown now. */
  get attached(): StatsSource | undefined {
    return this.link.target;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Attaching, validating and showing samples live in the panel chunk: done once it is here
    // (sync is idempotent, and sees a disconnection that happened meanwhile).
    if (panel) panel.sync(this, this.link);
    else void loadPanel().then((loaded) => loaded?.sync(this, this.link));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    panel?.sync(this, this.link);
  }

  /** The first render waits for the panel chunk, so `updateComplete` means drawn, as before. */
  protected override async scheduleUpdate(): Promise<void> {
    if (!panel) await loadPanel();
    if (panel && !this.styled && this.shadowRoot) {
      adoptStyles(this.shadowRoot, [panel.statsStyles]);
      this.styled = true;
    }
    super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (panel && (changed.has('for') || changed.has('source') || changed.has('interval'))) panel.sync(this, this.link);
    if (changed.has('quality') || changed.has('state')) {
      this.internals.states?.clear();
      this.internals.states?.add(this.quality);
      this.internals.states?.add(this.state);
    }
  }

  /** The report "copy diagnostics" copies: recent samples, states and versions. */
  diagnostics(): StatsDiagnostics {
    const report: StatsDiagnostics = {
      library: 'janus-widgets',
      version: VERSION,
      createdAt: new Date().toISOString(),
      userAgent: navigator.userAgent,
      quality: this.quality,
      samples: [],
    };
    // Without the panel nothing is attached yet: there is nothing more to report.
    return panel ? panel.diagnose(this, this.link, report) : report;
  }

  /** Puts {@link diagnostics} on the clipboard as JSON; rejects when the browser refuses. */
  async copyDiagnostics(): Promise<void> {
    await navigator.clipboard.writeText(JSON.stringify(this.diagnostics(), null, 2));
  }

  override render() {
    return panel ? panel.renderStats(this, this.link) : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'janus-stats': JanusStats;
  }
}
