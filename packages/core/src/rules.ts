/**
 * The primitive rule table: the single source of truth for every primitive's value, first
 * partials and second partials. Forward mode (dual.ts), the reverse sweep (sweeps.ts) and
 * forward-over-reverse (sweeps.ts) all read this table; no derivative formula is written
 * anywhere else.
 *
 * Conventions
 * - A partial is a function `(y, a, b, c) => ∂y/∂arg` of the primitive's output `y` and its
 *   arguments. Partials are written with dualtape's own generic operations (math.ts), so the
 *   same formula evaluates on numbers (the fast tape), on duals (forward mode, any nesting
 *   depth) and can itself be differentiated — which is how the test suite checks that each
 *   second partial is the derivative of the first.
 * - Second partials `dd` are the upper triangle of the local Hessian in row order:
 *   arity 1: [∂²/∂a²]; arity 2: [∂²/∂a², ∂²/∂a∂b, ∂²/∂b²];
 *   arity 3: [aa, ab, ac, bb, bc, cc].
 * - `nondiff: true` marks primitives whose derivative is zero *on purpose* (floor, sign,
 *   comparisons): they are piecewise constant. Forward mode drops their tangents; the tape
 *   still records them so that a replayed tape recomputes branch conditions.
 * - Kinks follow JAX: d|x|/dx at 0 is 0; max/min at a tie give ½ to each argument.
 * - Edge values of `pow` at base 0 are the one-sided limits (see `pow`).
 * - Outside the domain the value is NaN (IEEE 754) and a partial is its formula evaluated there:
 *   `log(-1)` is NaN with derivative 1/x = −1 (as JAX and PyTorch); atan2 at (0, 0) has NaN
 *   partials (0/0).
 *
 * Sources: standard calculus; the stable forms of sigmoid and softplus follow
 * Mächler, "Accurately computing log(1 − exp(−|a|))", CRAN Rmpfr vignette (2012), §3.
 */
import { DualtapeError } from './errors.js';
import type { Scalar } from './scalar.js';
import {
  add,
  cosh,
  div,
  exp,
  log,
  mul,
  neg,
  pow,
  powi,
  primalOf,
  sigmoid,
  sign,
  sin,
  sinh,
  square,
  sub,
  cos,
} from './math.js';

/** A partial derivative of a primitive: given its output `y` and arguments `a, b, c`. */
export type PartialFn = (y: Scalar, a: Scalar, b: Scalar, c: Scalar) => Scalar;

interface RuleBase {
  /** One line for documentation and `--trace` output. */
  readonly doc: string;
  /** Zero derivative on purpose (piecewise-constant primitive). */
  readonly nondiff?: true;
}
export interface UnaryRule extends RuleBase {
  readonly arity: 1;
  readonly value: (a: number) => number;
  readonly d: readonly [PartialFn];
  readonly dd: readonly [PartialFn];
}
export interface BinaryRule extends RuleBase {
  readonly arity: 2;
  readonly value: (a: number, b: number) => number;
  readonly d: readonly [PartialFn, PartialFn];
  readonly dd: readonly [PartialFn, PartialFn, PartialFn];
}
export interface TernaryRule extends RuleBase {
  readonly arity: 3;
  readonly value: (a: number, b: number, c: number) => number;
  readonly d: readonly [PartialFn, PartialFn, PartialFn];
  readonly dd: readonly [PartialFn, PartialFn, PartialFn, PartialFn, PartialFn, PartialFn];
}
export type Rule = UnaryRule | BinaryRule | TernaryRule;

export const UNARY_OPS = [
  'neg', 'square', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'abs', 'sin', 'cos', 'tan',
  'tanh', 'sinh', 'cosh', 'sigmoid', 'softplus', 'floor', 'sign',
] as const;
export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'powi', 'atan2', 'min', 'max',
  'lt', 'le', 'gt', 'ge', 'eq',
] as const;
export const TERNARY_OPS = ['select'] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
export type TernaryOp = (typeof TERNARY_OPS)[number];
export type OpName = UnaryOp | BinaryOp | TernaryOp;

/** A partial that has the same value everywhere, marked so that the tape reads the number instead of calling it. */
export type ConstantPartial = PartialFn & { readonly constant: number };
/** The partial `() => c`, marked as constant (see {@link Primitive.constantD}). */
export function constant(c: number): ConstantPartial {
  return Object.assign((() => c) as PartialFn, { constant: c });
}
const zero = constant(0);
const one = constant(1);

