/**
 * Hand-written first derivatives and Hessian-vector products of the summed Gaussian NLL
 * {@link gaussianNLL} (gaussian.ts), over the flat variables (μ₀…μₙ₋₁, σ₀…σₙ₋₁) — the flat
 * order of the record {mu, sigma}. Independent of the engine: references for tests and the
 * benchmarks' "closed form" rows.
 *
 * Per sample, with r = xᵢ − μᵢ (differentiate log σ + r²/(2σ²)):
 *   ∂/∂μ = −r/σ²,   ∂/∂σ = 1/σ − r²/σ³,
 * and the 2×2 Hessian block of {@link gaussianBlock}.
 */
import { gaussianBlock } from './gaussian.js';

/** ∇ of the summed Gaussian NLL, flat (μ then σ), length 2n. */
export function gaussianNLLGradient(mu: ArrayLike<number>, sigma: ArrayLike<number>, x: ArrayLike<number>, out = new Float64Array(2 * x.length)): Float64Array {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const r = x[i]! - mu[i]!;
    const s = sigma[i]!;
    const s2 = s * s;
    out[i] = -r / s2;
    out[n + i] = 1 / s - (r * r) / (s2 * s);
  }
  return out;
}

/** H·v of the summed Gaussian NLL (block-diagonal H), flat (μ then σ); `v` flat, length 2n. */
export function gaussianNLLHvp(mu: ArrayLike<number>, sigma: ArrayLike<number>, x: ArrayLike<number>, v: ArrayLike<number>, out = new Float64Array(2 * x.length)): Float64Array {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const [mm, ms, ss] = gaussianBlock(x[i]!, mu[i]!, sigma[i]!);
    out[i] = mm * v[i]! + ms * v[n + i]!;
    out[n + i] = ms * v[i]! + ss * v[n + i]!;
  }
  return out;
}
