/**
 * Routes a primitive to the mode its arguments are in:
 *   all plain numbers  → the rule's value function;
 *   any forward-mode Dual → dual arithmetic (dual.ts), which recurses on the primals;
 *   otherwise (a Tracer) → record a node on the tape (tape.ts);
 *   a symbolic scalar (compile/sym.ts) → a statement of generated code (checked last: cold path).
 * Duals are checked before tracers so that a dual whose primal is a tracer (forward mode
 * inside reverse mode) recurses into the tape naturally.
 */
import { dualApply, Dual } from './dual.js';
import { ShapeError } from './errors.js';
import { PRIMITIVE_OF_CODE, type BinaryRule, type Primitive, type TernaryRule, type UnaryRule } from './rules.js';
import type { Scalar } from './scalar.js';
import { Tracer, record1, record2, record3 } from './tape.js';
import { symEmitter, type Sym } from './compile/sym.js';

/** A tracer or a number: the arguments that can go straight onto a tape. */
const onTape = (x: Scalar): boolean => typeof x === 'number' || x instanceof Tracer;

export function apply1(p: Primitive<UnaryRule>, a: Scalar): Scalar {
  if (typeof a === 'number') return p.rule.value(a);
  if (a instanceof Tracer) return record1(p, a);
  if (a instanceof Dual) return dualApply(p, [a]);
  return (symEmitter(a)?.apply(p, [a as Sym]) as Scalar | undefined) ?? record1(p, a); // record1 rejects non-scalars
}

export function apply2(p: Primitive<BinaryRule>, a: Scalar, b: Scalar): Scalar {
  if (typeof a === 'number' && typeof b === 'number') return p.rule.value(a, b);
  // Tracers are tested first (the hot path while recording); `instanceof Tracer` succeeds in
  // one prototype step, whereas a failed `instanceof Dual` walks the whole chain.
  if (onTape(a) && onTape(b)) return record2(p, a, b);
  if (a instanceof Dual || b instanceof Dual) return dualApply(p, [a, b]);
  return (symEmitter(a, b)?.apply(p, [a, b] as (Sym | number)[]) as Scalar | undefined) ?? record2(p, a, b); // rejects non-scalars with a typed error
}

export function apply3(p: Primitive<TernaryRule>, a: Scalar, b: Scalar, c: Scalar): Scalar {
  if (typeof a === 'number' && typeof b === 'number' && typeof c === 'number') return p.rule.value(a, b, c);
  if (onTape(a) && onTape(b) && onTape(c)) return record3(p, a, b, c);
  if (a instanceof Dual || b instanceof Dual || c instanceof Dual) return dualApply(p, [a, b, c]);
  return (symEmitter(a, b, c)?.apply(p, [a, b, c] as (Sym | number)[]) as Scalar | undefined) ?? record3(p, a, b, c); // rejects non-scalars with a typed error
}

/**
 * Apply any primitive (built-in or from definePrimitive) to a list of arguments.
 * @throws {ShapeError} if the number of arguments is not the primitive's arity.
 */
export function applyPrimitive(p: Primitive, args: readonly Scalar[]): Scalar {
  if (args.length !== p.rule.arity) throw new ShapeError('args', `length ${args.length}`, `length ${p.rule.arity}, the arity of ${p.name}`, p.name);
  switch (p.rule.arity) {
    case 1:
      return apply1(p as Primitive<UnaryRule>, args[0]!);
    case 2:
      return apply2(p as Primitive<BinaryRule>, args[0]!, args[1]!);
    default:
      return apply3(p as Primitive<TernaryRule>, args[0]!, args[1]!, args[2]!);
  }
}

/** Apply the primitive of a tape opcode (used when re-evaluating a tape). */
export function applyCode(code: number, args: readonly Scalar[]): Scalar {
  return applyPrimitive(PRIMITIVE_OF_CODE[code]!, args);
}
