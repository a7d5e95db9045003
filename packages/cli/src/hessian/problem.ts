/**
 * `dualtape hessian`: turn an expression and the `--wrt`/`--at` options into a scalar function
 * of the `--wrt` variables, and compute its value, gradient and exact Hessian with core.
 */
import { hessian, valueAndGrad, type Scalar } from '@dualtape/core';
import { CliInputError } from '../errors.js';
import { CONSTANTS, FUNCTIONS } from '../expr/functions.js';
import { compile, evaluate, type Program } from '../expr/program.js';
import { definiteness, symmetricEigenvalues, type Definiteness } from '../linalg.js';

/** A compiled expression with its variables split into differentiated ones and constants. */
export interface Problem {
  readonly program: Program;
  /** Differentiated variables, in `--wrt` order (the order of gradient and Hessian). */
  readonly wrt: readonly string[];
  /** The point: the values of the `wrt` variables. */
  readonly x: readonly number[];
  /** Values of the other variables (constants). */
  readonly constants: ReadonlyMap<string, number>;
  /** f as a function of the `wrt` variables, written with core's generic operations. */
  readonly f: (v: readonly Scalar[]) => Scalar;
}

/**
 * Build the problem.
 * @param wrt names to differentiate, or `undefined` for all the expression's variables in order of appearance
 * @throws {ExpressionSyntaxError} for a bad expression
 * @throws {CliInputError} if `wrt` names a variable not in the expression, or a variable has no value in `at`
 */
export function makeProblem(expr: string, wrt: readonly string[] | undefined, at: ReadonlyMap<string, number>): Problem {
  const program = compile(expr);
  const vars = program.variables;
  for (const name of at.keys()) {
    if (Object.hasOwn(CONSTANTS, name)) throw new CliInputError(`--at gives a value to ${name}, which is a constant of the grammar (pi, e); rename the variable`);
    if (Object.hasOwn(FUNCTIONS, name)) throw new CliInputError(`--at gives a value to ${name}, which is a function of the grammar; rename the variable`);
  }
  const names = wrt ?? vars;
  const listed = vars.length > 0 ? vars.join(', ') : 'none';
  for (const name of names) {
    if (!vars.includes(name)) {
      throw new CliInputError(`--wrt names ${name}, which is not a variable of the expression (its variables: ${listed})`);
    }
  }
  const x: number[] = [];
  for (const name of names) {
    const v = at.get(name);
    if (v === undefined) throw new CliInputError(`--at has no value for ${name}, a --wrt variable: the point must give every variable, e.g. --at ${name}=1`);
    x.push(v);
  }
  const constants = new Map<string, number>();
  for (const name of vars) {
    if (names.includes(name)) continue;
    const v = at.get(name);
    if (v === undefined) throw new CliInputError(`the expression uses ${name}, which has no value in --at (variables not in --wrt are constants taken from --at)`);
    constants.set(name, v);
  }
  // slotOf[k] ≥ 0: the k-th program variable is wrt[slotOf[k]]; −1: a constant.
  const slotOf = vars.map((name) => names.indexOf(name));
  const fixed = vars.map((name) => constants.get(name) ?? 0);
  const f = (v: readonly Scalar[]): Scalar => {
    const values: Scalar[] = slotOf.map((s, k) => (s >= 0 ? v[s]! : fixed[k]!));
    return evaluate(program, values);
  };
  return { program, wrt: [...names], x, constants, f };
}

/** Value, gradient, Hessian and its spectrum. */
export interface HessianReport {
  readonly value: number;
  readonly wrt: readonly string[];
  readonly gradient: number[];
  /** n×n, row i and column j in `wrt` order. */
  readonly hessian: number[][];
  /** Ascending. */
  readonly eigenvalues: number[];
  readonly definiteness: Definiteness;
}

/** Evaluate value, gradient (reverse mode) and the exact Hessian (forward-over-reverse). */
export function analyse(p: Problem): HessianReport {
  const n = p.wrt.length;
  if (n === 0) {
    const value = p.f([]) as number;
    return { value, wrt: [], gradient: [], hessian: [], eigenvalues: [], definiteness: 'zero' };
  }
  const { value, grad } = valueAndGrad((v: readonly Scalar[]) => p.f(v), [...p.x]);
  const H = hessian((v: readonly Scalar[]) => p.f(v), [...p.x]);
  const eigenvalues = Array.from(symmetricEigenvalues(H.data, n));
  return { value, wrt: p.wrt, gradient: Array.from(grad), hessian: H.toArray(), eigenvalues, definiteness: definiteness(eigenvalues) };
}
