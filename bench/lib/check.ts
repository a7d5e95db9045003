import { flatten } from '@dualtape/core';

/**
 * Accuracy checks: every benchmarked result is compared with an independent reference (a
 * closed form, or a hand-written derivative) and the largest error is printed beside its time.
 */

/** A result or reference: a scalar or a flat array of numbers (a dense matrix row-major). */
export type Numeric = number | ArrayLike<number>;

const asArray = (x: Numeric): ArrayLike<number> => (typeof x === 'number' ? [x] : x);

/**
 * Normwise relative error max_i |aᵢ − rᵢ| / max_j |rⱼ| (the absolute error when the
 * reference is all zeros). Scale-free, so one column can compare a float32 peer on a Hessian
 * with entries of 10³ against an exact engine. NaN in the result gives NaN (never hidden).
 * @throws {Error} if the lengths differ (a peer returned the wrong shape).
 */
export function maxRelativeError(result: Numeric, reference: Numeric): number {
  const a = asArray(result);
  const r = asArray(reference);
  if (a.length !== r.length) throw new Error(`result has ${a.length} entries, reference ${r.length}`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < r.length; i++) {
    const d = Math.abs(a[i]! - r[i]!);
    if (Number.isNaN(d)) return NaN;
    if (d > err) err = d;
    scale = Math.max(scale, Math.abs(r[i]!));
  }
  return scale > 0 ? err / scale : err;
}

/** Turn what a timed call returned into numbers for the check. */
export function toNumeric(x: unknown): Numeric {
  if (typeof x === 'number') return x;
  if (x instanceof Float64Array || x instanceof Float32Array) return x;
  if (x !== null && typeof x === 'object' && 'data' in x && (x as { data: unknown }).data instanceof Float64Array) {
    return (x as { data: Float64Array }).data; // a core Matrix
  }
  // nested arrays and records (a structured gradient such as {mu, sigma}), in dualtape's flat order
  return flatten(x, 'result', (v): v is number => typeof v === 'number', 'bench').values;
}
