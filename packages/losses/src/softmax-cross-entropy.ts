/**
 * Softmax cross-entropy on logits with integer class labels: for logits z ∈ ℝᴷ (d = K outputs
 * per sample) and a label c ∈ {0, …, K − 1},
 *
 *   ℓ(z; c) = −log softmax(z)_c = logsumexp(z) − z_c
 *           = (zⱼ − z_c) + log1p(Σ_{k≠j} e^{zₖ − zⱼ}),   j = argmaxₖ zₖ,
 *
 * the last form being the one computed: every exponent is ≤ 0, so nothing overflows (finite and
 * exact at logits ±1000), and for a confident correct prediction (c = j, loss ≈ 0) the log1p
 * keeps full relative precision in the value *and* in the derivative ∂ℓ/∂z_c = −(1 − p_c),
 * which is never formed as 1 minus something close to 1. The identity holds for every j, so
 * choosing j by value changes no derivative.
 *
 *   gradient      p − e_c,  p = softmax(z); the entry c computed as −Σ_{k≠c} pₖ
 *   Hessian       diag(p) − p pᵀ (K×K) — independent of the label; the diagonal computed as
 *                 pₖ·Σ_{i≠k} pᵢ (not pₖ − pₖ², which cancels when pₖ ≈ 1). Singular: the
 *                 all-ones vector is in its null space (adding a constant to every logit
 *                 changes nothing)
 *   Fisher        the same matrix (the expectation over c ∼ Categorical(p) of a label-independent
 *                 Hessian)
 *   S             diag(√p) − p √pᵀ (K×K, not symmetric): S Sᵀ = diag(p) − 2ppᵀ + p (Σₖ pₖ) pᵀ
 *                 = diag(p) − ppᵀ since Σₖ pₖ = 1. The same factor as BackPACK's `sqrt_hessian`
 *                 for cross-entropy (Dangel, Kunstner & Hennig, "BackPACK: Packing more into
 *                 backprop", ICLR 2020). Its diagonal is computed as √pₖ·Σ_{i≠k} pᵢ.
 *   isHessianPSD  true: vᵀ(diag(p) − ppᵀ)v = Σ pₖvₖ² − (Σ pₖvₖ)² is the variance of v under p, ≥ 0
 *                 (logsumexp is convex).
 *
 * Fused form: a K-argument node is beyond the core's limit of 3 arguments per primitive, so the
 * fused form is a chain of K − 1 fused `losses.logaddexpDiff` nodes (logaddexp.ts) plus one
 * subtraction when c ≠ j, instead of about 3K composed nodes.
 *
 * Labels that are not integers in [0, K) are a DomainError naming the sample.
 */
import { DomainError, InputTypeError, add, exp, log1p, primal, sub, sum, type Scalar } from '@dualtape/core';
import { logaddexpDiff } from './logaddexp.js';
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
  /** Σ_{i≠k} pᵢ = 1 − pₖ, summed so that it keeps relative precision when pₖ ≈ 1. */
  const others = (p: Float64Array, k: number): number => {
    let s = 0;
    for (let i = 0; i < K; i++) if (i !== k) s += p[i]!;
    return s;
  };
  const p = new Float64Array(K); // scratch, reused across samples
  const curvature = (z: ArrayLike<number>, zo: number, out: Float64Array, oo: number): void => {
    softmax(z, zo, p);
    for (let r = 0; r < K; r++) for (let c = 0; c < K; c++) out[oo + r * K + c] = r === c ? p[r]! * others(p, r) : -p[r]! * p[c]!;
  };
  /** Index k (0 ≤ k < K) of the largest logit of the sample at z[zo…] (by value; the first at a tie). */
  const argmax = (z: ArrayLike<Scalar>, zo: number): number => {
    let j = 0;
    for (let k = 1; k < K; k++) if (primal(z[zo + k]!) > primal(z[zo + j]!)) j = k;
    return j;
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
      composed(z, zo, y, yo) {
        const c = y[yo]!;
        const j = argmax(z, zo);
        const zj = z[zo + j]!;
        const exps: Scalar[] = [];
        for (let k = 0; k < K; k++) if (k !== j) exps.push(exp(sub(z[zo + k]!, zj)));
        const rest = log1p(sum(exps));
        return c === j ? rest : add(sub(zj, z[zo + c]!), rest);
      },
      fused(z, zo, y, yo) {
        const c = y[yo]!;
        const j = argmax(z, zo);
        const zj = z[zo + j]!;
        let rest: Scalar = 0;
        for (let k = 0; k < K; k++) if (k !== j) rest = logaddexpDiff(rest, z[zo + k]!, zj);
        return c === j ? rest : add(sub(zj, z[zo + c]!), rest);
      },
      constant: () => 0,
      gradient(z, zo, y, yo, out, oo) {
        softmax(z, zo, p);
        const c = y[yo]!;
        for (let k = 0; k < K; k++) out[oo + k] = k === c ? -others(p, c) : p[k]!;
      },
      hessian: (z, zo, _y, _yo, out, oo) => curvature(z, zo, out, oo),
      fisher: curvature,
      fisherFactor(z, zo, out, oo) {
        softmax(z, zo, p);
        for (let r = 0; r < K; r++) {
          for (let c = 0; c < K; c++) out[oo + r * K + c] = r === c ? Math.sqrt(p[r]!) * others(p, r) : -p[r]! * Math.sqrt(p[c]!);
        }
      },
    },
    reduction,
    { classes: K, reduction },
  );
}
