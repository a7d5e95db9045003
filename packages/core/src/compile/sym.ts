/**
 * A symbolic scalar: a named JavaScript value in code being generated (compile/codegen.ts).
 * The generic operations (math.ts) route a Sym to its emitter, which writes one statement
 * and returns the Sym of its result. This is how the tape compiler reads the rule table's
 * partial formulas as code without a second copy of them.
 */
import type { Primitive } from '../rules.js';

/** Receives the operations applied to symbolic scalars. */
export interface SymEmitter {
  apply(p: Primitive, args: readonly (Sym | number)[]): Sym;
}

export class Sym {
  constructor(
    /** The JavaScript expression (an identifier) holding the value. */
    readonly name: string,
    readonly emitter: SymEmitter,
  ) {}
  /**
   * A formula that uses a JavaScript operator (`3 * a`, `a > 0`) on its arguments cannot be read
   * symbolically: stop, and let the compiler call the formula at run time instead.
   */
  [Symbol.toPrimitive](): never {
    throw new StaticEvaluation('a rule uses a JavaScript operator on its arguments');
  }
}

/** Thrown when a rule's formula cannot be read as code (it branches on a value or uses JS operators). */
export class StaticEvaluation extends Error {}

/** The emitter of the first symbolic argument, or undefined when there is none. */
export function symEmitter(a: unknown, b: unknown = 0, c: unknown = 0): SymEmitter | undefined {
  if (a instanceof Sym) return a.emitter;
  if (b instanceof Sym) return b.emitter;
  if (c instanceof Sym) return c.emitter;
  return undefined;
}
