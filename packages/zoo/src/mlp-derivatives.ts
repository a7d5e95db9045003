/**
 * The MLP workload of mlp.ts on plain numbers, with its gradient by hand-written
 * backpropagation and its Hessian-vector product by Pearlmutter's R-operator applied to that
 * backpropagation (Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation
 * 6(1), 1994, §4). Independent of the engine: the references of the W4 benchmark rows.
 *
 * Per sample with input x and target y: hidden layers hₗ₊₁ = tanh(Wₗhₗ + bₗ), outputs
 * z = W_L h_L + b_L read as (μ, s = log σ), loss ℓ = s + ½(y − μ)² e^{−2s}. With d = μ − y and
 * e = e^{−2s}:
 *   ∂ℓ/∂μ = d·e,  ∂ℓ/∂s = 1 − d²e,   ∂²ℓ/∂μ² = e,  ∂²ℓ/∂μ∂s = −2de,  ∂²ℓ/∂s² = 2d²e.
 * Backward: ∂/∂W = g·hᵀ, ∂/∂b = g, g_h = Wᵀg, and through tanh g_a = g_h ⊙ (1 − h²).
 * R-operator (directional derivative along the parameter direction V of every quantity):
 *   R(a) = V_W h + W R(h) + V_b,  R(h) = (1 − h²) ⊙ R(a),  R(g_z) = ∇²ℓ(z) · R(z),
 *   R(∂/∂W) = R(g) hᵀ + g R(h)ᵀ,  R(g_h) = V_Wᵀ g + Wᵀ R(g),
 *   R(g_a) = R(g_h) ⊙ (1 − h²) − 2 g_h ⊙ h ⊙ R(h);  and R(∇θ) = H·V.
 * Parameter layout as in mlp.ts: per layer W (nOut×nIn, row-major) then b.
 */
import { MLP_SIZES, mlpParameterCount } from './mlp.js';

type Data = { x: ArrayLike<number>; y: ArrayLike<number> };

/** Per-layer offsets of W and b in θ. */
function layout(sizes: readonly number[]): { W: number; b: number; nIn: number; nOut: number }[] {
  const layers = [];
  let p = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    layers.push({ W: p, b: p + nIn * nOut, nIn, nOut });
    p += nIn * nOut + nOut;
  }
  return layers;
}

/**
 * One pass over all samples: returns the loss; adds the gradient into `g` and, when `v` is
 * given, H·v into `hv` (both zeroed by the caller).
 */
