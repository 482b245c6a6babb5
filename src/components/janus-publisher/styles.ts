import { css } from 'lit';

export const publisherStyles = css`
  video.mirrored {
    transform: scaleX(-1);
  }
`;
