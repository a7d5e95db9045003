/**
 * log(eᵃ + eᵇ) as one fused primitive, stable for arguments of any size:
 *
 *   logaddexp(a, b) = max(a, b) + log1p(e^{−|a − b|})
 *   ∂/∂a = σ(a − b),  ∂/∂b = σ(b − a)
 *   ∂²/∂a² = ∂²/∂b² = σ(a − b)σ(b − a),  ∂²/∂a∂b = −σ(a − b)σ(b − a)
 *
 * (σ the logistic function; derivation: ∂/∂a log(eᵃ + eᵇ) = eᵃ/(eᵃ + eᵇ) = σ(a − b), then
 * σ′ = σ·σ(−·)). A chain of these gives log-sum-exp of any length, each link exact, which is
 * how softmax cross-entropy becomes fused nodes despite the core's limit of 3 arguments per
 * primitive. At a = b = ±∞ the value is ±∞ (not ∞ − ∞ = NaN).
 */
import { applyPrimitive, definePrimitive, mul, neg, sigmoid, sub, type BinaryRule, type Scalar } from '@dualtape/core';

const curvature = (a: Scalar, b: Scalar): Scalar => mul(sigmoid(sub(a, b)), sigmoid(sub(b, a)));

const LOGADDEXP = definePrimitive('losses.logaddexp', {
  arity: 2,
  doc: 'log(eᵃ + eᵇ), stable',
  value: (a, b) => {
    const m = Math.max(a, b);
    if (m === Infinity || m === -Infinity) return m;
    return m + Math.log1p(Math.exp(-Math.abs(a - b)));
  },
  d: [(_o, a, b) => sigmoid(sub(a, b)), (_o, a, b) => sigmoid(sub(b, a))],
  dd: [(_o, a, b) => curvature(a, b), (_o, a, b) => neg(curvature(a, b)), (_o, a, b) => curvature(a, b)],
} satisfies BinaryRule);

/** log(eᵃ + eᵇ) on numbers, duals or tracers, as one fused node (see the file comment). */
export const logaddexp = (a: Scalar, b: Scalar): Scalar => applyPrimitive(LOGADDEXP, [a, b]);
