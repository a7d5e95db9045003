/**
 * Gaussian negative log-likelihood with per-sample mean and scale, diagonal multivariate.
 *
 * For sample i with target yᵢ ∈ ℝᵐ and outputs zᵢ = (a₁ … aₘ, b₁ … bₘ) — first the m location
 * outputs, then the m scale outputs — the per-sample loss is
 *
 *     ℓ(zᵢ; yᵢ) = Σⱼ ℓ₁(aⱼ, bⱼ; yᵢⱼ) [+ m·½ log 2π if `full`],
 *
 * with ℓ₁ the one-dimensional term in the chosen parameterisation (formulas, gradients and
 * Hessians in gaussian-parameterisations.ts, repeated here):
 *
 * | parameterisation | (a, b)            | ℓ₁ (r = t − μ)                  | per-sample Hessian in (a, b)                                   | Fisher                          |
 * |------------------|-------------------|---------------------------------|----------------------------------------------------------------|---------------------------------|
 * | `'sigma'`        | (μ, σ), σ > 0     | log σ + r²/(2σ²)                | [[1/σ², 2r/σ³], [2r/σ³, (3r²/σ² − 1)/σ²]]                       | diag(1/σ², 2/σ²)                |
 * | `'logSigma'`     | (μ, s = log σ)    | s + ½ r² e^{−2s}                | [[e^{−2s}, 2r e^{−2s}], [2r e^{−2s}, 2r² e^{−2s}]]              | diag(e^{−2s}, 2)                |
 * | `'variance'`     | (μ, v = σ²), v > 0| ½ log v + r²/(2v)               | [[1/v, r/v²], [r/v², (2r²/v − 1)/(2v²)]]                        | diag(1/v, 1/(2v²))              |
 * | `'natural'`      | (η₁, η₂), η₂ < 0  | A(η) − η₁t − η₂t²               | [[σ², 2μσ²], [2μσ², 4μ²σ² + 2σ⁴]] (σ² = −1/(2η₂), μ = η₁σ²)     | the Hessian itself              |
 *
 * with A(η) = −η₁²/(4η₂) − ½ log(−2η₂). For m > 1 the per-sample Hessian is 2m×2m and holds
 * these 2×2 blocks at rows/columns (j, m + j) — the dimensions do not interact.
 *
 * **Definiteness** (`isHessianPSD`). In (μ, σ) the Hessian is *indefinite for every residual*:
 * det = −(r² + σ²)/σ⁶ < 0 (at r = 0, σ = 2 it is [[1/4, 0], [0, −1/4]] — not zero, not PSD),
 * while the Fisher diag(1/σ², 2/σ²) is positive definite. In (μ, σ²) det = −1/(2v³) < 0, also
 * indefinite everywhere. In (μ, log σ) det = −2r²e^{−4s}: indefinite whenever r ≠ 0. Only in
 * the natural parameters is the NLL convex: its Hessian is ∇²A(η), the covariance of the
 * sufficient statistic (t, t²), positive definite and equal to the Fisher (Wainwright & Jordan
 * 2008, Prop. 3.1). This is why Gauss-Newton methods use the Fisher (or the natural
 * parameterisation) rather than the raw Hessian of the (μ, σ) NLL.
 *
 * Fisher factors S (S Sᵀ = Fisher): diagonal square roots in the first three parameterisations;
 * the lower Cholesky factor [[σ, 0], [2μσ, √2σ²]] in the natural one.
 *
 * Domain: σ ≤ 0 (`'sigma'`), σ² ≤ 0 (`'variance'`) or η₂ ≥ 0 (`'natural'`) is a DomainError
 * naming the sample — never clamped. NaN outputs propagate (not an error).
 *
 * Fused node: one `losses.gaussianNLL.<parameterisation>` tape node per sample and dimension,
 * arguments (a, b, t), whose partials are the closed forms (ℓ₁ is smooth in t too, so the node
 * is exact when the target is itself a variable).
 */
import { add, applyPrimitive, primal } from '@dualtape/core';
import { GAUSSIAN_FORMS, checkGaussianDomain, type GaussianForm, type GaussianParameterisation } from './gaussian-parameterisations.js';
import { Loss, type Kernel, type Reduction } from './loss.js';
import { choiceOption, countOption, flagOption, reductionOption } from './options.js';

export type { GaussianParameterisation } from './gaussian-parameterisations.js';

/** ½ log 2π, the constant of the Gaussian NLL per dimension. */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface GaussianNLLOptions {
  /** Meaning of the two outputs per dimension (default `'sigma'`: (μ, σ)). */
  parameterisation?: GaussianParameterisation;
  /** m, the dimension of each target (default 1); outputs per sample d = 2m. */
  dim?: number;
  /** Include the ½ log 2π per dimension (default false: it changes no derivative). */
  full?: boolean;
  /** `'sum'` (default) or `'mean'` over samples. */
  reduction?: Reduction;
}

