import { Random, add, exp, mul, sub, tanh, square, type Scalar } from '@dualtape/core';

/**
 * A small regression network with a Gaussian likelihood head: 1 input → 16 tanh → 16 tanh →
 * 2 outputs (μ, log σ). 1·16+16 + 16·16+16 + 16·2+2 = 338 parameters, flat in this order:
 * W1 (16×1), b1 (16), W2 (16×16, row-major), b2 (16), W3 (2×16), b3 (2).
 */
export const MLP_SIZES = [1, 16, 16, 2] as const;

/** Number of parameters of an MLP with layer widths `sizes`. */
export function mlpParameterCount(sizes: readonly number[] = MLP_SIZES): number {
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  return n;
}

/** Forward pass of one sample; returns the last layer's pre-activations (the outputs). */
export function mlpForward(theta: readonly Scalar[], input: readonly Scalar[], sizes: readonly number[] = MLP_SIZES): Scalar[] {
  let h: readonly Scalar[] = input;
  let p = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const W = p;
    const b = p + nIn * nOut;
    p = b + nOut;
    const z: Scalar[] = [];
    for (let o = 0; o < nOut; o++) {
      let s: Scalar = theta[b + o]!;
      for (let i = 0; i < nIn; i++) s = add(s, mul(theta[W + o * nIn + i]!, h[i]!));
      z.push(s);
    }
    h = l + 2 < sizes.length ? z.map((zi) => tanh(zi)) : z;
  }
  return h as Scalar[];
}

/**
 * Summed Gaussian NLL (without the ½log 2π constant) of targets y given inputs x, with the
 * network's outputs read as (μ, log σ): Σᵢ log σᵢ + (yᵢ − μᵢ)² e^{−2 log σᵢ} / 2.
 */
export function mlpGaussianLoss(theta: readonly Scalar[], data: { x: ArrayLike<number>; y: ArrayLike<number> }): Scalar {
  let s: Scalar = 0;
  for (let i = 0; i < data.x.length; i++) {
    const [mu, logSigma] = mlpForward(theta, [data.x[i]!]) as [Scalar, Scalar];
    const term = add(logSigma, mul(0.5, mul(square(sub(data.y[i]!, mu)), exp(mul(-2, logSigma)))));
    s = i === 0 ? term : add(s, term);
  }
  return s;
}

/** Fixed-seed data (y = sin 3x + heteroscedastic noise) and initial parameters for the MLP workload. */
export function mlpProblem(samples = 400, seed = 7): { theta: Float64Array; data: { x: Float64Array; y: Float64Array } } {
  const rng = new Random(seed);
  const x = Float64Array.from({ length: samples }, () => 2 * rng.uniform() - 1);
  const y = x.map((xi) => Math.sin(3 * xi) + (0.1 + 0.2 * Math.abs(xi)) * rng.normal());
  const n = mlpParameterCount();
  const theta = Float64Array.from({ length: n }, () => 0.5 * rng.normal());
  return { theta, data: { x, y } };
}
