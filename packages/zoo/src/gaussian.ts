import { add, div, log, mul, square, sub, type Scalar } from '@dualtape/core';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Summed Gaussian negative log-likelihood of data x under N(μᵢ, σᵢ²), parameterised by σ:
 * Σᵢ log σᵢ + ½ log 2π + (xᵢ − μᵢ)² / (2σᵢ²). Variables μ (n) and σ (n).
 */
export function gaussianNLL(p: { mu: readonly Scalar[]; sigma: readonly Scalar[] }, x: ArrayLike<number>): Scalar {
  let s: Scalar = 0;
  for (let i = 0; i < x.length; i++) {
    const r = sub(x[i]!, p.mu[i]!);
    const term = add(add(log(p.sigma[i]!), HALF_LOG_2PI), div(square(r), mul(2, square(p.sigma[i]!))));
    s = i === 0 ? term : add(s, term);
  }
  return s;
}

/** The same on plain numbers, hand-written. */
export function gaussianNLLPlain(mu: ArrayLike<number>, sigma: ArrayLike<number>, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const r = x[i]! - mu[i]!;
    s += Math.log(sigma[i]!) + HALF_LOG_2PI + (r * r) / (2 * sigma[i]! * sigma[i]!);
  }
  return s;
}

/**
 * Closed-form per-sample Hessian w.r.t. (μ, σ) with r = x − μ (derivation: differentiate
 * log σ + r²/(2σ²) twice):  [[1/σ², 2r/σ³], [2r/σ³, −1/σ² + 3r²/σ⁴]].
 * Returned as [h_μμ, h_μσ, h_σσ].
 */
export function gaussianBlock(x: number, mu: number, sigma: number): [number, number, number] {
  const r = x - mu;
  const s2 = sigma * sigma;
  return [1 / s2, (2 * r) / (s2 * sigma), -1 / s2 + (3 * r * r) / (s2 * s2)];
}

/**
 * The closed-form Hessian of {@link gaussianNLL} over the flat input (μ₀…μₙ₋₁, σ₀…σₙ₋₁)
 * (the order of the record {mu, sigma}), dense 2n×2n row-major.
 */
export function gaussianNLLHessian(mu: ArrayLike<number>, sigma: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const N = 2 * n;
  const H = new Float64Array(N * N);
  for (let i = 0; i < n; i++) {
    const [mm, ms, ss] = gaussianBlock(x[i]!, mu[i]!, sigma[i]!);
    H[i * N + i] = mm;
    H[i * N + n + i] = ms;
    H[(n + i) * N + i] = ms;
    H[(n + i) * N + n + i] = ss;
  }
  return H;
}
