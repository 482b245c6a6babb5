import { html, nothing } from 'lit';
import type { JanusPublisher } from './janus-publisher.js';
import type { PUBLISHER_STRINGS } from './settings.js';

export interface PublisherControlsContext {
  text: (key: keyof typeof PUBLISHER_STRINGS) => string;
  /** The browser's devices (listed once the first capture ran). */
  devices: MediaDeviceInfo[];
  /** No video to turn off or share: `video="none"`, or the camera was missing. */
  noVideo: boolean;
}

/** The publisher's built-in control bar (inside the `controls` slot): mic, camera, screen, devices, go live. */
export function publisherControls(publisher: JanusPublisher, { text, devices, noVideo }: PublisherControlsContext) {
  const { state } = publisher;
  const publishing = state === 'live' || state === 'connecting' || state === 'reconnecting';
  const screen = publisher.video === 'screen';
  const picker = (kind: 'camera' | 'microphone', selected: string, onChange: (id: string) => void) => {
    const list = devices.filter((d) => d.kind === (kind === 'camera' ? 'videoinput' : 'audioinput'));
    if (list.length < 2) return nothing;
    return html`<select
      part="select ${kind}-select"
      aria-label=${text(kind)}
      @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}
    >
      ${list.map(
        (d, i) =>
          html`<option value=${d.deviceId} ?selected=${d.deviceId === selected}>${d.label || `${text(kind)} ${i + 1}`}</option>`,
      )}
    </select>`;
  };
  return html`<slot name="controls">
    <div part="controls" role="toolbar" aria-label=${text('controls')}>
      <button
        part="button mic-button"
        ?data-off=${publisher.muted}
        ?disabled=${publisher.audio === 'none'}
        @click=${() => (publisher.muted = !publisher.muted)}
      >
        ${publisher.muted ? text('micOff') : text('micOn')}
      </button>
      <button
        part="button camera-button"
        ?data-off=${publisher.cameraOff}
        ?disabled=${noVideo}
        @click=${() => (publisher.cameraOff = !publisher.cameraOff)}
      >
        ${publisher.cameraOff ? text('cameraOff') : text('cameraOn')}
      </button>
      <button
        part="button screen-button"
        ?hidden=${!navigator.mediaDevices?.getDisplayMedia}
        ?disabled=${noVideo}
        @click=${() => (publisher.video = screen ? 'camera' : 'screen')}
      >
        ${screen ? text('stopSharing') : text('shareScreen')}
      </button>
      ${picker('camera', publisher.videoDevice, (id) => (publisher.videoDevice = id))}
      ${picker('microphone', publisher.audioDevice, (id) => (publisher.audioDevice = id))}
      <span class="spacer"></span>
      <button
        part="button live-button"
        @click=${() => (publishing ? publisher.stop() : publisher.start()).catch(() => {})}
      >
        ${publishing ? text('stop') : text('goLive')}
      </button>
    </div>
  </slot>`;
}
