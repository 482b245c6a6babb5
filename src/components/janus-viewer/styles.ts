import { css } from 'lit';

export const viewerStyles = css`
  [part~='grid'] {
    position: absolute;
    inset: 0;
    display: grid;
    gap: var(--janus-grid-gap, 4px);
    grid-template-columns: repeat(var(--janus-tiles, 1), minmax(0, 1fr));
    grid-auto-rows: minmax(0, 1fr);
  }
  [part~='tile'] {
    position: relative;
    min-width: 0;
    min-height: 0;
    background: var(--janus-tile-bg, var(--janus-bg, #000));
  }
  [part~='name'] {
    position: absolute;
    left: var(--janus-inset, 8px);
    bottom: var(--janus-inset, 8px);
    max-width: calc(100% - 2 * var(--janus-inset, 8px));
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    padding: 2px 8px;
    border-radius: var(--_radius-small);
    background: var(--janus-name-bg, var(--janus-overlay-bg, rgb(0 0 0 / 0.55)));
    font-size: 0.85em;
  }
  /* Clear of the control bar, which covers the bottom of the frame. */
  :host(:not([no-controls])) [part~='name'] {
    bottom: calc(var(--janus-inset, 8px) + 48px);
  }
  [part~='volume'] {
    width: 6em;
    accent-color: var(--janus-accent, #4fc3f7);
  }
  /* Audio only: the last frame stays, dimmed, so it never passes for live video. */
  [part~='tile'][data-audio-only] [part~='video'] {
    opacity: var(--janus-audio-only-opacity, 0.35);
    filter: grayscale(1);
  }
  [part~='audio-only'] {
    position: absolute;
    top: var(--janus-inset, 8px);
    left: var(--janus-inset, 8px);
    padding: 2px 8px;
    border-radius: 4px;
    background: var(--janus-audio-only-bg, var(--janus-name-bg, rgb(0 0 0 / 0.55)));
    font-size: 0.85em;
  }
  .unmute {
    position: absolute;
    top: 50%;
    left: 50%;
    transform: translate(-50%, -50%);
    font-size: 1.1em;
    padding: 8px 16px;
  }
  :host(:not(:state(live))) [part~='status'][data-state='waiting'] {
    display: none;
  }
`;
