import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit';
import { parseConnection, redact, type ConnectionConfig } from '../../core/validation.js';
import type { JanusWidgetError } from '../../core/errors.js';
import { widgetEvent, type JanusErrorDetail } from './events.js';

/** The properties that, when changed while connected, make an element connect again. */
export const CONNECTION_PROPERTIES = [
  'server',
  'room',
  'pin',
  'token',
  'iceServersJson',
  'iceServers',
  'iceTransportPolicy',
  'turnCredentials',
] as const;

/** The longest an element's first connection keeps its content out of style and layout. */
export const QUIET_START_MS = 300;

/**
 * The connection attributes and state plumbing shared by `<janus-publisher>` and `<janus-viewer>`.
 */
export abstract class JanusRoomElement<State extends string> extends LitElement {
  // Reactive properties are declared here rather than with decorators, in every element: Lit's
  // decorator helpers cost 0.5 KB gzip of the CDN bundle's 40 KB. The fields below keep their
  // defaults (with useDefineForClassFields off they are assignments through Lit's accessors).
  static override properties: PropertyDeclarations = {
    server: {},
    room: {},
    pin: {},
    token: {},
    iceServersJson: { attribute: 'ice-servers' },
    iceServers: { attribute: false },
    iceTransportPolicy: { attribute: 'ice-transport-policy' },
    turnCredentials: { attribute: 'turn-credentials' },
    noControls: { type: Boolean, attribute: 'no-controls' },
    state: { reflect: true },
    error: { attribute: false },
  };

  /** Janus server URL (ws, wss, http, https); several, space-separated, are tried in order. */
  server = '';

  /** VideoRoom room id. */
  room = '';

  /** Room PIN, when the room has one. */
  pin = '';

  /** Janus API token, when the server requires one. */
  token = '';

  /** ICE servers as a JSON array of RTCIceServer (the `iceServers` property takes precedence). */
  iceServersJson = '';

  /** ICE servers (STUN/TURN); prefer this property to keep credentials out of the markup. */
  iceServers: RTCIceServer[] | undefined;

  /** `all` (default) or `relay` (only TURN-relayed routes). */
  iceTransportPolicy: RTCIceTransportPolicy = 'all';

  /** URL of a TURN REST API endpoint; credentials are fetched before connecting and refreshed. */
  turnCredentials = '';

  /** Hides the built-in controls. */
  noControls = false;

  /** Read-only: where the element is in its life cycle; mirrored as a CSS custom state. */
  state: string;

  /** Read-only: the last failure, while `state` is `error`. */
  error: JanusErrorDetail | undefined;

  private readonly internals: ElementInternals;

  constructor(initial: State) {
    super();
    this.state = initial as string;
    this.internals = this.attachInternals();
    this.internals.states?.add(initial);
  }

  private quiet = false;

  override connectedCallback(): void {
    // See `stillQuiet`: only the first connection, whose first render would be the page's first.
    if (!this.hasUpdated) {
      this.quiet = true;
      setTimeout(() => {
        // Only an element still quiet has anything new to render.
        if (!this.quiet) return;
        this.quiet = false;
        this.requestUpdate();
      }, QUIET_START_MS);
    }
    super.connectedCallback();
  }

  /**
   * In `render`: whether the element renders nothing yet. While it first connects, for at most
   * QUIET_START_MS, its shadow content (15-25 ms of template, style and layout work on this main
   * thread) would hold up the socket's replies and getUserMedia, whose steps wait for the same
   * thread; the host keeps its box and background meanwhile. `ready`: it has what must be seen at once.
   */
  protected stillQuiet(ready: boolean): boolean {
    if (ready || this.state !== 'connecting') this.quiet = false;
    return this.quiet;
  }

  /** The validated connection settings; throws an `invalid-config` error naming the bad attribute. */
  protected connectionConfig(): ConnectionConfig {
    return parseConnection({
      server: this.server,
      room: this.room,
      pin: this.pin,
      token: this.token,
      iceServersJson: this.iceServersJson,
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
      turnCredentials: this.turnCredentials,
    });
  }

  /** @internal Called by the controller when the machine changes state. */
  setState(state: State): void {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    this.internals.states?.delete(previous);
    this.internals.states?.add(state);
    if (state !== 'error') this.error = undefined;
    this.dispatchEvent(widgetEvent('janus-state', { state, previous }));
  }

  /** @internal Called by the controller on a failure: one `janus-error` event per failure. */
  reportError(error: JanusWidgetError): void {
    // Our own messages never quote secrets; a message passed on from janus.js or the browser
    // might, so whatever the author gave as a secret is blanked out before anyone sees it.
    const detail = error.toJSON();
    detail.message = redact(detail.message, this.secrets());
    this.error = detail;
    this.dispatchEvent(widgetEvent('janus-error', detail));
  }

  private secrets(): string[] {
    const ice: unknown[] = [
      ...(Array.isArray(this.iceServers) ? this.iceServers : []),
      ...jsonArray(this.iceServersJson),
    ];
    const fromIce = ice.flatMap((s) => [
      (s as Partial<RTCIceServer> | null)?.username,
      (s as Partial<RTCIceServer> | null)?.credential,
    ]);
    return [this.pin, this.token, ...queryValues(this.turnCredentials), ...fromIce].filter(
      (s): s is string => typeof s === 'string',
    );
  }

  /**
   * In `willUpdate`, for properties that are otherwise applied live: whether to rebuild so that a
   * bad value is reported as `invalid-config`, or a fixed one recovers from it.
   */
  protected mustRevalidate(settings: () => unknown): boolean {
    if (this.state === 'error' && this.error?.code === 'invalid-config') return true;
    try {
      settings();
      return false;
    } catch {
      return true;
    }
  }

  /** In `willUpdate`: whether a connection property changed after the first render (then the element reconnects). */
  protected connectionChanged(changed: PropertyValues<this>): boolean {
    return this.hasUpdated && CONNECTION_PROPERTIES.some((name) => changed.has(name));
  }
}

function jsonArray(json: string): unknown[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

/** The query and fragment of a URL and each of their values (API keys travel there). */
function queryValues(url: string): string[] {
  const match = /\?([^#]*)(?:#(.*))?$|#(.*)$/.exec(url ?? '');
  if (!match) return [];
  const query = match[1] ?? '';
  const fragment = match[2] ?? match[3] ?? '';
  return [query, fragment, ...[...new URLSearchParams(query).values()]].filter(Boolean);
}
