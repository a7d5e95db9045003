/**
 * One fused primitive for softmax cross-entropy: the log-add-exp of a running sum and a
 * logit difference,
 *
 *   f(x, a, b) = log(eˣ + e^{a − b}) = M + log1p(e^{−|x − (a − b)|}),  M = max(x, a − b),
 *
 * finite for arguments of any size, with relative precision kept when one term is tiny (the
 * log1p). With u = a − b, q = σ(u − x) (σ the logistic function) and w = q·(1 − q) computed
 * as σ(u − x)·σ(x − u):
 *
 *   ∂x = σ(x − u) = 1 − q,   ∂a = q,   ∂b = −q
 *   ∂²: xx = w, xa = −w, xb = w, aa = w, ab = −w, bb = w
 *
 * (derivation: ∂/∂u log(eˣ + eᵘ) = eᵘ/(eˣ + eᵘ) = σ(u − x), then σ′ = σ·σ(−·) and the chain
 * rule through u = a − b). Chained over k ≠ j from x = 0, it gives
 * log Σₖ e^{zₖ − zⱼ} = logsumexp(z) − zⱼ without forming 1 − p anywhere, which is how softmax
 * cross-entropy becomes fused nodes despite the core's limit of 3 arguments per primitive.
 * At x = u = ±∞ the value is ±∞ (not ∞ − ∞ = NaN).
 */
import { add, applyPrimitive, exp, log, mul, neg, sigmoid, sub, type Scalar, type TernaryRule } from '@dualtape/core';
import { defineFused } from './fused.js';

/** u − x = (a − b) − x, the argument of q. */
const gap = (x: Scalar, a: Scalar, b: Scalar): Scalar => sub(sub(a, b), x);
const q = (x: Scalar, a: Scalar, b: Scalar): Scalar => sigmoid(gap(x, a, b));
const w = (x: Scalar, a: Scalar, b: Scalar): Scalar => mul(sigmoid(gap(x, a, b)), sigmoid(neg(gap(x, a, b))));

const LOGADDEXP_DIFF = defineFused(
  'logaddexpDiff',
  {
  arity: 3,
  doc: 'log(eˣ + e^{a−b}), stable',
  value: (x, a, b) => {
    const u = a - b;
    const m = Math.max(x, u);
    if (m === Infinity || m === -Infinity) return m;
    return m + Math.log1p(Math.exp(-Math.abs(x - u)));
  },
  d: [(_o, x, a, b) => sigmoid(neg(gap(x, a, b))), (_o, x, a, b) => q(x, a, b), (_o, x, a, b) => neg(q(x, a, b))],
  dd: [
    (_o, x, a, b) => w(x, a, b),
    (_o, x, a, b) => neg(w(x, a, b)),
    (_o, x, a, b) => w(x, a, b),
    (_o, x, a, b) => w(x, a, b),
    (_o, x, a, b) => neg(w(x, a, b)),
    (_o, x, a, b) => w(x, a, b),
  ],
} satisfies TernaryRule,
  // the naive formula: overflows for large arguments, fine for the moderate points of the tests
  (x, a, b) => log(add(exp(x!), exp(sub(a!, b!)))),
);

/** log(eˣ + e^{a − b}) on numbers, duals or tracers, as one fused node (see the file comment). */
export const logaddexpDiff = (x: Scalar, a: Scalar, b: Scalar): Scalar => applyPrimitive(LOGADDEXP_DIFF, [x, a, b]);
