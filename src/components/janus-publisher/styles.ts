import { css } from 'lit';

export const publisherStyles = css`
  video.mirrored {
    transform: scaleX(-1);
  }
  /* A device that is off (microphone muted, camera off). */
  [part~='button'][data-off] {
    background: var(--janus-button-off-bg, rgb(198 40 40 / 0.85));
  }
`;
