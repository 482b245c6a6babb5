import { html, nothing } from 'lit';
import { QUALITIES, type QualityChoice } from '../../core/validation.js';
import type { JanusViewer } from './janus-viewer.js';
import type { VIEWER_STRINGS } from './settings.js';

/** The viewer's built-in control bar (inside the `controls` slot): sound, volume, layer, PiP, full screen. */
export function viewerControls(viewer: JanusViewer, text: (key: keyof typeof VIEWER_STRINGS) => string) {
  return html`<slot name="controls">
    <div part="controls" role="toolbar" aria-label=${text('controls')}>
      <button part="button mute-button" ?data-off=${viewer.muted} @click=${() => (viewer.muted = !viewer.muted)}>
        ${viewer.muted ? text('unmute') : text('mute')}
      </button>
      <input
        part="volume"
        type="range"
        min="0"
        max="1"
        step="0.05"
        aria-label=${text('volume')}
        .value=${String(viewer.volume)}
        @input=${(e: Event) => (viewer.volume = Number((e.target as HTMLInputElement).value))}
      />
      <span class="spacer"></span>
      <select
        part="select quality-select"
        aria-label=${text('quality')}
        @change=${(e: Event) => (viewer.quality = (e.target as HTMLSelectElement).value as QualityChoice)}
      >
        ${QUALITIES.map((q) => html`<option value=${q} ?selected=${q === viewer.quality}>${text(q)}</option>`)}
      </select>
      ${
        document.pictureInPictureEnabled
          ? html`<button part="button pip-button" @click=${() => togglePictureInPicture(viewer)}>
              ${text('pictureInPicture')}
            </button>`
          : nothing
      }
      <button part="button fullscreen-button" @click=${() => toggleFullscreen(viewer)}>${text('fullscreen')}</button>
    </div>
  </slot>`;
}

function toggleFullscreen(viewer: JanusViewer): void {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void viewer.requestFullscreen?.().catch(() => {});
}

function togglePictureInPicture(viewer: JanusViewer): void {
  const video = viewer.renderRoot.querySelector('video');
  if (document.pictureInPictureElement) void document.exitPictureInPicture();
  else void video?.requestPictureInPicture().catch(() => {});
}
