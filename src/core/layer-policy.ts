import type { Quality } from './types.js';

/**
 * Rendered widths (CSS px x devicePixelRatio) up to which a lower simulcast layer is enough:
 * the low layer is 320 px wide and the medium one 640 px, so each serves up to ~1.25x its size.
 */
export const LAYER_WIDTHS = { low: 400, medium: 800 } as const;

/** The layer `quality="auto"` asks for, from a tile's rendered size and visibility. */
export function autoQuality(renderedWidth: number, devicePixelRatio: number, visible: boolean): Quality {
  if (!visible) return 'audio';
  const pixels = renderedWidth * Math.max(1, devicePixelRatio);
  if (pixels <= LAYER_WIDTHS.low) return 'low';
  if (pixels <= LAYER_WIDTHS.medium) return 'medium';
  return 'high';
}
