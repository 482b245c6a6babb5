import type { StatsController } from '../../controllers/stats-controller.js';

/** An element `<janus-stats>` can attach to: `<janus-publisher>`, `<janus-viewer>` or your own. */
export interface StatsSource extends HTMLElement {
  readonly statsController: StatsController;
}

export function isStatsSource(value: unknown): value is StatsSource {
  return value instanceof HTMLElement && typeof (value as Partial<StatsSource>).statsController?.retain === 'function';
}
