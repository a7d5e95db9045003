/**
 * checkGrad: every differentiation mode of the engine held against the others and against
 * central finite differences, on random directions (HIPS autograd's `check_grads`, extended).
 * The test suite is built on it; it is public so users can check their own functions.
 */
import { jvp } from './forward.js';
import { hvp } from './hessian.js';
import { valueAndGrad, grad } from './reverse.js';
import { hvpByDualSweep } from '../sweeps.js';
import { withTape } from '../tape.js';
import { add as add2, describeValue, mul as mul2 } from '../math.js';
import { InputTypeError, checkOptions } from '../errors.js';
import { Random } from '../random.js';
import type { Scalar } from '../scalar.js';
import { unflatten, type Input } from '../tree.js';
import { flattenInput, record, scalarOutput, type Traced } from './common.js';

const EPS = Number.EPSILON;

/**
 * Tolerances of {@link checkGrad}, in one place, each with its reason.
 */
export const TOLERANCES = {
  /**
   * Mode against mode (forward vs reverse, fast vs readable forward-over-reverse,
   * forward-over-forward vs forward-over-reverse). All are exact up to rounding; they sum the
   * same chain-rule terms in different orders. Each rounding is ≤ ε = 2.2e−16 relative, a tape
   * of N nodes accumulates ≤ N·ε times the sum of |terms|; for N ≤ 10⁴ and a cancellation
   * factor (Σ|terms| / |result|) ≤ 10², that is ≤ 2.2e−10: allow 1e−9 relative to
   * max(1, |a|, |b|).
   */
  modes: 1e-9,
  /**
   * AD against a central difference (f(x₊) − f(x₋)) / 2h with x± = x ± h·v, h = ε^⅓ ≈ 6e−6,
   * compared with the AD derivative along the step actually taken, (x₊ − x₋)/2h, so the
   * rounding of x ± h·v does not count. Truncation error h²·|f‴|/6 ≈ 6e−12·|f‴|; rounding
   * error ≈ ε·|f|/h. We allow
   * 1e−6·max(1, |AD|) for truncation (a third derivative up to ~10⁵ times the first) plus
   * 16·ε·(|f(x+hv)| + |f(x−hv)|)/(2h) for rounding (16 ulps of the evaluated values).
   */
  finiteDifference: 1e-6,
} as const;

/** One comparison in a {@link CheckGradReport}. */
export interface Discrepancy {
  /** What was compared, e.g. `"gradient: forward vs reverse"`. */
  readonly check: string;
  /** Index of the random direction. */
  readonly direction: number;
  /** Largest absolute difference (over vector entries). */
  readonly error: number;
  /** The allowed difference (see {@link TOLERANCES}). */
  readonly bound: number;
  readonly ok: boolean;
}

export interface CheckGradReport {
  /** True when every comparison is within its bound. */
  readonly ok: boolean;
  /** f(x). */
  readonly value: number;
  /** Every comparison made. */
  readonly checks: readonly Discrepancy[];
  /** The comparison with the largest error/bound ratio for each kind of check. */
  readonly worst: Readonly<Record<string, Discrepancy>>;
  /** A one-line-per-check summary for logs and test messages. */
  readonly summary: string;
}

export interface CheckGradOptions {
  /** Random directions to try (default 3). */
  directions?: number;
  /** Seed of the directions (default 1). */
  seed?: number;
  /** 1: gradient checks only; 2 (default): also Hessian-vector products. */
  order?: 1 | 2;
  /**
   * Compare with central differences (default true). Turn off for functions that are not
   * smooth on the scale of the step h ≈ 6e−6·max(1, ‖x‖∞) (kinks, branches, domain edges);
   * the mode-versus-mode checks still run.
   */
  finiteDifferences?: boolean;
}

/**
 * Check the derivatives of a scalar function f at x in every mode, on random directions v:
 * - gradient: forward-mode ∇f·v (jvp) vs reverse-mode ∇f·v, and vs a central difference of f;
 * - Hessian (order 2): the fast forward-over-reverse H·v vs the readable dual-number sweep,
 *   uᵀHv by forward-over-forward (nested jvp) vs uᵀ(H·v), and H·v vs a central difference of
 *   the reverse-mode gradient.
 * Tolerances: {@link TOLERANCES}. f must be deterministic and written with dualtape's
 * operations (it is run on numbers, duals and tracers).
 * @returns a report; it does not throw on a failed check.
 */
