/**
 * The generic scalar operations. Each works on plain numbers, forward-mode duals and
 * reverse-mode tracers alike (see {@link Scalar}); write a loss once with these and every
 * differentiation mode can run it.
 *
 * JavaScript operators (`+`, `*`) cannot be overloaded, so `x * y` on traced scalars throws a
 * {@link TracerError} instead of silently dropping the derivative: write `mul(x, y)` or
 * `x.mul(y)`.
 *
 * The value and derivative formulas of each primitive live in rules.ts; this file only names
 * the operations.
 */
import { apply1, apply2, apply3 } from './dispatch.js';
import { PRIM } from './rules.js';
import { Dual } from './dual.js';
import { InputTypeError, ShapeError } from './errors.js';
import type { Scalar } from './scalar.js';
import { Tracer } from './tape.js';
import { StaticEvaluation } from './compile/sym.js';

/** a + b */
export const add = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.add, a, b);
/** a − b */
export const sub = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.sub, a, b);
/** a · b */
export const mul = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.mul, a, b);
/** a / b (IEEE: ±∞ or NaN when b = 0) */
export const div = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.div, a, b);
/** aᵇ with a real, differentiable exponent. Partials at a = 0 are one-sided limits (rules.ts). */
export const pow = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.pow, a, b);
/** atan2(a, b): the angle of the point (b, a), in (−π, π]. Partials are NaN at (0, 0). */
export const atan2 = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.atan2, a, b);
/** min(a, b); at a tie each argument gets half the derivative. */
export const min = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.min, a, b);
/** max(a, b); at a tie each argument gets half the derivative. */
export const max = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.max, a, b);
/** 1 if a < b else 0; derivative 0 on purpose. */
export const lt = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.lt, a, b);
/** 1 if a ≤ b else 0; derivative 0 on purpose. */
export const le = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.le, a, b);
/** 1 if a > b else 0; derivative 0 on purpose. */
export const gt = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.gt, a, b);
/** 1 if a ≥ b else 0; derivative 0 on purpose. */
export const ge = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.ge, a, b);
/** 1 if a = b else 0; derivative 0 on purpose. */
export const eq = (a: Scalar, b: Scalar): Scalar => apply2(PRIM.eq, a, b);

/**
 * aⁿ for a fixed integer n (not differentiated). Cheaper and better defined than `pow` at
 * negative a: `powi(-2, 3)` is −8 with derivative 12.
 * @throws {InputTypeError} if `n` is not an integer number.
 */
export function powi(a: Scalar, n: number): Scalar {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new InputTypeError('n', describeValue(n), 'an integer (use pow for a real exponent)', 'powi');
  }
  return apply2(PRIM.powi, a, n);
}

/** −a */
export const neg = (a: Scalar): Scalar => apply1(PRIM.neg, a);
/** a² */
export const square = (a: Scalar): Scalar => apply1(PRIM.square, a);
/** eᵃ */
export const exp = (a: Scalar): Scalar => apply1(PRIM.exp, a);
/** eᵃ − 1, accurate for small a */
export const expm1 = (a: Scalar): Scalar => apply1(PRIM.expm1, a);
/** ln a (NaN for a < 0, −∞ at 0, per IEEE) */
export const log = (a: Scalar): Scalar => apply1(PRIM.log, a);
/** ln(1 + a), accurate for small a */
export const log1p = (a: Scalar): Scalar => apply1(PRIM.log1p, a);
/** √a (NaN for a < 0; derivative +∞ at 0) */
export const sqrt = (a: Scalar): Scalar => apply1(PRIM.sqrt, a);
/** |a|; derivative 0 at a = 0 */
export const abs = (a: Scalar): Scalar => apply1(PRIM.abs, a);
/** sin a */
export const sin = (a: Scalar): Scalar => apply1(PRIM.sin, a);
/** cos a */
export const cos = (a: Scalar): Scalar => apply1(PRIM.cos, a);
/** tan a */
export const tan = (a: Scalar): Scalar => apply1(PRIM.tan, a);
/** tanh a */
export const tanh = (a: Scalar): Scalar => apply1(PRIM.tanh, a);
/** sinh a */
export const sinh = (a: Scalar): Scalar => apply1(PRIM.sinh, a);
/** cosh a */
export const cosh = (a: Scalar): Scalar => apply1(PRIM.cosh, a);
/** logistic σ(a) = 1/(1 + e⁻ᵃ), stable at ±800 */
export const sigmoid = (a: Scalar): Scalar => apply1(PRIM.sigmoid, a);
/** softplus(a) = ln(1 + eᵃ), stable at ±800 */
export const softplus = (a: Scalar): Scalar => apply1(PRIM.softplus, a);
/** ⌊a⌋; derivative 0 on purpose */
export const floor = (a: Scalar): Scalar => apply1(PRIM.floor, a);
/** sign a ∈ {−1, 0, 1}; derivative 0 on purpose */
export const sign = (a: Scalar): Scalar => apply1(PRIM.sign, a);