function sweep(theta: ArrayLike<number>, data: Data, sizes: readonly number[], g: Float64Array | null, v: ArrayLike<number> | null, hv: Float64Array | null): number {
  const layers = layout(sizes);
  const L = layers.length;
  const h = sizes.map((w) => new Float64Array(w)); // h[0] input, h[l] activations, h[L] outputs z
  const Rh = sizes.map((w) => new Float64Array(w));
  const width = Math.max(...sizes);
  let gA = new Float64Array(width);
  let RgA = new Float64Array(width);
  let gh = new Float64Array(width);
  let Rgh = new Float64Array(width);
  let loss = 0;
  for (let k = 0; k < data.x.length; k++) {
    h[0]![0] = data.x[k]!;
    // forward (and R-forward)
    for (let l = 0; l < L; l++) {
      const { W, b, nIn, nOut } = layers[l]!;
      const hin = h[l]!;
      const Rin = Rh[l]!;
      const hout = h[l + 1]!;
      const Rout = Rh[l + 1]!;
      for (let o = 0; o < nOut; o++) {
        let a = theta[b + o]!;
        let Ra = v ? v[b + o]! : 0;
        for (let i = 0; i < nIn; i++) {
          a += theta[W + o * nIn + i]! * hin[i]!;
          if (v) Ra += v[W + o * nIn + i]! * hin[i]! + theta[W + o * nIn + i]! * Rin[i]!;
        }
        if (l + 1 < L) {
          const t = Math.tanh(a);
          hout[o] = t;
          Rout[o] = (1 - t * t) * Ra;
        } else {
          hout[o] = a;
          Rout[o] = Ra;
        }
      }
    }
    const z = h[L]!;
    const mu = z[0]!;
    const s = z[1]!;
    const e = Math.exp(-2 * s);
    const d = mu - data.y[k]!;
    loss += s + 0.5 * d * d * e;
    if (!g) continue;
    // output gradient and its R
    gA[0] = d * e;
    gA[1] = 1 - d * d * e;
    if (v) {
      const Rz = Rh[L]!;
      RgA[0] = e * Rz[0]! - 2 * d * e * Rz[1]!;
      RgA[1] = -2 * d * e * Rz[0]! + 2 * d * d * e * Rz[1]!;
    }
    // backward (and R-backward)
    for (let l = L - 1; l >= 0; l--) {
      const { W, b, nIn, nOut } = layers[l]!;
      const hin = h[l]!;
      const Rin = Rh[l]!;
      for (let o = 0; o < nOut; o++) {
        g[b + o] = g[b + o]! + gA[o]!;
        if (hv) hv[b + o] = hv[b + o]! + RgA[o]!;
        for (let i = 0; i < nIn; i++) {
          g[W + o * nIn + i] = g[W + o * nIn + i]! + gA[o]! * hin[i]!;
          if (hv) hv[W + o * nIn + i] = hv[W + o * nIn + i]! + RgA[o]! * hin[i]! + gA[o]! * Rin[i]!;
        }
      }
      if (l === 0) break;
      for (let i = 0; i < nIn; i++) {
        let s1 = 0;
        let s2 = 0;
        for (let o = 0; o < nOut; o++) {
          s1 += theta[W + o * nIn + i]! * gA[o]!;
          if (v) s2 += v[W + o * nIn + i]! * gA[o]! + theta[W + o * nIn + i]! * RgA[o]!;
        }
        gh[i] = s1;
        Rgh[i] = s2;
      }
      for (let i = 0; i < nIn; i++) {
        const t = hin[i]!;
        const next = gh[i]! * (1 - t * t);
        if (v) Rgh[i] = Rgh[i]! * (1 - t * t) - 2 * gh[i]! * t * Rin[i]!;
        gh[i] = next;
      }
      [gA, gh] = [gh, gA];
      [RgA, Rgh] = [Rgh, RgA];
    }
  }
  return loss;
}

/** {@link mlpGaussianLoss} on plain numbers. */
export function mlpGaussianLossPlain(theta: ArrayLike<number>, data: Data, sizes: readonly number[] = MLP_SIZES): number {
  return sweep(theta, data, sizes, null, null, null);
}

/** ∇θ of {@link mlpGaussianLoss} by hand-written backpropagation; length mlpParameterCount(sizes). */
export function mlpGaussianLossGradient(theta: ArrayLike<number>, data: Data, sizes: readonly number[] = MLP_SIZES): Float64Array {
  const g = new Float64Array(mlpParameterCount(sizes));
  sweep(theta, data, sizes, g, null, null);
  return g;
}

/** H·v of {@link mlpGaussianLoss} w.r.t. θ by the R-operator on backpropagation (Pearlmutter 1994). */
export function mlpGaussianLossHvp(theta: ArrayLike<number>, data: Data, v: ArrayLike<number>, sizes: readonly number[] = MLP_SIZES): Float64Array {
  const n = mlpParameterCount(sizes);
  const hv = new Float64Array(n);
  sweep(theta, data, sizes, new Float64Array(n), v, hv);
  return hv;
}

/** The dense Hessian of {@link mlpGaussianLoss}, n×n row-major, as n hand-written HVPs (column j = H·eⱼ). */
export function mlpGaussianLossHessian(theta: ArrayLike<number>, data: Data, sizes: readonly number[] = MLP_SIZES): Float64Array {
  const n = mlpParameterCount(sizes);
  const H = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    const col = mlpGaussianLossHvp(theta, data, e, sizes);
    e[j] = 0;
    for (let i = 0; i < n; i++) H[i * n + j] = col[i]!;
  }
  return H;
}
