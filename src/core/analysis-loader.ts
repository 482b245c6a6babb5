/** The stats analysis ({@link import('./analysis.js')}), loaded once, on demand. */
export type Analysis = typeof import('./analysis.js');

/**
 * Memoises a lazy load (a chunk of the CDN build, imported relative to the bundle): the first call
 * starts it, later calls share it, and a failed load is tried again by the next call.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

/** Loads the analysis chunk (a failed fetch is tried again by the next sample). */
export const loadAnalysis = once(() => import('./analysis.js'));