/**
 * `c ? a : b`, where `c` counts as true when it is non-zero and not NaN. The derivative is the
 * derivative of the branch taken; NaN or ∞ in the branch not taken never reaches the result.
 * Prefer this over a JavaScript `if` when the tape may be replayed at other inputs.
 */
export const where = (c: Scalar, a: Scalar, b: Scalar): Scalar => apply3(PRIM.select, c, a, b);

/** Σᵢ xᵢ (0 for an empty list). */
export function sum(xs: readonly Scalar[]): Scalar {
  let s: Scalar = 0;
  for (let i = 0; i < xs.length; i++) s = i === 0 ? xs[i]! : add(s, xs[i]!);
  return s;
}

/** Σᵢ aᵢ·bᵢ. @throws {ShapeError} if the lengths differ. */
export function dot(a: readonly Scalar[], b: readonly Scalar[]): Scalar {
  if (a.length !== b.length) {
    throw new ShapeError('b', `length ${b.length}`, `length ${a.length}, the length of a`, 'dot');
  }
  let s: Scalar = 0;
  for (let i = 0; i < a.length; i++) s = i === 0 ? mul(a[0]!, b[0]!) : add(s, mul(a[i]!, b[i]!));
  return s;
}

/**
 * The plain number inside a scalar: the value of a tracer, the innermost primal of a dual.
 * Reading a tracer's value while it records is counted (Tape.valueReads): a program that
 * branches on it cannot be replayed by {@link compile}.
 */
export function primal(x: Scalar): number {
  while (x instanceof Dual) x = x.primal;
  return x instanceof Tracer ? x.value : x;
}

/**
 * {@link primal} for the rule table: the same number, but not counted as a value read. A rule's
 * own branch (pow at 0, max at a tie) is evaluated again, per node, whenever a tape is replayed.
 * Throws {@link StaticEvaluation} when given a symbolic scalar (compile/symbolic.ts): the
 * formula then depends on a value and is called at run time instead of inlined.
 */
export function primalOf(x: Scalar): number {
  while (x instanceof Dual) x = x.primal;
  if (x instanceof Tracer) return x.v;
  if (typeof x !== 'number') throw STATIC_EVALUATION;
  return x;
}

const STATIC_EVALUATION = new StaticEvaluation('a rule reads a value');

/** True for a scalar whose value is a number, dual or tracer (not a string, array, …). */
export function isScalar(x: unknown): x is Scalar {
  return typeof x === 'number' || x instanceof Dual || x instanceof Tracer;
}

/** Short description of a value's type for error messages. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (x instanceof Float64Array) return `a Float64Array of length ${x.length}`;
  if (x instanceof Dual) return `a forward-mode Dual (primal ${primal(x)})`;
  if (x instanceof Tracer) return `a traced scalar (value ${x.v})`;
  if (typeof x === 'number') return `the number ${x}`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') {
    const proto = Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null;
    if (proto === null) return 'an object with a null prototype';
    const name = proto.constructor?.name;
    return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
  }
  return `a value of type ${typeof x}`;
}