/** Numerically stable logistic function: never evaluates exp of a large positive number. */
function sigmoidValue(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** Share of the derivative that max(a, b) passes to `a`: 1, 0, or ½ at a tie (JAX's convention). */
function maxShare(a: Scalar, b: Scalar): number {
  const pa = primalOf(a);
  const pb = primalOf(b);
  return pa > pb ? 1 : pa < pb ? 0 : pa === pb ? 0.5 : NaN; // NaN when either is NaN
}

/** A comparison primitive: value 1 or 0, derivative zero on purpose. */
function comparison(doc: string, test: (a: number, b: number) => boolean): BinaryRule {
  return {
    arity: 2,
    doc,
    nondiff: true,
    value: (a, b) => (test(a, b) ? 1 : 0),
    d: [zero, zero],
    dd: [zero, zero, zero],
  };
}

/** 1/cosh(a)² = sech²(a): the derivative of tanh without the cancellation in 1 − tanh². */
const sech2 = (a: Scalar): Scalar => div(1, square(cosh(a)));

export const RULES = {
  // ---------------------------------------------------------------- unary
  neg: { arity: 1, doc: '−a', value: (a) => -a, d: [constant(-1)], dd: [zero] },
  square: { arity: 1, doc: 'a²', value: (a) => a * a, d: [(_y, a) => mul(2, a)], dd: [constant(2)] },
  exp: { arity: 1, doc: 'eᵃ', value: Math.exp, d: [(y) => y], dd: [(y) => y] },
  // d/da expm1(a) = eᵃ, computed from a (not as y + 1, which is 0 in floating point at a = −40).
  expm1: { arity: 1, doc: 'eᵃ − 1', value: Math.expm1, d: [(_y, a) => exp(a)], dd: [(_y, a) => exp(a)] },
  log: {
    arity: 1,
    doc: 'ln a (NaN for a < 0, −∞ at 0)',
    value: Math.log,
    d: [(_y, a) => div(1, a)],
    dd: [(_y, a) => neg(div(1, square(a)))],
  },
  log1p: {
    arity: 1,
    doc: 'ln(1 + a)',
    value: Math.log1p,
    d: [(_y, a) => div(1, add(1, a))],
    dd: [(_y, a) => neg(div(1, square(add(1, a))))],
  },
  // At a = 0 the partials are the one-sided limits +∞ and −∞ (IEEE: 0.5/0, −0.25/0).
  sqrt: {
    arity: 1,
    doc: '√a',
    value: Math.sqrt,
    d: [(y) => div(0.5, add(y, 0))], // + 0 turns √(−0) = −0 into +0, so the derivative at ±0 is +∞
    dd: [(y, a) => div(-0.25, mul(y, a))],
  },
  // d|a|/da = sign(a), which is 0 at a = 0 (the JAX convention; any value in [−1, 1] is a subgradient).
  abs: { arity: 1, doc: '|a|', value: Math.abs, d: [(_y, a) => sign(a)], dd: [zero] },
  sin: { arity: 1, doc: 'sin a', value: Math.sin, d: [(_y, a) => cos(a)], dd: [(y) => neg(y)] },
  cos: { arity: 1, doc: 'cos a', value: Math.cos, d: [(_y, a) => neg(sin(a))], dd: [(y) => neg(y)] },
  // tan′ = 1 + tan², tan″ = 2 tan (1 + tan²).
  tan: {
    arity: 1,
    doc: 'tan a',
    value: Math.tan,
    d: [(y) => add(1, square(y))],
    dd: [(y) => mul(mul(2, y), add(1, square(y)))],
  },
  // tanh′ = sech², tanh″ = −2 tanh sech². sech² is not 1 − tanh², which is 0 for a ≥ 19.
  tanh: {
    arity: 1,
    doc: 'tanh a',
    value: Math.tanh,
    d: [(_y, a) => sech2(a)],
    dd: [(y, a) => mul(mul(-2, y), sech2(a))],
  },
  sinh: { arity: 1, doc: 'sinh a', value: Math.sinh, d: [(_y, a) => cosh(a)], dd: [(y) => y] },
  cosh: { arity: 1, doc: 'cosh a', value: Math.cosh, d: [(_y, a) => sinh(a)], dd: [(y) => y] },
  // σ′(a) = σ(a)·σ(−a) and σ″(a) = σ(a)·σ(−a)·(σ(−a) − σ(a)). Using σ(−a) in place of 1 − σ(a)
  // keeps full relative precision in the saturated tails (σ′(40) ≈ 4.25e−18, not 0).
  sigmoid: {
    arity: 1,
    doc: 'σ(a) = 1/(1 + e⁻ᵃ)',
    value: sigmoidValue,
    d: [(y, a) => mul(y, sigmoid(neg(a)))],
    dd: [(y, a) => mul(mul(y, sigmoid(neg(a))), sub(sigmoid(neg(a)), y))],
  },
  // softplus(a) = log(1 + eᵃ) = max(a, 0) + log1p(e^−|a|): finite at ±800; softplus′ = σ, softplus″ = σ′.
  softplus: {
    arity: 1,
    doc: 'log(1 + eᵃ)',
    value: (a) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a))),
    d: [(_y, a) => sigmoid(a)],
    dd: [(_y, a) => mul(sigmoid(a), sigmoid(neg(a)))],
  },
  floor: { arity: 1, doc: '⌊a⌋ (derivative 0 on purpose)', nondiff: true, value: Math.floor, d: [zero], dd: [zero] },
  sign: { arity: 1, doc: 'sign a (derivative 0 on purpose)', nondiff: true, value: Math.sign, d: [zero], dd: [zero] },

  // ---------------------------------------------------------------- binary
  add: { arity: 2, doc: 'a + b', value: (a, b) => a + b, d: [one, one], dd: [zero, zero, zero] },
  sub: { arity: 2, doc: 'a − b', value: (a, b) => a - b, d: [one, constant(-1)], dd: [zero, zero, zero] },
  mul: {
    arity: 2,
    doc: 'a·b',
    value: (a, b) => a * b,
    d: [(_y, _a, b) => b, (_y, a) => a],
    dd: [zero, one, zero],
  },
  // ∂(a/b)/∂b = −a/b² = −y/b; ∂²/∂a∂b = −1/b²; ∂²/∂b² = 2a/b³ = 2y/b².
  div: {
    arity: 2,
    doc: 'a / b',
    value: (a, b) => a / b,
    d: [(_y, _a, b) => div(1, b), (y, _a, b) => neg(div(y, b))],
    dd: [zero, (_y, _a, b) => neg(div(1, square(b))), (y, _a, b) => div(mul(2, y), square(b))],
  },
  // Real power aᵇ, both arguments differentiable.
  //   ∂/∂a = b·a^(b−1)       at a = 0 this is the one-sided limit: 0 for b > 1, 1 for b = 1,
  //                          +∞ for 0 < b < 1; for b = 0 (aᵇ ≡ 1) it is 0, not 0·∞.
  //   ∂/∂b = aᵇ·ln a         at a = 0 it is 0 by convention (JAX's), not 0·(−∞).
  //   ∂²/∂a² = b(b−1)a^(b−2) at a = 0 with b ∈ {0, 1} it is 0 (the power is affine there).
  //   ∂²/∂a∂b = a^(b−1)(1 + b ln a); at a = 0 it is 0^(b−1), the b-derivative of ∂/∂a under that
  //                          convention (1 at b = 1). aᵇ is not twice differentiable at a = 0
  //                          (the mixed partial → −∞ as a → 0⁺ for b ≤ 1), so there is no true
  //                          value, and modes that differentiate the guarded first partials in
  //                          another order (nested forward mode) may give another one there.
  //   ∂²/∂b² = aᵇ (ln a)², 0 at a = 0.
  // Negative a with non-integer b: NaN value and partials, as IEEE pow.
  pow: {
    arity: 2,
    doc: 'aᵇ (real exponent)',
    value: Math.pow,
    d: [
      (_y, a, b) => (primalOf(a) === 0 && primalOf(b) === 0 ? 0 : mul(b, pow(a, sub(b, 1)))),
      (y, a) => (primalOf(a) === 0 ? 0 : mul(y, log(a))),
    ],
    dd: [
      (_y, a, b) =>
        primalOf(a) === 0 && (primalOf(b) === 0 || primalOf(b) === 1)
          ? 0
          : mul(mul(b, sub(b, 1)), pow(a, sub(b, 2))),
      // at a = 0: ∂/∂b of ∂/∂a = ∂/∂b [b·a^(b−1)] with the convention ∂aᶜ/∂c = 0 there, i.e. 0^(b−1)
      (_y, a, b) => (primalOf(a) === 0 ? pow(a, sub(b, 1)) : mul(pow(a, sub(b, 1)), add(1, mul(b, log(a))))),
      (y, a) => (primalOf(a) === 0 ? 0 : mul(y, square(log(a)))),
    ],
  },
  // Integer power aⁿ: n is a fixed integer (a constant, never differentiated: ∂/∂n = 0 on purpose).
  // The guards on n are on a constant, not on a variable's value: n·a^(n−1) with n = 0 is 0 for every a.
  powi: {
    arity: 2,
    doc: 'aⁿ (integer n, a constant)',
    value: Math.pow,
    d: [(_y, a, n) => (primalOf(n) === 0 ? 0 : mul(n, powi(a, primalOf(n) - 1))), zero],
    dd: [
      (_y, a, n) => {
        const k = primalOf(n);
        return k * (k - 1) === 0 ? 0 : mul(k * (k - 1), powi(a, k - 2));
      },
      zero,
      zero,
    ],
  },
  // atan2(a, b) is the angle of the point (x = b, y = a). With r² = a² + b²:
  //   ∂/∂a = b/r², ∂/∂b = −a/r², ∂²/∂a² = −2ab/r⁴, ∂²/∂a∂b = (a² − b²)/r⁴, ∂²/∂b² = 2ab/r⁴.
  // At (0, 0) all partials are 0/0 = NaN, on purpose: the angle has no derivative there.
  atan2: {
    arity: 2,
    doc: 'atan2(a, b), angle of (b, a)',
    value: Math.atan2,
    d: [
      (_y, a, b) => div(b, add(square(a), square(b))),
      (_y, a, b) => neg(div(a, add(square(a), square(b)))),
    ],
    dd: [
      (_y, a, b) => div(mul(-2, mul(a, b)), square(add(square(a), square(b)))),
      (_y, a, b) => div(sub(square(a), square(b)), square(add(square(a), square(b)))),
      (_y, a, b) => div(mul(2, mul(a, b)), square(add(square(a), square(b)))),
    ],
  },
  max: {
    arity: 2,
    doc: 'max(a, b) (½ to each at a tie)',
    value: Math.max,
    d: [(_y, a, b) => maxShare(a, b), (_y, a, b) => maxShare(b, a)],
    dd: [zero, zero, zero],
  },
  min: {
    arity: 2,
    doc: 'min(a, b) (½ to each at a tie)',
    value: Math.min,
    d: [(_y, a, b) => maxShare(b, a), (_y, a, b) => maxShare(a, b)],
    dd: [zero, zero, zero],
  },
  lt: comparison('a < b (1 or 0; derivative 0 on purpose)', (a, b) => a < b),
  le: comparison('a ≤ b (1 or 0; derivative 0 on purpose)', (a, b) => a <= b),
  gt: comparison('a > b (1 or 0; derivative 0 on purpose)', (a, b) => a > b),
  ge: comparison('a ≥ b (1 or 0; derivative 0 on purpose)', (a, b) => a >= b),
  eq: comparison('a = b (1 or 0; derivative 0 on purpose)', (a, b) => a === b),

  // ---------------------------------------------------------------- ternary
  // select(c, a, b) = c ? a : b, where c counts as true when it is non-zero and not NaN.
  // The derivative is that of the branch taken; the branch not taken gets a zero adjoint, and
  // the reverse sweep never multiplies a zero adjoint into a partial, so a NaN or ∞ inside the
  // branch not taken does not leak into the result (unlike `jnp.where`).
  select: {
    arity: 3,
    doc: 'c ? a : b',
    value: (c, a, b) => (c ? a : b),
    d: [zero, (_y, c) => (primalOf(c) ? 1 : 0), (_y, c) => (primalOf(c) ? 0 : 1)],
    dd: [zero, zero, zero, zero, zero, zero],
  },
} satisfies { [K in UnaryOp]: UnaryRule } & { [K in BinaryOp]: BinaryRule } & { [K in TernaryOp]: TernaryRule };

