/**
 * The four parameterisations of one Gaussian NLL term ℓ(a, b; t) = −log N(t | μ, σ²) − ½ log 2π,
 * each written once: its value with the generic operations (runs on numbers, duals, tracers),
 * its closed-form first and second partials (also generic, so they serve both as the fused tape
 * node's rule and, evaluated on numbers, as the closed-form gradient and Hessian), its Fisher
 * information and a factor S of the Fisher. The ½ log 2π constant is added by gaussian-nll.ts.
 *
 * Notation: r = t − μ is the residual. Partials are with respect to (a, b, t) — the two
 * outputs and the target — so a fused node is a correct primitive even when t is a variable.
 * Second partials are packed as the core's rule table wants them: [aa, ab, at, bb, bt, tt].
 *
 * Derivations: differentiate the value twice (each formula below was checked by hand and is
 * checked in the tests against forward-over-reverse AD of the composed value). Fisher =
 * E_{t∼N(μ,σ²)}[∇²_{(a,b)} ℓ], using E[r] = 0, E[r²] = σ².
 */
import {
  DomainError,
  add,
  div,
  exp,
  log,
  mul,
  neg,
  square,
  sub,
  type PartialFn,
  type Primitive,
  type Scalar,
  type TernaryRule,
} from '@dualtape/core';
import { defineFused } from './fused.js';

/** Which pair (a, b) the network outputs per target dimension. */
export type GaussianParameterisation = 'sigma' | 'logSigma' | 'variance' | 'natural';

export interface GaussianForm {
  readonly parameterisation: GaussianParameterisation;
  /** Names of a and b, e.g. `['mu', 'sigma']`. */
  readonly names: readonly [string, string];
  /** ℓ(a, b; t) without ½ log 2π, generic. */
  readonly value: (a: Scalar, b: Scalar, t: Scalar) => Scalar;
  /** Closed-form partials of ℓ in (a, b, t); the first argument (the node's output) is unused. */
  readonly d: readonly [PartialFn, PartialFn, PartialFn];
  /** Closed-form second partials, packed [aa, ab, at, bb, bt, tt]. */
  readonly dd: readonly [PartialFn, PartialFn, PartialFn, PartialFn, PartialFn, PartialFn];
  /** Fisher information in (a, b) as [Faa, Fab, Fbb]. */
  readonly fisher: (a: number, b: number) => [number, number, number];
  /** S (2×2 row-major [s_aa, s_ab, s_ba, s_bb]) with S·Sᵀ = Fisher. */
  readonly factor: (a: number, b: number) => [number, number, number, number];
  /** What b must satisfy, or null if every real b is allowed. */
  readonly domain: { readonly test: (b: number) => boolean; readonly expected: string } | null;
  /** The fused tape node: ℓ(a, b; t) as one primitive with these partials. */
  readonly primitive: Primitive<TernaryRule>;
}

type Dd = GaussianForm['dd'];
type D = GaussianForm['d'];
const r = (a: Scalar, t: Scalar): Scalar => sub(t, a);

function form(
  parameterisation: GaussianParameterisation,
  names: readonly [string, string],
  value: GaussianForm['value'],
  d: D,
  dd: Dd,
  rest: Pick<GaussianForm, 'fisher' | 'factor' | 'domain'>,
  doc: string,
): GaussianForm {
  const primitive = defineFused(
    `gaussianNLL.${parameterisation}`,
    {
      arity: 3,
      doc,
      value: (a, b, t) => value(a, b, t) as number,
      d,
      dd,
    } satisfies TernaryRule,
    (a, b, t) => value(a!, b!, t!),
  );
  return { parameterisation, names, value, d, dd, primitive, ...rest };
}

/**
 * (μ, σ):  ℓ = log σ + r²/(2σ²)
 *   ∂μ = −r/σ²,  ∂σ = (1 − r²/σ²)/σ,  ∂t = r/σ²
 *   ∇²_{(μ,σ)} ℓ = [[1/σ², 2r/σ³], [2r/σ³, (3r²/σ² − 1)/σ²]],  det = −(r² + σ²)/σ⁶ < 0:
 *   indefinite at every residual (at r = 0, σ = 2: [[1/4, 0], [0, −1/4]]).
 *   Fisher diag(1/σ², 2/σ²) (positive definite); S = diag(1/σ, √2/σ).
 */
