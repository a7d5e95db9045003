/**
 * Forward-mode API: jvp, derivative, jacfwd. Inputs become {@link Dual}s carrying a fresh tag
 * (dual.ts), so these calls nest safely: `derivative(x => mul(x, derivative(y => add(x, y), 1)), 1)`
 * is exactly 1.
 */
import { Dual, withTag } from '../dual.js';
import { InputTypeError, TracerError, checkOptions } from '../errors.js';
import { Matrix } from '../matrix.js';
import { describeValue, isScalar } from '../math.js';
import type { Scalar } from '../scalar.js';
import { flatten, unflatten } from '../tree.js';
import { flattenLike, type Output, type Primal } from './common.js';

/** Inputs that forward mode accepts: like `Input`, but entries may be scalars (for nesting). */
export type ScalarInput = Scalar | Float64Array | readonly ScalarInput[] | { readonly [key: string]: ScalarInput };

/** Tangents for the input: the argument structure with Scalars, as f receives it. */
type Seeded<X> = X extends Scalar ? Scalar : X extends Float64Array ? Scalar[] : X extends readonly (infer E)[] ? Seeded<E>[] : { [K in keyof X]: Seeded<X[K]> };

/**
 * Split an output scalar into (primal, tangents) for perturbation `tag`.
 * @throws {TracerError} if y carries a perturbation of a call nested inside this one: an
 *   inner derivative's dual escaped its call (its tag is larger than ours).
 */
function split(y: Scalar, tag: number, width: number): [Scalar, readonly Scalar[]] {
  if (y instanceof Dual && y.tag === tag) return [y.primal, y.tangents];
  if (y instanceof Dual && y.tag > tag) {
    throw new TracerError('jvp: f returned a dual of a jvp/derivative call nested inside it (the inner perturbation escaped its call)');
  }
  return [y, new Array<Scalar>(width).fill(0)]; // y does not depend on this perturbation
}

/**
 * Validate a `chunk` option: a positive integer, capped at n (more directions than inputs
 * would only allocate empty work).
 * @throws {InputTypeError} naming `options.chunk`.
 */
export function validChunk(chunk: number | undefined, n: number, api: string): number | undefined {
  if (chunk === undefined) return undefined;
  if (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < 1) {
    throw new InputTypeError('options.chunk', describeValue(chunk), 'a positive integer', api);
  }
  return Math.min(chunk, Math.max(n, 1));
}

/**
 * Jacobian-vector product J·v by forward mode, in one evaluation of f on duals.
 *
 * @param f a function of scalars returning a scalar, array or record of scalars
 * @param x the point (numbers, or scalars when nested inside another differentiation)
 * @param v the direction, with the structure of x (or flat of the same total length)
 * @returns `value` = f(x) and `tangent` = J·v, both with the structure of f's output. At top
 *   level these hold numbers; inside another differentiation they may hold duals.
 * @throws {ShapeError} if v's structure differs from x's
 */
export function jvp<X extends ScalarInput, O extends Output>(
  f: (x: Seeded<X>) => O,
  x: X,
  v: unknown,
): { value: Primal<O>; tangent: Primal<O> } {
  const input = flatten(x, 'x', isScalar, 'jvp');
  const dir = flattenLike(v, input, 'jvp', 'v', 'x');
  return withTag((tag) => {
    const seeded = input.values.map((xi, i) => new Dual(tag, xi, [dir[i]!]));
    const out = f(unflatten(input.spec, seeded) as Seeded<X>);
    const output = flatten(out, 'f(x)', isScalar, 'jvp');
    const parts = output.values.map((y) => split(y, tag, 1));
    return {
      value: unflatten(output.spec, parts.map((p) => p[0])) as Primal<O>,
      tangent: unflatten(output.spec, parts.map((p) => p[1][0]!)) as Primal<O>,
    };
  });
}

/**
 * d/dx f(x) for f: ℝ → ℝ (or ℝ → a structure of scalars) by forward mode.
 * Typed `number` for the common top-level call; inside another differentiation the result is a
 * dual at run time (use it only with dualtape's operations there).
 * @example derivative((x) => mul(x, x), 3) // 6
 */
export function derivative(f: (x: Scalar) => Scalar, x: number): number;
export function derivative(f: (x: Scalar) => Scalar, x: Scalar): Scalar;
export function derivative(f: (x: Scalar) => Scalar, x: Scalar): Scalar {
  return jvp(f, x, 1).tangent as Scalar;
}

/** Options of {@link jacfwd}. */
export interface JacfwdOptions {
  /** Directions per forward pass; default {@link chooseChunk}. */
  chunk?: number;
}

/**
 * The Jacobian ∂f/∂x by forward mode, `chunk` columns per evaluation of f (ForwardDiff.jl's
 * chunk mode). Row i is output entry i, column j input entry j (flat order, tree.ts).
 * @throws {TracerError} if called inside another differentiation (use jvp there)
 */
export function jacfwd(f: (x: never) => Output, x: unknown, options: JacfwdOptions = {}): Matrix {
  checkOptions(options, 'jacfwd');
  const input = flatten(x, 'x', (v): v is number => typeof v === 'number', 'jacfwd');
  const n = input.values.length;
  const K = validChunk(options.chunk, n, 'jacfwd') ?? chooseChunk(n);
  let rows = -1;
  let data = new Float64Array(0);
  let outLeaves = input.leaves;
  for (let c0 = 0; c0 < Math.max(n, 1); c0 += K) {
    const width = Math.min(K, n - c0);
    withTag((tag) => {
      const seeded = input.values.map((xi, i) => {
        const t = new Array<Scalar>(width).fill(0);
        if (i >= c0 && i < c0 + width) t[i - c0] = 1;
        return new Dual(tag, xi, t);
      });
      const out = (f as (x: unknown) => unknown)(unflatten(input.spec, seeded));
      const output = flatten(out, 'f(x)', isScalar, 'jacfwd');
      if (rows < 0) {
        rows = output.values.length;
        data = new Float64Array(rows * n);
        outLeaves = output.leaves;
      }
      output.values.forEach((y, i) => {
        const ts = split(y, tag, width)[1];
        for (let k = 0; k < width; k++) {
          const t = ts[k]!;
          if (typeof t !== 'number') throw new TracerError('jacfwd: cannot be nested inside another differentiation; use jvp there');
          data[i * n + c0 + k] = t;
        }
      });
    });
    if (n === 0) break;
  }
  return new Matrix(rows, n, data, outLeaves, input.leaves);
}

/**
 * Default number of directions per sweep (the "chunk"), shared by jacfwd and hessian.
 * Rule (ForwardDiff.jl's): if n ≤ threshold use n (one sweep); otherwise the fewest sweeps of
 * at most `threshold` directions, balanced: ⌈n / ⌈n / threshold⌉⌉. So 33 inputs are done as
 * 2 sweeps of 17, not 32 + 1. The threshold 32 is measured (bench/, "Engine": the dense
 * Rosenbrock Hessian at n = 1000 takes 1.5× longer with 16; 64 is within ~10% of 32) and
 * keeps the two N×K work buffers half the size of 64's.
 */
export const CHUNK_THRESHOLD = 32;
export function chooseChunk(n: number, threshold = CHUNK_THRESHOLD): number {
  if (n <= threshold) return Math.max(n, 1);
  return Math.ceil(n / Math.ceil(n / threshold));
}
