/**
 * The demo's model: heteroscedastic Gaussian regression on a standardised input z,
 *
 *     μ(z) = a + b·z,    log σ(z) = c + d·z,    yᵢ ~ N(μ(zᵢ), σ(zᵢ)²),
 *
 * fitted by maximum likelihood: minimise L(θ) = Σᵢ [log σᵢ + ½ log 2π + (yᵢ − μᵢ)²/(2σᵢ²)] over
 * θ = (a, b, c, d), the NLL being @dualtape/losses' `gaussianNLL` in the (μ, σ)
 * parameterisation, evaluated by its generic (composed) form so that core records every
 * primitive and differentiates it.
 */
import { DomainError, exp, hessian, mul, add, valueAndGrad, type Scalar } from '@dualtape/core';
import { gaussianNLL, type Loss } from '@dualtape/losses';
import { cholesky, choleskySolve, norm2 } from '../linalg.js';

export const PARAM_NAMES = ['a', 'b', 'c', 'd'] as const;

/** The loss used throughout the demo: Gaussian NLL in (μ, σ), with the ½ log 2π constant, summed. */
export const demoLoss = (): Loss => gaussianNLL({ parameterisation: 'sigma', full: true, reduction: 'sum' });

/** Per-sample outputs (μᵢ, σᵢ) of the model, as n rows of 2 (generic over the scalar type). */
export function modelOutputs(theta: readonly Scalar[], z: ArrayLike<number>): Scalar[][] {
  const [a, b, c, d] = theta as [Scalar, Scalar, Scalar, Scalar];
  const out: Scalar[][] = new Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = [add(a, mul(b, z[i]!)), exp(add(c, mul(d, z[i]!)))];
  return out;
}

/** L(θ), generic: runs on numbers (evaluation) and tracers (gradient, Hessian). */
export const objective = (loss: Loss, z: ArrayLike<number>, y: ArrayLike<number>) => (theta: readonly Scalar[]): Scalar =>
  loss.composed(modelOutputs(theta, z), y as Float64Array);

/** A starting point: least squares for (a, b), log of the residual standard deviation for c, d = 0. */
export function initialParameters(z: ArrayLike<number>, y: ArrayLike<number>): number[] {
  const n = z.length;
  let sz = 0, sy = 0, szz = 0, szy = 0;
  for (let i = 0; i < n; i++) {
    sz += z[i]!;
    sy += y[i]!;
    szz += z[i]! ** 2;
    szy += z[i]! * y[i]!;
  }
  const b = (n * szy - sz * sy) / (n * szz - sz * sz);
  const a = (sy - b * sz) / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i]! - a - b * z[i]!) ** 2;
  return [a, b, Math.log(Math.sqrt(ss / n)), 0];
}

export interface NewtonIteration {
  readonly iter: number;
  readonly loss: number;
  readonly gradNorm: number;
  /** Length of the step taken from this iterate (0 at the last). */
  readonly step: number;
  /** Line-search factor of that step (1 = full Newton step). */
  readonly t: number;
  /** Levenberg damping λ added to the Hessian's diagonal for this step (0 when H was positive definite). */
  readonly damping: number;
}

export interface NewtonResult {
  readonly theta: number[];
  readonly value: number;
  readonly gradient: number[];
  readonly gradNorm: number;
  readonly iterations: NewtonIteration[];
  readonly converged: boolean;
}

/**
 * Newton's method with the exact Hessian (core's `hessian`, forward-over-reverse), made safe by
 * (1) Levenberg damping: if H is not positive definite, H + λI with λ raised tenfold from
 * 10⁻⁸·max|Hᵢᵢ| until a Cholesky factorisation succeeds, and (2) a backtracking line search
 * with the Armijo condition L(θ + tp) ≤ L(θ) + 10⁻⁴·t·∇Lᵀp (Nocedal & Wright, *Numerical
 * Optimization*, 2nd ed., Alg. 3.1). Near the optimum the decrease of L falls below its
 * rounding error, so a full step that reduces the gradient norm is accepted too.
 * Stops when ‖∇L‖ < `tol`.
 */
export function newton(
  f: (theta: readonly Scalar[]) => Scalar,
  theta0: readonly number[],
  options: { tol?: number; maxIter?: number; onIteration?: (it: NewtonIteration) => void } = {},
): NewtonResult {
  const tol = options.tol ?? 1e-8;
  const maxIter = options.maxIter ?? 100;
  const n = theta0.length;
  const evaluate = (t: readonly number[]): number => {
    try {
      const v = f(t) as number;
      return Number.isNaN(v) ? Infinity : v;
    } catch (err) {
      if (err instanceof DomainError) return Infinity; // σ under- or overflowed at a trial point
      throw err;
    }
  };
  let theta = [...theta0];
  const iterations: NewtonIteration[] = [];
  for (let iter = 0; ; iter++) {
    const { value, grad } = valueAndGrad((t: Scalar[]) => f(t), theta);
    const g = Array.from(grad);
    const gradNorm = norm2(g);
    if (gradNorm < tol || iter >= maxIter || !Number.isFinite(gradNorm)) {
      const last = { iter, loss: value, gradNorm, step: 0, t: 0, damping: 0 };
      iterations.push(last);
      options.onIteration?.(last);
      return { theta, value, gradient: g, gradNorm, iterations, converged: gradNorm < tol };
    }
    const H = hessian((t: Scalar[]) => f(t), theta).data;
    let damping = 0;
    let L = cholesky(H, n);
    const scale = Math.max(1e-300, ...Array.from({ length: n }, (_, i) => Math.abs(H[i * n + i]!)));
    while (L === null) {
      damping = damping === 0 ? 1e-8 * scale : damping * 10;
      const Hd = Float64Array.from(H);
      for (let i = 0; i < n; i++) Hd[i * n + i] = Hd[i * n + i]! + damping;
      L = cholesky(Hd, n);
    }
    const p = Array.from(choleskySolve(L, n, g), (v) => -v);
    const slope = g.reduce((s, gi, i) => s + gi * p[i]!, 0);
    let t = 1;
    let next = theta.map((v, i) => v + p[i]!);
    for (;;) {
      const ft = evaluate(next);
      if (ft <= value + 1e-4 * t * slope) break;
      if (t === 1 && Number.isFinite(ft)) {
        const gNext = valueAndGrad((u: Scalar[]) => f(u), next).grad;
        if (norm2(gNext) < gradNorm) break;
      }
      t /= 2;
      if (t < 1e-12) break; // no decrease found: take the tiny step; the iteration cap ends the loop
      next = theta.map((v, i) => v + t * p[i]!);
    }
    const it = { iter, loss: value, gradNorm, step: t * norm2(p), t, damping };
    iterations.push(it);
    options.onIteration?.(it);
    theta = next;
  }
}