const sigma = form(
  'sigma',
  ['mu', 'sigma'],
  (a, b, t) => add(log(b), div(square(r(a, t)), mul(2, square(b)))),
  [
    (_o, a, b, t) => neg(div(r(a, t), square(b))),
    (_o, a, b, t) => div(sub(1, div(square(r(a, t)), square(b))), b),
    (_o, a, b, t) => div(r(a, t), square(b)),
  ],
  [
    (_o, _a, b) => div(1, square(b)),
    (_o, a, b, t) => div(mul(2, r(a, t)), mul(square(b), b)),
    (_o, _a, b) => neg(div(1, square(b))),
    (_o, a, b, t) => div(sub(div(mul(3, square(r(a, t))), square(b)), 1), square(b)),
    (_o, a, b, t) => neg(div(mul(2, r(a, t)), mul(square(b), b))),
    (_o, _a, b) => div(1, square(b)),
  ],
  {
    fisher: (_a, b) => [1 / (b * b), 0, 2 / (b * b)],
    factor: (_a, b) => [1 / b, 0, 0, Math.SQRT2 / b],
    domain: { test: (b) => b > 0, expected: '> 0 (sigma is a standard deviation)' },
  },
  'Gaussian NLL term in (μ, σ): log σ + (t − μ)²/(2σ²)',
);

/**
 * (μ, s = log σ):  ℓ = s + ½ r² e^{−2s}; with w = e^{−2s} = 1/σ²:
 *   ∂μ = −r w,  ∂s = 1 − r² w,  ∂t = r w
 *   ∇²_{(μ,s)} ℓ = [[w, 2r w], [2r w, 2r² w]],  det = −2r² w² ≤ 0: indefinite for r ≠ 0
 *   (singular PSD at r = 0).
 *   Fisher diag(w, 2) = diag(1/σ², 2); S = diag(e^{−s}, √2).
 */
const logSigma = form(
  'logSigma',
  ['mu', 'logSigma'],
  (a, b, t) => add(b, mul(0.5, mul(square(r(a, t)), exp(mul(-2, b))))),
  [
    (_o, a, b, t) => neg(mul(r(a, t), exp(mul(-2, b)))),
    (_o, a, b, t) => sub(1, mul(square(r(a, t)), exp(mul(-2, b)))),
    (_o, a, b, t) => mul(r(a, t), exp(mul(-2, b))),
  ],
  [
    (_o, _a, b) => exp(mul(-2, b)),
    (_o, a, b, t) => mul(mul(2, r(a, t)), exp(mul(-2, b))),
    (_o, _a, b) => neg(exp(mul(-2, b))),
    (_o, a, b, t) => mul(mul(2, square(r(a, t))), exp(mul(-2, b))),
    (_o, a, b, t) => neg(mul(mul(2, r(a, t)), exp(mul(-2, b)))),
    (_o, _a, b) => exp(mul(-2, b)),
  ],
  {
    fisher: (_a, b) => [Math.exp(-2 * b), 0, 2],
    factor: (_a, b) => [Math.exp(-b), 0, 0, Math.SQRT2],
    domain: null,
  },
  'Gaussian NLL term in (μ, log σ): s + ½(t − μ)² e^{−2s}',
);

/**
 * (μ, v = σ²):  ℓ = ½ log v + r²/(2v)
 *   ∂μ = −r/v,  ∂v = (1 − r²/v)/(2v),  ∂t = r/v
 *   ∇²_{(μ,v)} ℓ = [[1/v, r/v²], [r/v², (2r²/v − 1)/(2v²)]],  det = −1/(2v³) < 0: indefinite
 *   at every residual.
 *   Fisher diag(1/v, 1/(2v²)); S = diag(1/√v, 1/(√2·v)).
 */
