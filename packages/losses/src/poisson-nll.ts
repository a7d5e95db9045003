/**
 * Poisson negative log-likelihood with a log-rate output: for η = log λ and a count y ≥ 0,
 *
 *   ℓ(η; y) = eᶯ − y·η [+ log y! if `full`]
 *
 * One output per sample (d = 1). log y! = log Γ(y + 1) (lgamma.ts) is constant in η, so `full`
 * changes values only. Non-integer y ≥ 0 is accepted (the formula is then the usual continuous
 * extension, as in torch's `PoissonNLLLoss`).
 *
 *   gradient      eᶯ − y
 *   Hessian       eᶯ = λ — independent of y
 *   Fisher        the same (E_{y∼Poisson(λ)} of a y-independent Hessian); S = e^{η/2} = √λ
 *   isHessianPSD  true: eᶯ > 0; η is the Poisson's natural parameter and eᶯ its log-partition,
 *                 convex (the canonical log link: McCullagh & Nelder, *Generalized Linear
 *                 Models*, 2nd ed., 1989, §6.2)
 *
 * Fused node: `losses.poissonNLL` with arguments (η, y), partials [eᶯ − y, −η], second partials
 * [eᶯ, −1, 0]. Negative targets are a DomainError naming the sample.
 */
import { DomainError, add, applyPrimitive, exp, mul, neg, sub, type BinaryRule, type Scalar } from '@dualtape/core';
import { defineFused } from './fused.js';
import { lgamma } from './lgamma.js';
import { Loss, type Reduction } from './loss.js';
import { flagOption, reductionOption } from './options.js';

const value = (eta: Scalar, y: Scalar): Scalar => sub(exp(eta), mul(y, eta));

const rule: BinaryRule = {
  arity: 2,
  doc: 'Poisson NLL with log-rate eᶯ − y·η',
  value: (eta, y) => value(eta, y) as number,
  d: [(_o, eta, y) => sub(exp(eta), y), (_o, eta) => neg(eta)],
  dd: [(_o, eta) => exp(eta), () => -1, () => 0],
};
const POISSON = defineFused('poissonNLL', rule, (eta, y) => value(eta!, y!));

export interface PoissonNLLOptions {
  /** Include log y! (default false: it changes no derivative). */
  full?: boolean;
  /** `'sum'` (default) or `'mean'` over samples. */
  reduction?: Reduction;
}

/**
 * Poisson NLL on log-rates (see the file comment).
 * @example poissonNLL().outputHessian([0], [3]).block(0).get(0, 0) // 1 (= e⁰)
 * @throws {InputTypeError} for a bad option
 */
export function poissonNLL(options: PoissonNLLOptions = {}): Loss<Required<PoissonNLLOptions>> {
  const api = 'poissonNLL';
  const full = flagOption(options.full, false, 'full', api);
  const reduction = reductionOption(options.reduction, api);
  const constant = (y: ArrayLike<number>, yo: number): number => (full ? lgamma(y[yo]! + 1) : 0);
  return new Loss(
    {
      name: 'poissonNLL',
      outputsPerSample: 1,
      targetsPerSample: 1,
      describeOutputs: 'one log-rate per sample',
      isHessianPSD: true,
      checkOutputs() {},
      checkTargets(y, yo, i, api) {
        const t = y[yo]!;
        if (!(t >= 0)) throw new DomainError(`targets[${i}]`, String(t), `a count ≥ 0 (sample ${i})`, api);
      },
      composed(z, zo, y, yo) {
        const v = value(z[zo]!, y[yo]!);
        const c = constant(y, yo);
        return c === 0 ? v : add(v, c);
      },
      fused: (z, zo, y, yo) => applyPrimitive(POISSON, [z[zo]!, y[yo]!]),
      constant,
      gradient(z, zo, y, yo, out, oo) {
        out[oo] = rule.d[0](0, z[zo]!, y[yo]!, 0) as number;
      },
      hessian(z, zo, _y, _yo, out, oo) {
        out[oo] = Math.exp(z[zo]!);
      },
      fisher(z, zo, out, oo) {
        out[oo] = Math.exp(z[zo]!);
      },
      fisherFactor(z, zo, out, oo) {
        out[oo] = Math.exp(0.5 * z[zo]!);
      },
    },
    reduction,
    { full, reduction },
  );
}
