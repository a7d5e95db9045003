/**
 * Binary cross-entropy with logits: for a logit z and a target t ∈ [0, 1] (a label 0/1 or a
 * soft label),
 *
 *   ℓ(z; t) = −t log σ(z) − (1 − t) log σ(−z) = softplus(z) − t·z,
 *
 * computed as softplus(z) − t·z, which is finite for logits of any size (softplus is the core's
 * stable log(1 + eᶻ)). One output per sample (d = 1).
 *
 *   gradient      σ(z) − t
 *   Hessian       σ(z)·σ(−z) = σ(z)(1 − σ(z)) — independent of t
 *   Fisher        the same: E_{t∼Bernoulli(σ(z))} of a t-independent Hessian; S = √(σ(z)σ(−z))
 *   isHessianPSD  true: σ(z)σ(−z) ≥ 0 (the logit is the Bernoulli's natural parameter and
 *                 softplus its log-partition, a convex function — McCullagh & Nelder,
 *                 *Generalized Linear Models*, 2nd ed., 1989, §2.2 and §4.4)
 *
 * σ(−z) is used in place of 1 − σ(z) so the Hessian keeps full relative precision in the
 * saturated tails (as in the core's rule for sigmoid).
 *
 * Fused node: `losses.binaryCrossEntropy` with arguments (z, t), partials [σ(z) − t, −z],
 * second partials [σ(z)σ(−z), −1, 0].
 * Targets outside [0, 1] are a DomainError naming the sample.
 */
import { DomainError, applyPrimitive, mul, neg, sigmoid, softplus, sub, type BinaryRule, type Scalar } from '@dualtape/core';
import { defineFused } from './fused.js';
import { Loss, type Reduction } from './loss.js';
import { reductionOption } from './options.js';

const value = (z: Scalar, t: Scalar): Scalar => sub(softplus(z), mul(t, z));

const rule: BinaryRule = {
  arity: 2,
  doc: 'binary cross-entropy with logits softplus(z) − t·z',
  value: (z, t) => value(z, t) as number,
  d: [(_o, z, t) => sub(sigmoid(z), t), (_o, z) => neg(z)],
  dd: [(_o, z) => mul(sigmoid(z), sigmoid(neg(z))), () => -1, () => 0],
};
const BCE = defineFused('binaryCrossEntropy', rule, (z, t) => value(z!, t!));

/** σ(z)·σ(−z) on numbers: the Hessian and Fisher. */
const curvature = (z: number): number => rule.dd[0](0, z, 0, 0) as number;

export interface BinaryCrossEntropyOptions {
  /** `'sum'` (default) or `'mean'` over samples. */
  reduction?: Reduction;
}

/**
 * Binary cross-entropy on logits (see the file comment).
 * @example binaryCrossEntropyWithLogits().gradient([0], [1]) // Float64Array [-0.5]
 * @throws {InputTypeError} for a bad reduction
 */
export function binaryCrossEntropyWithLogits(options: BinaryCrossEntropyOptions = {}): Loss<Required<BinaryCrossEntropyOptions>> {
  const reduction = reductionOption(options.reduction, 'binaryCrossEntropyWithLogits');
  return new Loss(
    {
      name: 'binaryCrossEntropyWithLogits',
      outputsPerSample: 1,
      targetsPerSample: 1,
      describeOutputs: 'one logit per sample',
      isHessianPSD: true,
      checkOutputs() {},
      checkTargets(y, yo, i, api) {
        const t = y[yo]!;
        if (!(t >= 0 && t <= 1)) throw new DomainError(`targets[${i}]`, String(t), `a probability in [0, 1] (sample ${i})`, api);
      },
      composed: (z, zo, y, yo) => value(z[zo]!, y[yo]!),
      fused: (z, zo, y, yo) => applyPrimitive(BCE, [z[zo]!, y[yo]!]),
      constant: () => 0,
      gradient(z, zo, y, yo, out, oo) {
        out[oo] = rule.d[0](0, z[zo]!, y[yo]!, 0) as number;
      },
      hessian(z, zo, _y, _yo, out, oo) {
        out[oo] = curvature(z[zo]!);
      },
      fisher(z, zo, out, oo) {
        out[oo] = curvature(z[zo]!);
      },
      fisherFactor(z, zo, out, oo) {
        out[oo] = Math.sqrt(curvature(z[zo]!));
      },
    },
    reduction,
    { reduction },
  );
}
