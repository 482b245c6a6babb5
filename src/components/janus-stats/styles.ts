import { css } from 'lit';

export const statsStyles = css`
  :host {
    display: inline-block;
    color: var(--janus-stats-color, var(--janus-color, #fff));
    /* The page's font unless a token names one (see the video elements' styles). */
    font-size: 12px;
    line-height: 1.45;
    font-family: var(--janus-font-family);
    --_good: var(--janus-stats-good, #2e7d32);
    --_fair: var(--janus-stats-fair, #f9a825);
    --_poor: var(--janus-stats-poor, #ef6c00);
    --_bad: var(--janus-stats-bad, var(--janus-danger, #c62828));
    --_unknown: var(--janus-stats-unknown, #757575);
    --_level: var(--_unknown);
    --_bg: var(--janus-stats-bg, var(--janus-overlay-bg, rgb(0 0 0 / 0.72)));
    --_radius: var(--janus-stats-radius, calc(var(--janus-radius, 8px) * 0.75));
  }
  :host([hidden]) {
    display: none;
  }
  /* Inside a publisher or viewer: float over the video's top right corner. */
  :host([slot='overlay']) {
    position: absolute;
    top: var(--janus-inset, 8px);
    right: var(--janus-inset, 8px);
    z-index: 1;
    max-height: calc(100% - 2 * var(--janus-inset, 8px));
    overflow: auto;
  }
  [data-quality='good'] { --_level: var(--_good); }
  [data-quality='fair'] { --_level: var(--_fair); }
  [data-quality='poor'] { --_level: var(--_poor); }
  [data-quality='bad'] { --_level: var(--_bad); }
  [part~='base'] {
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    gap: 4px;
    /* Unset, the shorthand inherits the host's font. */
    font: var(--janus-stats-font);
  }
  [part~='badge'],
  [part~='copy-button'] {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--janus-button-border, rgb(255 255 255 / 0.3));
    border-radius: 999px;
    padding: 2px 10px;
    min-height: 24px;
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  [part~='copy-button'] {
    border-radius: calc(var(--_radius) * 0.66);
    margin-top: 6px;
  }
  [part~='copy-button']:disabled {
    opacity: 0.5;
    cursor: default;
  }
  [part~='badge']:focus-visible,
  [part~='copy-button']:focus-visible {
    outline: 2px solid var(--janus-focus-ring, var(--janus-accent, #4fc3f7));
    outline-offset: 2px;
  }
  [part~='indicator'] {
    display: inline-block;
    width: 0.75em;
    height: 0.75em;
    border-radius: 50%;
    background: var(--_level);
    border: 1px solid rgb(255 255 255 / 0.6);
    flex: none;
  }
  [part~='panel'] {
    box-sizing: border-box;
    width: var(--janus-stats-width, 19em);
    padding: 8px 10px;
    border-radius: var(--_radius);
    background: var(--_bg);
    border-left: 4px solid var(--_level);
  }
  [part~='header'] {
    display: flex;
    align-items: center;
    gap: 6px;
    font-weight: 600;
  }
  [part~='metrics'] {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 1px 10px;
    margin: 6px 0;
  }
  [part~='metric'] {
    display: contents;
  }
  [part~='label'] {
    opacity: 0.8;
  }
  [part~='value'] {
    margin: 0;
    /* Fixed-width digits: the numbers change every second without the text shifting. */
    font-variant-numeric: tabular-nums;
    overflow-wrap: anywhere;
  }
  [part~='diagnosis'] {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  [part~='diagnosis-item'] {
    padding-left: 1em;
    text-indent: -1em;
  }
  [part~='diagnosis-item']::before {
    content: '● ';
    color: var(--_good);
  }
  [part~='diagnosis-fair']::before { color: var(--_fair); }
  [part~='diagnosis-poor']::before { color: var(--_poor); }
  [part~='diagnosis-bad']::before { color: var(--_bad); }
  [part~='diagnosis-item']:empty::before { content: ''; }
  [part~='message'] {
    margin: 6px 0;
  }
  [part~='error'] {
    margin: 6px 0;
    padding: 4px 6px;
    border-radius: var(--_radius);
    background: var(--janus-error-bg, var(--janus-danger, #b71c1c));
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: no-preference) {
    [part~='indicator'],
    [part~='panel'] {
      transition: background-color 200ms, border-color 200ms;
    }
  }
`;
