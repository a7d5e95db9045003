/**
 * Run modes of the benchmark suite and the sizes and benny timing options each uses.
 *
 * - `full`  (`pnpm bench`): every workload at every size the issues ask for; < 5 min on 2 cores.
 * - `quick` (`pnpm bench --quick`): the headline sizes with short sampling; < 1 min.
 * - `smoke` (the vitest smoke test): every case runs exactly once at a tiny size and is checked
 *   against its closed form; nothing is timed. It exists so that the harness cannot rot.
 */
export type Mode = 'full' | 'quick' | 'smoke';

/** benny/benchmark.js sampling options (seconds). */
export interface Sampling {
  readonly minSamples: number;
  readonly maxTime: number;
  readonly minTime: number;
}

/**
 * Sampling per mode. benchmark.js runs a case until it has `minSamples` samples *and*
 * `maxTime` seconds have passed; each sample repeats the call until it lasts `minTime`.
 * `slow` is used for cases known to take ≳ 50 ms per call (dense Hessians at n ≥ 1000, the
 * peers' Hessians), where a handful of samples already gives a stable mean.
 */
export const SAMPLING: Record<Exclude<Mode, 'smoke'>, { fast: Sampling; slow: Sampling; precise: Sampling }> = {
  full: {
    fast: { minSamples: 5, maxTime: 0.35, minTime: 0.04 },
    slow: { minSamples: 2, maxTime: 0.05, minTime: 0 },
    // the rows a target is judged on (engine suite): enough samples for a stable median
    precise: { minSamples: 20, maxTime: 1.5, minTime: 0.05 },
  },
  quick: {
    fast: { minSamples: 3, maxTime: 0.08, minTime: 0.02 },
    slow: { minSamples: 1, maxTime: 0, minTime: 0 },
    precise: { minSamples: 5, maxTime: 0.15, minTime: 0.02 },
  },
};

/** Pick per-mode values: `sizes(mode, {full: [...], quick: [...], smoke: [...]})`. */
export function byMode<T>(mode: Mode, values: Record<Mode, T>): T {
  return values[mode];
}
