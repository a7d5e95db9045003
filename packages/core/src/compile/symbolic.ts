/**
 * The rule table as JavaScript source, for the tape compiler.
 *
 * A primitive's value becomes an expression: an operator for + − · / and negation, a call of
 * `Math.f` when the rule's value function *is* `Math.f`, else a call of the rule's own value
 * function (passed to the generated code as `F<code>`).
 *
 * A partial becomes statements by running the rule's formula (rules.ts) on symbolic scalars
 * ({@link Sym}): each generic operation it performs appends one `const` statement. So the
 * generated code performs the formula's floating-point operations in the formula's order —
 * the same numbers the recorder computes — and the formulas stay written once. A formula that
 * branches on a value (pow at 0, max at a tie) cannot be read this way; it is called at run
 * time instead (`D<code>_<j>`), on numbers, exactly as the recorder calls it.
 *
 * Only numbers the rule table itself contains (2 in `mul(2, a)`, …) are written as literals;
 * tape values (inputs, the user's constants) are never part of the source.
 */
import { PRIMITIVE_OF_CODE, type PartialFn, type Primitive } from '../rules.js';
import type { Scalar } from '../scalar.js';
import { StaticEvaluation, Sym, type SymEmitter } from './sym.js';

/** JavaScript operators equal to a built-in rule's value function (checked by the test suite). */
export const OPERATOR: Readonly<Record<string, (a: string, b: string) => string>> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  neg: (a) => `-${a}`,
  square: (a) => `${a} * ${a}`,
};

const MATH_NAME = new Map<unknown, string>(
  Object.getOwnPropertyNames(Math)
    .filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')
    .map((k) => [(Math as unknown as Record<string, unknown>)[k], k]),
);

/** A number as a JavaScript literal that reads back as the same double (−0, ∞ and NaN included). */
export function literal(x: number): string {
  if (typeof x !== 'number') throw new TypeError(`literal: not a number: ${typeof x}`);
  if (Number.isNaN(x)) return 'NaN';
  if (Object.is(x, -0)) return '(-0)';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  return x < 0 ? `(${String(x)})` : String(x);
}

/** Name under which the generated code receives the value function of opcode `code`. */
export const valueFnName = (code: number): string => `F${code}`;
/** Name under which the generated code receives first partial j of opcode `code`. */
export const partialFnName = (code: number, j: number): string => `D${code}_${j}`;
/** Name under which the generated code receives packed second partial t of opcode `code`. */
export const secondFnName = (code: number, t: number): string => `DD${code}_${t}`;

/** The expression for primitive `p` applied to operand expressions `args`. */
export function valueExpression(p: Primitive, args: readonly string[]): string {
  const operator = OPERATOR[p.name];
  if (operator !== undefined && p === PRIMITIVE_OF_CODE[p.code] && p.code < FIRST_USER_CODE) return operator(args[0]!, args[1]!);
  const math = MATH_NAME.get(p.rule.value);
  return `${math !== undefined ? `Math.${math}` : valueFnName(p.code)}(${args.join(', ')})`;
}
/** Opcodes below this are built in (definePrimitive's start here): only they may use {@link OPERATOR}. */
const FIRST_USER_CODE = PRIMITIVE_OF_CODE.length;

/** One partial as code: statements, then the expression of its value. */
export interface PartialCode {
  /** Statements computing intermediate values (`const …;`). */
  readonly lines: readonly string[];
  /** The value: an identifier, a literal, or a call evaluated at run time. */
  readonly value: string;
  /** The value is this number whatever the inputs (a constant partial): terms with 0 are dropped. */
  readonly constant: number | undefined;
  /** Which of y (output) and a, b, c (arguments) the code reads. */
  readonly reads: ReadonlySet<string>;
}

const OPERANDS = ['a', 'b', 'c'] as const;

/** Appends a `const` per operation applied to its symbols. */
class Emitter implements SymEmitter {
  readonly lines: string[] = [];
  readonly reads = new Set<string>();
  private count = 0;
  constructor(private readonly prefix: string) {}
  apply(p: Primitive, args: readonly (Sym | number)[]): Sym {
    const ops = args.map((x) => (x instanceof Sym ? this.read(x) : literal(x)));
    const name = `${this.prefix}${this.count++}`;
    this.lines.push(`const ${name} = ${valueExpression(p, ops)};`);
    return new Sym(name, this);
  }
  read(x: Sym): string {
    this.reads.add(x.name);
    return x.name;
  }
}

/**
 * The code of a partial (`rule.d[j]`, or a packed second partial `rule.dd[j]` with `second`)
 * of primitive `p`, whose output is named `y` and arguments `a`, `b`, `c` in the generated
 * code. Temporaries are named `<prefix>0`, `<prefix>1`, ….
 */
export function partialCode(p: Primitive, j: number, second: boolean, prefix: string): PartialCode {
  const fn = (second ? p.rule.dd[j] : p.rule.d[j]) as PartialFn;
  const constant = (second ? p.constantDD : p.constantD)[j];
  if (constant !== undefined) return { lines: [], value: literal(constant), constant, reads: new Set() };
  const em = new Emitter(prefix);
  const n = p.rule.arity;
  // The recorder calls partials as (y, a, b, c) with 0 for missing arguments (tape.ts).
  const sym = (name: string, present: boolean): Scalar => (present ? (new Sym(name, em) as unknown as Scalar) : 0);
  let result: unknown;
  try {
    result = fn(sym('y', true), sym('a', n > 0), sym('b', n > 1), sym('c', n > 2));
    // A plain number from a formula not marked constant() may come from a JS operator on a
    // symbol or a branch: only a run-time call is sure to reproduce it.
    if (!(result instanceof Sym)) throw new StaticEvaluation('not a symbolic result');
  } catch (e) {
    if (!(e instanceof StaticEvaluation)) throw e;
    const args = ['y', ...OPERANDS.map((o, k) => (k < n ? o : '0'))];
    const reads = new Set(['y', ...OPERANDS.slice(0, n)]);
    return { lines: [], value: `${second ? secondFnName(p.code, j) : partialFnName(p.code, j)}(${args.join(', ')})`, constant: undefined, reads };
  }
  return { lines: em.lines, value: em.read(result as Sym), constant: undefined, reads: em.reads };
}