export function checkGrad<X extends Input>(f: (x: Traced<X>) => Scalar, x: X, options: CheckGradOptions = {}): CheckGradReport {
  checkOptions(options, 'checkGrad');
  const { directions = 3, seed = 1, order = 2, finiteDifferences = true } = options;
  if (!Number.isInteger(directions) || directions < 1) {
    throw new InputTypeError('options.directions', describeValue(directions), 'a positive integer', 'checkGrad');
  }
  const input = flattenInput(x, 'checkGrad');
  const x0 = input.flat;
  const n = x0.length;
  const at = (p: Float64Array): X => unflatten(input.spec, p, true) as X;
  const shifted = (v: Float64Array, t: number): Float64Array => x0.map((xi, i) => xi + t * v[i]!);
  const flatGrad = (p: Float64Array): Float64Array => flattenInput(grad(f, at(p)), 'checkGrad').flat;
  const fNum = (p: Float64Array): number => (f as unknown as (x: unknown) => number)(at(p));
  // One step for all coordinates, not scaled by |x|: the difference quotient uses the step
  // actually taken, x₊ − x₋ (see `realized` below), so the rounding of x + h·v does not enter.
  const h = Math.cbrt(EPS);
  /** (x₊ − x₋)/2h, the direction the central difference really measured. */
  const realized = (xp: Float64Array, xm: Float64Array): Float64Array => xp.map((a, i) => (a - xm[i]!) / (2 * h));
  const maxAbs = (a: ArrayLike<number>): number => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
    return m;
  };

  const rng = new Random(seed);
  const checks: Discrepancy[] = [];
  const add = (check: string, direction: number, a: ArrayLike<number>, b: ArrayLike<number>, bound: (ai: number, bi: number) => number): void => {
    let error = 0;
    let allowed = Infinity;
    let ok = true;
    for (let i = 0; i < a.length; i++) {
      const ai = a[i]!;
      const bi = b[i]!;
      // Both non-finite is agreement: at a singularity the modes combine infinite terms in
      // different orders and may give ∞ in one and NaN in the other (IEEE). One finite and one
      // not is a failure, with error ∞.
      if (!Number.isFinite(ai) || !Number.isFinite(bi)) {
        if (Number.isFinite(ai) !== Number.isFinite(bi)) {
          ok = false;
          error = Infinity;
        }
        continue;
      }
      const e = Math.abs(ai - bi);
      const lim = bound(ai, bi);
      if (!(e <= lim)) ok = false;
      error = Math.max(error, e);
      allowed = Math.min(allowed, lim);
    }
    checks.push({ check, direction, error, bound: allowed, ok });
  };
  const modeBound = (a: number, b: number): number => TOLERANCES.modes * Math.max(1, Math.abs(a), Math.abs(b));
  const fdBound = (round: number) => (ad: number): number => TOLERANCES.finiteDifference * Math.max(1, Math.abs(ad)) + round;

  const { value, grad: g0 } = valueAndGrad(f, x);
  const gFlat = flattenInput(g0, 'checkGrad').flat;

  for (let d = 0; d < directions; d++) {
    const v = rng.normals(n);
    const u = rng.normals(n);
    const gv = gFlat.reduce((s, gi, i) => s + gi * v[i]!, 0);

    // ---- first order
    const fwd = jvp(f as unknown as (x: unknown) => Scalar, at(x0) as never, v).tangent as number;
    add('gradient: forward vs reverse', d, [fwd], [gv], modeBound);
    const xp = shifted(v, h);
    const xm = shifted(v, -h);
    const w = realized(xp, xm);
    if (finiteDifferences) {
      const fp = fNum(xp);
      const fm = fNum(xm);
      const round = (16 * EPS * (Math.abs(fp) + Math.abs(fm))) / (2 * h);
      const gw = gFlat.reduce((s, gi, i) => s + gi * w[i]!, 0);
      add('gradient: reverse vs central difference', d, [gw], [(fp - fm) / (2 * h)], fdBound(round));
    }

    if (order < 2) continue;
    // ---- second order
    const hv = flattenInput(hvp(f, x, v), 'checkGrad').flat;
    const hvReadable = withTape((tape) => {
      const rec = record(tape, f, x, 'checkGrad');
      const out = scalarOutput(rec, 'checkGrad');
      return out < 0 ? new Float64Array(n) : hvpByDualSweep(tape, out, v);
    });
    add('hvp: fast sweep vs dual-number sweep', d, hv, hvReadable, modeBound);

    const uHv = hv.reduce((s, hi, i) => s + hi * u[i]!, 0);
    // uᵀHv = d/ds [ d/dt f(x + s·u + t·v) ] at 0, by nested forward mode.
    // uᵀHv = d/ds [ ∇f(x + s·u)·v ] at s = 0: an outer jvp along u of an inner jvp along v.
    const along = (s: Scalar): unknown => unflatten(input.spec, Array.from(x0, (xi, i) => add2(xi, mul2(s, u[i]!))));
    const inner = (s: Scalar): Scalar => jvp(f as unknown as (x: unknown) => Scalar, along(s) as never, v).tangent as Scalar;
    const fof = jvp(inner, 0, 1).tangent as number;
    add('hvp: forward-over-forward vs forward-over-reverse', d, [fof], [uHv], modeBound);

    if (finiteDifferences) {
      const gp = flatGrad(xp);
      const gm = flatGrad(xm);
      const fdHw = gp.map((gi, i) => (gi - gm[i]!) / (2 * h));
      const hw = flattenInput(hvp(f, x, w), 'checkGrad').flat;
      const gRound = Math.max(maxAbs(gp), maxAbs(gm));
      add('hvp: forward-over-reverse vs central difference of the gradient', d, hw, fdHw, fdBound((16 * EPS * gRound) / h));
    }
  }

  const worst: Record<string, Discrepancy> = {};
  for (const c of checks) {
    const w = worst[c.check];
    if (w === undefined || (!c.ok && w.ok) || (c.ok === w.ok && c.error / c.bound > w.error / w.bound)) worst[c.check] = c;
  }
  const summary = Object.values(worst)
    .map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: error ${c.error.toExponential(2)} (bound ${c.bound.toExponential(2)}, direction ${c.direction})`)
    .join('\n');
  return { ok: checks.every((c) => c.ok), value, checks, worst, summary };
}

