/**
 * Forward mode: dual numbers with chunked tangents and perturbation tags.
 *
 * A {@link Dual} `(p, [t₁ … t_K])` stands for p + Σₖ tₖ εₖ with εₖ² = εⱼεₖ = 0: evaluating f on
 * it gives f(p) + Σₖ f′(p) tₖ εₖ, so the tangents of the result are the directional
 * derivatives of f along the K seeded directions (a "chunk", as in ForwardDiff.jl).
 *
 * **Perturbation confusion.** Nested differentiation (d/dx of something that itself calls
 * `derivative`) must keep the inner and outer ε apart (Siskind & Pearlmutter, "Perturbation
 * confusion and referential transparency", 2005). Each differentiation call takes a fresh
 * *tag*; tags only grow, so an inner call's tag is larger than its caller's. A dual's primal
 * and tangents only ever hold duals of strictly smaller tags, and an operation splits off the
 * largest tag among its arguments, treating every other argument as a constant for it.
 */
import { applyPrimitive } from './dispatch.js';
import { ScalarMethods } from './methods.js';
import { add, mul, primal } from './math.js';
import type { PartialFn, Primitive } from './rules.js';
import type { Scalar } from './scalar.js';

let lastTag = 0;

/** A fresh perturbation tag, larger than every tag handed out before. */
export function newTag(): number {
  return ++lastTag;
}

export class Dual extends ScalarMethods {
  constructor(
    /** The perturbation this dual carries (see the file comment). */
    readonly tag: number,
    /** The value; may itself be a dual of a smaller tag, or a tracer. */
    readonly primal: Scalar,
    /** One tangent per seeded direction (the chunk). */
    readonly tangents: readonly Scalar[],
  ) {
    super();
  }
  override toString(): string {
    return `Dual(${primal(this)})`;
  }
}

/**
 * Apply primitive `p` to arguments of which at least one is a dual: the chain rule
 * yₖ′ = Σⱼ ∂y/∂argⱼ · argⱼₖ′ with the partials from the rule table.
 */
export function dualApply(p: Primitive, args: readonly Scalar[]): Scalar {
  const rule = p.rule;
  let tag = 0;
  let width = 0;
  for (const a of args) {
    if (a instanceof Dual && a.tag > tag) {
      tag = a.tag;
      width = a.tangents.length;
    }
  }
  const primals = args.map((a) => (a instanceof Dual && a.tag === tag ? a.primal : a));
  const y = applyPrimitive(p, primals);
  if ('nondiff' in rule) return y; // piecewise constant: no tangent on purpose
  const [a0 = 0, a1 = 0, a2 = 0] = primals;
  const tangents: Scalar[] = new Array<Scalar>(width).fill(0);
  let first = true;
  for (let j = 0; j < args.length; j++) {
    const arg = args[j];
    if (!(arg instanceof Dual && arg.tag === tag)) continue; // constant for this perturbation
    const p = (rule.d[j] as PartialFn)(y, a0, a1, a2);
    // An exact, unperturbed zero partial contributes exactly nothing; skipping it keeps NaN/∞
    // tangents of a branch not taken (select) out of the result. Never skipped: a zero that
    // carries a perturbation (a Dual), whose own derivatives need not be zero.
    if (p === 0) continue;
    for (let k = 0; k < width; k++) {
      const term = mul(p, arg.tangents[k]!);
      tangents[k] = first ? term : add(tangents[k]!, term);
    }
    first = false;
  }
  return new Dual(tag, y, tangents);
}
