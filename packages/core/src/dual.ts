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
import { TracerError } from './errors.js';
import { add, mul, primal } from './math.js';
import type { PartialFn, Primitive } from './rules.js';
import type { Scalar } from './scalar.js';

let lastTag = 0;
/** Tags of the differentiations still running; a dual of any other tag has escaped its call. */
const liveTags = new Set<number>();

/**
 * A fresh perturbation tag, larger than every tag handed out before. It is live until
 * {@link retireTag}; operating on a dual whose tag is retired throws a {@link TracerError}.
 */
export function newTag(): number {
  liveTags.add(++lastTag);
  return lastTag;
}

/** End a differentiation: its duals may no longer be used (they have escaped their call). */
export function retireTag(tag: number): void {
  liveTags.delete(tag);
}

/** Run `body` with a fresh live tag, retiring it afterwards even if `body` throws. */
export function withTag<R>(body: (tag: number) => R): R {
  const tag = newTag();
  try {
    return body(tag);
  } finally {
    retireTag(tag);
  }
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
  if (!liveTags.has(tag)) {
    throw new TracerError(
      `${p.name}: a forward-mode dual was used after the jvp/derivative call that created it returned ` +
        `(it escaped, e.g. stored in an outer variable). Return what you need from the inner function instead.`,
    );
  }
  const primals = args.map((a) => (a instanceof Dual && a.tag === tag ? a.primal : a));
  const y = applyPrimitive(p, primals);
  if ('nondiff' in rule) return y; // piecewise constant: no tangent on purpose
  const [a0 = 0, a1 = 0, a2 = 0] = primals;
  const tangents: Scalar[] = new Array<Scalar>(width).fill(0);
  for (let j = 0; j < args.length; j++) {
    const arg = args[j];
    if (!(arg instanceof Dual && arg.tag === tag)) continue; // constant for this perturbation
    const p = (rule.d[j] as PartialFn)(y, a0, a1, a2);
    // A product with an exact, unperturbed zero factor (the number 0, not a dual whose primal
    // is 0) is exactly zero and is skipped, as in every sweep (sweeps.ts, "Zero skipping"):
    // so a NaN or ∞ partial never meets an unseeded direction's 0, and the branch not taken
    // by select contributes nothing.
    if (p === 0) continue;
    for (let k = 0; k < width; k++) {
      const t = arg.tangents[k]!;
      if (t === 0) continue;
      const term = mul(p, t);
      tangents[k] = tangents[k] === 0 ? term : add(tangents[k]!, term);
    }
  }
  return new Dual(tag, y, tangents);
}