// ------------------------------------------------------------------ primitives and opcodes
/**
 * A primitive as the engine sees it: its rule and its opcode on the tape. The built-in
 * primitives are {@link PRIM}; packages add fused primitives with {@link definePrimitive}.
 */
export interface Primitive<R extends Rule = Rule> {
  readonly name: string;
  readonly code: number;
  readonly rule: R;
  /**
   * For each first partial, its value if it is a {@link constant} (add's 1 and 1, sub's 1 and
   * −1), else undefined. The recorder reads these instead of calling the rule: linear
   * primitives then cost no rule call at all. Derived from `rule`, never written by hand.
   */
  readonly constantD: readonly (number | undefined)[];
  /** The same for the packed second partials (mul's 0, 1, 0; add's zeros). */
  readonly constantDD: readonly (number | undefined)[];
}

const constantOf = (p: PartialFn): number | undefined => (p as Partial<ConstantPartial>).constant;
/** The primitive handle of a rule: its opcode and its constant partials. */
function primitive<R extends Rule>(name: string, code: number, rule: R): Primitive<R> {
  return { name, code, rule, constantD: rule.d.map(constantOf), constantDD: rule.dd.map(constantOf) };
}

/** Opcode of a tape node that is an input of the differentiated function. */
export const OP_INPUT = 0;
/** Opcode of a tape node that is a constant (a plain number met during recording). */
export const OP_CONST = 1;
/** Opcodes are stored in a Uint8Array: at most 256, two of which are input and constant. */
const MAX_CODES = 256;

