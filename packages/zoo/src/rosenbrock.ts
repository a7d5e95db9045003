import { add, mul, square, sub, type Scalar } from '@dualtape/core';

/**
 * Extended Rosenbrock f(x) = Σ_{i<n−1} 100·(x_{i+1} − x_i²)² + (1 − x_i)²
 * (Rosenbrock 1960; the "extended" chained form of Moré, Garbow & Hillstrom 1981 is its
 * cousin — this is the chained form used by SciPy's `rosen`). n ≥ 2.
 */
export function rosenbrock(x: readonly Scalar[]): Scalar {
  let s: Scalar = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const term = add(mul(100, square(sub(x[i + 1]!, square(x[i]!)))), square(sub(1, x[i]!)));
    s = i === 0 ? term : add(s, term);
  }
  return s;
}

/** The same function on plain numbers, hand-written (the benchmarks' baseline). */
export function rosenbrockPlain(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i]!;
    const d = x[i + 1]! - a * a;
    s += 100 * d * d + (1 - a) * (1 - a);
  }
  return s;
}

/** Closed-form gradient: ∂f/∂x_i = −400 x_i (x_{i+1} − x_i²) − 2(1 − x_i) + 200 (x_i − x_{i−1}²). */
export function rosenbrockGradient(x: ArrayLike<number>, out = new Float64Array(x.length)): Float64Array {
  out.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i]!;
    const d = x[i + 1]! - a * a;
    out[i] = out[i]! - 400 * a * d - 2 * (1 - a);
    out[i + 1] = out[i + 1]! + 200 * d;
  }
  return out;
}

/**
 * Closed-form Hessian, tridiagonal: H_ii = 1200 x_i² − 400 x_{i+1} + 2 (for i < n−1) + 200 (for i > 0),
 * H_{i,i+1} = H_{i+1,i} = −400 x_i. Returned dense, row-major n×n.
 */
export function rosenbrockHessian(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  rosenbrockHessianBands(x, (i, j, v) => (H[i * n + j] = H[i * n + j]! + v));
  return H;
}

/** The Hessian's non-zero entries as (i, j, value) calls, duplicates to be summed: the tridiagonal band. */
export function rosenbrockHessianBands(x: ArrayLike<number>, emit: (i: number, j: number, v: number) => void): void {
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i]!;
    emit(i, i, 1200 * a * a - 400 * x[i + 1]! + 2);
    emit(i + 1, i + 1, 200);
    emit(i, i + 1, -400 * a);
    emit(i + 1, i, -400 * a);
  }
}
