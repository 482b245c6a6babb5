/** The stats analysis ({@link import('./analysis.js')}), loaded once, on demand. */
export type Analysis = typeof import('./analysis.js');

let loading: Promise<Analysis> | undefined;

/** Loads the analysis chunk (relative to the bundle, like every dynamic import of the CDN build). */
export function loadAnalysis(): Promise<Analysis> {
  loading ??= import('./analysis.js').catch((error: unknown) => {
    loading = undefined; // a failed fetch is tried again by the next sample
    throw error;
  });
  return loading;
}
