/**
 * Squared loss ℓ(ŷ; y) = ½‖ŷ − y‖² per sample, ŷ, y ∈ ℝᵐ (d = m outputs per sample).
 *
 *   gradient      ŷ − y
 *   Hessian       I (m×m), at every point; for the batch: the identity of size n·m for `'sum'`
 *                 and I/n for `'mean'` (the mean is over the n samples, not the n·m entries —
 *                 unlike torch's `MSELoss`, which also divides by m and drops the ½).
 *   Fisher        I: ½‖ŷ − y‖² is the NLL of y ∼ N(ŷ, I) up to a constant, and its Hessian does
 *                 not depend on y. S = I.
 *   isHessianPSD  true: the Hessian is the identity.
 *
 * Fused node: one `losses.squared` node per sample and dimension, arguments (ŷⱼ, yⱼ), value
 * ½(ŷⱼ − yⱼ)², partials ŷⱼ − yⱼ and yⱼ − ŷⱼ, second partials [1, −1, 1].
 */
import { add, applyPrimitive, mul, square, sub, type BinaryRule, type Scalar } from '@dualtape/core';
import { defineFused } from './fused.js';
import { Loss, type Reduction } from './loss.js';
import { countOption, reductionOption } from './options.js';

/** One dimension's term ½(a − t)², generic. */
const term = (a: Scalar, t: Scalar): Scalar => mul(0.5, square(sub(a, t)));

const rule: BinaryRule = {
  arity: 2,
  doc: 'squared-loss term ½(a − t)²',
  value: (a, t) => term(a, t) as number,
  d: [(_o, a, t) => sub(a, t), (_o, a, t) => sub(t, a)],
  dd: [() => 1, () => -1, () => 1],
};
const SQUARED = defineFused('squared', rule, (a, t) => term(a!, t!));

export interface SquaredLossOptions {
  /** m, the dimension of each target and output (default 1). */
  dim?: number;
  /** `'sum'` (default) or `'mean'` over samples. */
  reduction?: Reduction;
}

/**
 * The squared loss ½‖ŷ − y‖² (see the file comment).
 * @example squaredLoss().outputHessian([1, 2], [0, 0]).toDense().toArray() // [[1, 0], [0, 1]]
 * @throws {InputTypeError} for a `dim` that is not a positive integer or a bad reduction
 */
export function squaredLoss(options: SquaredLossOptions = {}): Loss<Required<SquaredLossOptions>> {
  const api = 'squaredLoss';
  const m = countOption(options.dim, 1, 'dim', api);
  const reduction = reductionOption(options.reduction, api);
  const terms = (z: ArrayLike<Scalar>, zo: number, y: ArrayLike<number>, yo: number, f: (a: Scalar, t: number) => Scalar): Scalar => {
    let s = f(z[zo]!, y[yo]!);
    for (let j = 1; j < m; j++) s = add(s, f(z[zo + j]!, y[yo + j]!));
    return s;
  };
  const identity = (out: Float64Array, oo: number): void => {
    for (let j = 0; j < m; j++) out[oo + j * m + j] = 1;
  };
  return new Loss(
    {
      name: m === 1 ? 'squaredLoss' : `squaredLoss(dim ${m})`,
      outputsPerSample: m,
      targetsPerSample: m,
      describeOutputs: m === 1 ? 'one output per sample' : `${m} outputs per sample`,
      isHessianPSD: true,
      checkOutputs() {},
      checkTargets() {},
      composed: (z, zo, y, yo) => terms(z, zo, y, yo, term),
      fused: (z, zo, y, yo) => terms(z, zo, y, yo, (a, t) => applyPrimitive(SQUARED, [a, t])),
      constant: () => 0,
      gradient(z, zo, y, yo, out, oo) {
        for (let j = 0; j < m; j++) out[oo + j] = rule.d[0](0, z[zo + j]!, y[yo + j]!, 0) as number;
      },
      hessian: (_z, _zo, _y, _yo, out, oo) => identity(out, oo),
      fisher: (_z, _zo, out, oo) => identity(out, oo),
      fisherFactor: (_z, _zo, out, oo) => identity(out, oo),
    },
    reduction,
    { dim: m, reduction },
  );
}