/** The built-in primitives, in opcode order: `OP_NAMES[k]` has opcode `k + 2`. */
export const OP_NAMES: readonly OpName[] = [...UNARY_OPS, ...BINARY_OPS, ...TERNARY_OPS];
/** The built-in primitives by name. */
export const PRIM = Object.fromEntries(
  OP_NAMES.map((name, k) => [name, primitive(name, k + 2, RULES[name])]),
) as { readonly [K in OpName]: Primitive<(typeof RULES)[K]> };

/** Primitive of each opcode (undefined for input and constant nodes); grows with definePrimitive. */
export const PRIMITIVE_OF_CODE: (Primitive | undefined)[] = [undefined, undefined, ...OP_NAMES.map((n) => PRIM[n] as Primitive)];
/** Number of arguments of each opcode: 0 for inputs and constants. */
export const ARITY = new Uint8Array(MAX_CODES);
PRIMITIVE_OF_CODE.forEach((p, code) => (ARITY[code] = p?.rule.arity ?? 0));
/** Name of an opcode, for traces. */
export const codeName = (code: number): string => (code === OP_INPUT ? 'input' : code === OP_CONST ? 'const' : (PRIMITIVE_OF_CODE[code]?.name ?? `#${code}`));

/**
 * Register a new primitive — typically a *fused* node such as one sample's loss, whose
 * closed-form partials replace a dozen recorded operations. Its rule follows the conventions of
 * this file (partials written with the generic operations, second partials packed), so every
 * mode — forward at any nesting depth, reverse, forward-over-reverse — supports it with no
 * other change. Returns the handle to pass to `applyPrimitive`.
 * @throws {DualtapeError} if the name is taken or all 254 opcodes are in use.
 */
export function definePrimitive<R extends Rule>(name: string, rule: R): Primitive<R> {
  if (PRIMITIVE_OF_CODE.some((p) => p?.name === name)) throw new DualtapeError(`definePrimitive: a primitive named ${JSON.stringify(name)} exists already`);
  const code = PRIMITIVE_OF_CODE.length;
  if (code >= MAX_CODES) throw new DualtapeError(`definePrimitive: all ${MAX_CODES - 2} opcodes are in use`);
  if (![1, 2, 3].includes(rule.arity)) throw new DualtapeError(`definePrimitive: ${name} has arity ${String(rule.arity)}; primitives take 1, 2 or 3 arguments`);
  if (rule.d.length !== rule.arity || rule.dd.length !== (rule.arity * (rule.arity + 1)) / 2) {
    throw new DualtapeError(`definePrimitive: ${name} has arity ${rule.arity} but ${rule.d.length} first and ${rule.dd.length} second partials`);
  }
  const p = primitive(name, code, rule);
  PRIMITIVE_OF_CODE.push(p);
  ARITY[code] = rule.arity;
  return p;
}
