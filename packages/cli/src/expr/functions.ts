/**
 * The functions and constants of the expression grammar, mapped to core's generic operations,
 * so that an expression evaluates on numbers, dual numbers and tape tracers alike.
 */
import {
  abs,
  add,
  atan2,
  cos,
  cosh,
  div,
  exp,
  expm1,
  log,
  log1p,
  max,
  min,
  mul,
  neg,
  pow,
  powi,
  sigmoid,
  sin,
  sinh,
  softplus,
  sqrt,
  square,
  sub,
  tan,
  tanh,
  type Scalar,
} from '@dualtape/core';

/**
 * aᵇ as written with `^` or `pow(a, b)`. When the exponent is a plain integer (a literal such
 * as `x^2`, or a constant from `--at`), this is core's `powi`, whose derivative is defined for
 * negative a (`(-2)^3` has derivative 12); otherwise the real power `pow`, whose partials
 * involve ln a and are NaN for a < 0. Both give the same value.
 */
export function power(a: Scalar, b: Scalar): Scalar {
  if (typeof b === 'number' && Number.isInteger(b)) return powi(a, b);
  return pow(a, b);
}

interface Fn1 {
  readonly arity: 1;
  readonly apply: (a: Scalar) => Scalar;
}
interface Fn2 {
  readonly arity: 2;
  readonly apply: (a: Scalar, b: Scalar) => Scalar;
}
export type Fn = Fn1 | Fn2;

/** Functions callable as `name(args)` in an expression. */
export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  exp: { arity: 1, apply: exp },
  log: { arity: 1, apply: log },
  log1p: { arity: 1, apply: log1p },
  expm1: { arity: 1, apply: expm1 },
  sqrt: { arity: 1, apply: sqrt },
  abs: { arity: 1, apply: abs },
  sin: { arity: 1, apply: sin },
  cos: { arity: 1, apply: cos },
  tan: { arity: 1, apply: tan },
  tanh: { arity: 1, apply: tanh },
  sinh: { arity: 1, apply: sinh },
  cosh: { arity: 1, apply: cosh },
  sigmoid: { arity: 1, apply: sigmoid },
  softplus: { arity: 1, apply: softplus },
  square: { arity: 1, apply: square },
  pow: { arity: 2, apply: power },
  atan2: { arity: 2, apply: atan2 },
  min: { arity: 2, apply: min },
  max: { arity: 2, apply: max },
};

/** Infix operators: `+ - * /` and `^` (right-associative, binds tighter than unary minus). */
export const OPERATORS: Readonly<Record<string, (a: Scalar, b: Scalar) => Scalar>> = {
  '+': add,
  '-': sub,
  '*': mul,
  '/': div,
  '^': power,
};

/** Unary minus. */
export const NEGATE = neg;

/** Named constants. */
export const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };

export const isFunctionName = (name: string): boolean => Object.hasOwn(FUNCTIONS, name);
export const isConstantName = (name: string): boolean => Object.hasOwn(CONSTANTS, name);