const variance = form(
  'variance',
  ['mu', 'variance'],
  (a, b, t) => add(mul(0.5, log(b)), div(square(r(a, t)), mul(2, b))),
  [
    (_o, a, b, t) => neg(div(r(a, t), b)),
    (_o, a, b, t) => div(sub(1, div(square(r(a, t)), b)), mul(2, b)),
    (_o, a, b, t) => div(r(a, t), b),
  ],
  [
    (_o, _a, b) => div(1, b),
    (_o, a, b, t) => div(r(a, t), square(b)),
    (_o, _a, b) => neg(div(1, b)),
    (_o, a, b, t) => div(sub(div(mul(2, square(r(a, t))), b), 1), mul(2, square(b))),
    (_o, a, b, t) => neg(div(r(a, t), square(b))),
    (_o, _a, b) => div(1, b),
  ],
  {
    fisher: (_a, b) => [1 / b, 0, 1 / (2 * b * b)],
    factor: (_a, b) => [1 / Math.sqrt(b), 0, 0, 1 / (Math.SQRT2 * b)],
    domain: { test: (b) => b > 0, expected: '> 0 (the variance σ²)' },
  },
  'Gaussian NLL term in (μ, σ²): ½ log v + (t − μ)²/(2v)',
);

/**
 * Natural parameters (η₁, η₂) = (μ/σ², −1/(2σ²)), η₂ < 0. The Gaussian is an exponential
 * family with sufficient statistic (t, t²) and log-partition A(η) = −η₁²/(4η₂) − ½ log(−2η₂)
 * (Wainwright & Jordan, "Graphical models, exponential families, and variational inference",
 * 2008, §3.2, Example 3.3):
 *   ℓ = −(η₁ t + η₂ t²) + A(η)
 *   ∂η₁ = μ − t,  ∂η₂ = μ² + σ² − t²,  ∂t = −η₁ − 2η₂ t
 *   ∇²_η ℓ = ∇²A = Cov[(t, t²)] = [[σ², 2μσ²], [2μσ², 4μ²σ² + 2σ⁴]]
 *         = [[−1/(2η₂), η₁/(2η₂²)], [η₁/(2η₂²), 1/(2η₂²) − η₁²/(2η₂³)]]
 *   (ibid. Prop. 3.1: the Hessian of A is the covariance of the sufficient statistic). It does
 *   not depend on t, so it *is* the Fisher; ℓ is convex in η and the Hessian is positive definite.
 *   S = Cholesky factor [[σ, 0], [2μσ, √2 σ²]] (lower-triangular; S Sᵀ multiplies out to the above).
 */
const natural = form(
  'natural',
  ['eta1', 'eta2'],
  (a, b, t) =>
    sub(sub(neg(div(square(a), mul(4, b))), mul(0.5, log(mul(-2, b)))), add(mul(a, t), mul(b, square(t)))),
  [
    (_o, a, b, t) => neg(add(t, div(a, mul(2, b)))),
    (_o, a, b, t) => sub(sub(div(square(a), mul(4, square(b))), div(1, mul(2, b))), square(t)),
    (_o, a, b, t) => neg(add(a, mul(mul(2, b), t))),
  ],
  [
    (_o, _a, b) => neg(div(1, mul(2, b))),
    (_o, a, b) => div(a, mul(2, square(b))),
    () => -1,
    (_o, a, b) => sub(div(1, mul(2, square(b))), div(square(a), mul(2, mul(square(b), b)))),
    (_o, _a, _b, t) => mul(-2, t),
    (_o, _a, b) => mul(-2, b),
  ],
  {
    fisher: (a, b) => [-1 / (2 * b), a / (2 * b * b), 1 / (2 * b * b) - (a * a) / (2 * b * b * b)],
    factor: (a, b) => {
      const s2 = -1 / (2 * b); // σ²
      const s = Math.sqrt(s2);
      const mu = a * s2;
      return [s, 0, 2 * mu * s, Math.SQRT2 * s2];
    },
    domain: { test: (b) => b < 0, expected: '< 0 (eta2 = −1/(2σ²))' },
  },
  'Gaussian NLL term in natural parameters: A(η) − η₁t − η₂t²',
);

/** The four parameterisations by name. */
export const GAUSSIAN_FORMS: Readonly<Record<GaussianParameterisation, GaussianForm>> = { sigma, logSigma, variance, natural };

/**
 * Throw a DomainError if b is outside the parameterisation's domain (σ ≤ 0, σ² ≤ 0, η₂ ≥ 0).
 * NaN is not a domain error: it propagates, as every NaN does in dualtape (core errors.ts).
 */
export function checkGaussianDomain(f: GaussianForm, b: number, argument: string, sample: number, api: string): void {
  if (f.domain !== null && !Number.isNaN(b) && !f.domain.test(b)) {
    throw new DomainError(argument, String(b), `${f.names[1]} ${f.domain.expected}; sample ${sample} is outside the domain`, api);
  }
}
