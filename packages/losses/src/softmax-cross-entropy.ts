/**
 * Softmax cross-entropy on logits with integer class labels: for logits z ∈ ℝᴷ (d = K outputs
 * per sample) and a label c ∈ {0, …, K − 1},
 *
 *   ℓ(z; c) = −log softmax(z)_c = logsumexp(z) − z_c,
 *
 * with logsumexp(z) = m + log Σₖ e^{zₖ − m}, m = maxₖ zₖ, so no exponential overflows (finite
 * and exact at logits ±1000). m is taken as a constant: the expression equals log Σₖ e^{zₖ} for
 * every m, so this changes no derivative.
 *
 *   gradient      p − e_c,  p = softmax(z)
 *   Hessian       diag(p) − p pᵀ (K×K) — independent of the label; singular (the all-ones vector
 *                 is in its null space: adding a constant to every logit changes nothing)
 *   Fisher        the same matrix (the expectation over c ∼ Categorical(p) of a label-independent
 *                 Hessian)
 *   S             diag(√p) − p √pᵀ (K×K, not symmetric): S Sᵀ = diag(p) − 2ppᵀ + p (Σₖ pₖ) pᵀ
 *                 = diag(p) − ppᵀ since Σₖ pₖ = 1. The same factor as BackPACK's `sqrt_hessian`
 *                 for cross-entropy (Dangel, Kunstner & Hennig, "BackPACK: Packing more into
 *                 backprop", ICLR 2020).
 *   isHessianPSD  true: vᵀ(diag(p) − ppᵀ)v = Σ pₖvₖ² − (Σ pₖvₖ)² is the variance of v under p, ≥ 0
 *                 (logsumexp is convex).
 *
 * Fused form: a K-argument node is beyond the core's limit of 3 arguments per primitive, so the
 * fused form is a chain of K − 1 fused `losses.logaddexp` nodes (logaddexp.ts) and one
 * subtraction per sample, instead of 3K + 3 composed nodes.
 *
 * Labels that are not integers in [0, K) are a DomainError naming the sample.
 */
import { DomainError, InputTypeError, add, exp, log, primal, sub, sum, type Scalar } from '@dualtape/core';
import { logaddexp } from './logaddexp.js';
import { Loss, type Reduction } from './loss.js';
import { countOption, reductionOption } from './options.js';

export interface SoftmaxCrossEntropyOptions {
  /** K, the number of classes (≥ 2); required. Outputs per sample d = K. */
  classes: number;
  /** `'sum'` (default) or `'mean'` over samples. */
  reduction?: Reduction;
}

/**
 * Softmax cross-entropy on logits (see the file comment).
 * @example softmaxCrossEntropy({ classes: 2 }).outputHessian([[0, 0]], [1]).block(0).toArray() // [[0.25, -0.25], [-0.25, 0.25]]
 * @throws {InputTypeError} if `classes` is missing or not an integer ≥ 2, or for a bad reduction
 */
export function softmaxCrossEntropy(options: SoftmaxCrossEntropyOptions): Loss<Required<SoftmaxCrossEntropyOptions>> {
  const api = 'softmaxCrossEntropy';
  if (options?.classes === undefined) throw new InputTypeError('options.classes', 'missing', 'the number of classes, an integer ≥ 2', api);
  const K = countOption(options.classes, 0, 'classes', api, 2);
  const reduction = reductionOption(options.reduction, api);

  /** p = softmax(z) of the sample at z[zo…], into p. */
  const softmax = (z: ArrayLike<number>, zo: number, p: Float64Array): Float64Array => {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, z[zo + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) s += p[k] = Math.exp(z[zo + k]! - m);
    for (let k = 0; k < K; k++) p[k] = p[k]! / s;
    return p;
  };
  const p = new Float64Array(K); // scratch, reused across samples
  const curvature = (z: ArrayLike<number>, zo: number, out: Float64Array, oo: number): void => {
    softmax(z, zo, p);
    for (let r = 0; r < K; r++) for (let c = 0; c < K; c++) out[oo + r * K + c] = (r === c ? p[r]! : 0) - p[r]! * p[c]!;
  };

  return new Loss(
    {
      name: `softmaxCrossEntropy(${K} classes)`,
      outputsPerSample: K,
      targetsPerSample: 1,
      describeOutputs: `${K} logits per sample`,
      isHessianPSD: true,
      checkOutputs() {},
      checkTargets(y, yo, i, api) {
        const c = y[yo]!;
        if (!(Number.isInteger(c) && c >= 0 && c < K)) {
          throw new DomainError(`targets[${i}]`, String(c), `an integer class label in [0, ${K}) (sample ${i})`, api);
        }
      },
      composed(z, y, yo) {
        let m = -Infinity;
        for (const zk of z) m = Math.max(m, primal(zk));
        const lse = add(m, log(sum(z.map((zk) => exp(sub(zk, m))))));
        return sub(lse, z[y[yo]!]!);
      },
      fused(z, y, yo) {
        let lse = z[0]!;
        for (let k = 1; k < K; k++) lse = logaddexp(lse, z[k]!);
        return sub(lse, z[y[yo]!]!);
      },
      constant: () => 0,
      gradient(z, zo, y, yo, out, oo) {
        softmax(z, zo, p);
        for (let k = 0; k < K; k++) out[oo + k] = p[k]! - (k === y[yo] ? 1 : 0);
      },
      hessian: (z, zo, _y, _yo, out, oo) => curvature(z, zo, out, oo),
      fisher: curvature,
      fisherFactor(z, zo, out, oo) {
        softmax(z, zo, p);
        for (let r = 0; r < K; r++) {
          for (let c = 0; c < K; c++) out[oo + r * K + c] = (r === c ? Math.sqrt(p[r]!) : 0) - p[r]! * Math.sqrt(p[c]!);
        }
      },
    },
    reduction,
    { classes: K, reduction },
  );
}
