import { css } from 'lit';

/** Styles shared by the video elements: the frame, status line, error box and control bar. */
export const videoFrameStyles = css`
  :host {
    display: block;
    position: relative;
    overflow: hidden;
    aspect-ratio: var(--janus-aspect-ratio, 16 / 9);
    background: var(--janus-bg, #111);
    color: var(--janus-color, #fff);
    /* The page's own font unless a token names one: it blends into the site, and a family the page
       has not used yet costs a font lookup (fontconfig: ~15 ms) on the way to the first frame. */
    font-size: 14px;
    line-height: 1.4;
    font-family: var(--janus-font-family);
    border-radius: var(--janus-radius, 8px);
    contain: content;
    /* Small corners (buttons, error box) follow the frame's radius. */
    --_radius-small: calc(var(--janus-radius, 8px) * 0.75);
  }
  :host([hidden]) {
    display: none;
  }
  [part~='base'] {
    position: absolute;
    inset: 0;
    /* Unset, the shorthand inherits the host's font. */
    font: var(--janus-font);
  }
  video {
    width: 100%;
    height: 100%;
    object-fit: var(--janus-video-fit, cover);
    background: transparent;
    display: block;
  }
  [part~='placeholder'] {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    text-align: center;
    padding: 1em;
    color: var(--janus-placeholder-color, var(--janus-color, #bbb));
  }
  [part~='status'] {
    position: absolute;
    top: var(--janus-inset, 8px);
    left: var(--janus-inset, 8px);
    padding: 2px 8px;
    border-radius: 999px;
    background: var(--janus-status-bg, var(--janus-overlay-bg, rgb(0 0 0 / 0.6)));
    font-size: 0.85em;
  }
  [part~='status'][data-state='live'] {
    background: var(--janus-live-bg, var(--janus-danger, #c62828));
  }
  [part~='error'] {
    position: absolute;
    inset: auto var(--janus-inset, 8px) calc(var(--janus-inset, 8px) + 48px);
    padding: 8px 12px;
    border-radius: var(--_radius-small);
    background: var(--janus-error-bg, var(--janus-danger, #b71c1c));
    color: var(--janus-error-color, #fff);
  }
  [part~='controls'] {
    position: absolute;
    left: 0;
    right: 0;
    bottom: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
    padding: var(--janus-inset, 8px);
    background: var(--janus-controls-bg, linear-gradient(transparent, rgb(0 0 0 / 0.7)));
  }
  [part~='button'],
  [part~='select'] {
    font: inherit;
    color: var(--janus-button-color, var(--janus-color, #fff));
    background: var(--janus-button-bg, rgb(255 255 255 / 0.16));
    border: 1px solid var(--janus-button-border, rgb(255 255 255 / 0.3));
    border-radius: var(--janus-button-radius, var(--_radius-small));
    padding: 4px 10px;
    min-height: 32px;
    cursor: pointer;
  }
  [part~='select'] {
    max-width: 12em;
  }
  [part~='select'] option {
    color: #000;
  }
  /* A device that is off (microphone muted, camera off, sound muted). */
  [part~='button'][data-off] {
    background: var(--janus-button-off-bg, rgb(198 40 40 / 0.85));
  }
  [part~='button']:focus-visible,
  [part~='select']:focus-visible {
    outline: 2px solid var(--janus-focus-ring, var(--janus-accent, #4fc3f7));
    outline-offset: 2px;
  }
  [part~='button']:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .spacer {
    flex: 1;
  }
  @media (prefers-reduced-motion: no-preference) {
    [part~='button'] {
      transition: background-color 120ms;
    }
  }
`;
