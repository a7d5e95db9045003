/**
 * Routes a primitive to the mode its arguments are in:
 *   all plain numbers  → the rule's value function;
 *   any forward-mode Dual → dual arithmetic (dual.ts), which recurses on the primals;
 *   otherwise (a Tracer) → record a node on the tape (tape.ts).
 * Duals are checked before tracers so that a dual whose primal is a tracer (forward mode
 * inside reverse mode) recurses into the tape naturally.
 */
import { dualApply } from './dual.js';
import { RULES, type BinaryOp, type TernaryOp, type UnaryOp } from './rules.js';
import type { Scalar } from './scalar.js';
import { Dual } from './dual.js';
import { record1, record2, record3 } from './tape.js';

export function apply1(op: UnaryOp, a: Scalar): Scalar {
  if (typeof a === 'number') return RULES[op].value(a);
  if (a instanceof Dual) return dualApply(op, [a]);
  return record1(op, a);
}

export function apply2(op: BinaryOp, a: Scalar, b: Scalar): Scalar {
  if (typeof a === 'number' && typeof b === 'number') return RULES[op].value(a, b);
  if (a instanceof Dual || b instanceof Dual) return dualApply(op, [a, b]);
  return record2(op, a, b);
}

export function apply3(op: TernaryOp, a: Scalar, b: Scalar, c: Scalar): Scalar {
  if (typeof a === 'number' && typeof b === 'number' && typeof c === 'number') return RULES[op].value(a, b, c);
  if (a instanceof Dual || b instanceof Dual || c instanceof Dual) return dualApply(op, [a, b, c]);
  return record3(op, a, b, c);
}

/** Apply a primitive by name to a list of arguments of the right length. */
export function applyOp(op: UnaryOp | BinaryOp | TernaryOp, args: readonly Scalar[]): Scalar {
  switch (RULES[op].arity) {
    case 1:
      return apply1(op as UnaryOp, args[0]!);
    case 2:
      return apply2(op as BinaryOp, args[0]!, args[1]!);
    default:
      return apply3(op as TernaryOp, args[0]!, args[1]!, args[2]!);
  }
}