const PARAMETERISATIONS = ['sigma', 'logSigma', 'variance', 'natural'] as const satisfies readonly GaussianParameterisation[];

/**
 * The Gaussian NLL loss (see the file comment for every formula).
 * @example
 * const loss = gaussianNLL({ parameterisation: 'sigma' });
 * loss.outputHessian([[0, 2]], [0]).block(0).toArray(); // [[0.25, 0], [0, -0.25]]
 * @throws {InputTypeError} for an unknown parameterisation, a `dim` that is not a positive
 *   integer, or a bad reduction
 */
export function gaussianNLL(options: GaussianNLLOptions = {}): Loss<Required<GaussianNLLOptions>> {
  const api = 'gaussianNLL';
  const parameterisation = choiceOption(options.parameterisation, PARAMETERISATIONS, 'sigma', 'parameterisation', api);
  const dim = countOption(options.dim, 1, 'dim', api);
  const full = flagOption(options.full, false, 'full', api);
  const reduction = reductionOption(options.reduction, api);
  return new Loss(gaussianKernel(GAUSSIAN_FORMS[parameterisation], dim, full), reduction, { parameterisation, dim, full, reduction });
}

function gaussianKernel(F: GaussianForm, m: number, full: boolean): Kernel {
  const [na, nb] = F.names;
  const d = 2 * m;
  const constant = full ? m * HALF_LOG_2PI : 0;
  return {
    name: `gaussianNLL(${F.parameterisation}${m > 1 ? `, dim ${m}` : ''})`,
    outputsPerSample: d,
    targetsPerSample: m,
    describeOutputs: m === 1 ? `2 outputs per sample (${na}, ${nb})` : `${d} outputs per sample (${na}₁…${na}${m}, then ${nb}₁…${nb}${m})`,
    isHessianPSD: F.parameterisation === 'natural',
    checkOutputs(z, zo, i, api) {
      for (let j = 0; j < m; j++) checkGaussianDomain(F, primal(z[zo + m + j]!), `outputs[${i}][${m + j}]`, i, api);
    },
    checkTargets() {},
    composed(z, zo, y, yo) {
      let s = F.value(z[zo]!, z[zo + m]!, y[yo]!);
      for (let j = 1; j < m; j++) s = add(s, F.value(z[zo + j]!, z[zo + m + j]!, y[yo + j]!));
      return constant === 0 ? s : add(s, constant);
    },
    fused(z, zo, y, yo) {
      let s = applyPrimitive(F.primitive, [z[zo]!, z[zo + m]!, y[yo]!]);
      for (let j = 1; j < m; j++) s = add(s, applyPrimitive(F.primitive, [z[zo + j]!, z[zo + m + j]!, y[yo + j]!]));
      return s;
    },
    constant: () => constant,
    // The rule's partials ignore their first argument (the node's output); 0 stands in for it.
    gradient(z, zo, y, yo, out, oo) {
      for (let j = 0; j < m; j++) {
        const a = z[zo + j]!;
        const b = z[zo + m + j]!;
        const t = y[yo + j]!;
        out[oo + j] = F.d[0](0, a, b, t) as number;
        out[oo + m + j] = F.d[1](0, a, b, t) as number;
      }
    },
    hessian(z, zo, y, yo, out, oo) {
      for (let j = 0; j < m; j++) {
        const a = z[zo + j]!;
        const b = z[zo + m + j]!;
        const t = y[yo + j]!;
        place(out, oo, d, j, m + j, F.dd[0](0, a, b, t) as number, F.dd[1](0, a, b, t) as number, F.dd[1](0, a, b, t) as number, F.dd[3](0, a, b, t) as number);
      }
    },
    fisher(z, zo, out, oo) {
      for (let j = 0; j < m; j++) {
        const [faa, fab, fbb] = F.fisher(z[zo + j]!, z[zo + m + j]!);
        place(out, oo, d, j, m + j, faa, fab, fab, fbb);
      }
    },
    fisherFactor(z, zo, out, oo) {
      for (let j = 0; j < m; j++) place(out, oo, d, j, m + j, ...F.factor(z[zo + j]!, z[zo + m + j]!));
    },
  };
}

/** Write the 2×2 block [[aa, ab], [ba, bb]] at rows/columns (p, q) of a d×d matrix at out[oo…]. */
function place(out: Float64Array, oo: number, d: number, p: number, q: number, aa: number, ab: number, ba: number, bb: number): void {
  out[oo + p * d + p] = aa;
  out[oo + p * d + q] = ab;
  out[oo + q * d + p] = ba;
  out[oo + q * d + q] = bb;
}
