/**
 * Reverse-mode API: grad, valueAndGrad, vjp, jacrev (names as in JAX / torch.func).
 * Cost: one recording of f plus one reverse sweep per cotangent; memory: the tape
 * (≈ 9 bytes per node plus 12 per argument, tape.ts).
 */
import { Matrix } from '../matrix.js';
import { reverseSweep } from '../sweeps.js';
import { SCRATCH, Tape, withTape } from '../tape.js';
import { unflatten, type Input } from '../tree.js';
import type { Scalar } from '../scalar.js';
import { flattenLike, record, scalarOutput, type Like, type Output, type Primal, type Recording, type Traced } from './common.js';

/**
 * Value and gradient of a scalar function, in one recording and one reverse sweep.
 *
 * @param f a scalar function written with dualtape's operations (math.ts)
 * @param x the point: a number, array, Float64Array, nested array or record of those
 * @returns `value` = f(x) and `grad` = ∇f(x) with the structure of `x`
 * @throws {NonScalarOutputError} if f does not return one scalar
 * @throws {InputTypeError} / {ShapeError} if x is not a well-formed structure of numbers
 * @throws {TracerError} if f leaks or mixes tracers
 * NaN and ±∞ in `x` are allowed and propagate per IEEE 754.
 * @example
 * valueAndGrad((x) => mul(x[0], x[1]), [3, 4]) // { value: 12, grad: [4, 3] }
 */
export function valueAndGrad<X extends Input>(f: (x: Traced<X>) => Scalar, x: X): { value: number; grad: Like<X> } {
  return withTape((tape) => {
    const rec = record(tape, f, x, 'grad');
    const out = scalarOutput(rec, 'grad');
    const adj = tape.floats(SCRATCH.adj, tape.size);
    if (out >= 0) {
      adj[out] = 1;
      reverseSweep(tape, adj);
    }
    return { value: rec.outValues[0]!, grad: rebuild(rec, adj) };
  });
}

/** ∇f(x), with the structure of `x`. See {@link valueAndGrad} for arguments and errors. */
export function grad<X extends Input>(f: (x: Traced<X>) => Scalar, x: X): Like<X> {
  return valueAndGrad(f, x).grad;
}

/**
 * Vector-Jacobian product, JAX style: records f once and returns its value and a function
 * that maps a cotangent ȳ (structure of f's output) to ȳᵀ·J (structure of x), one reverse
 * sweep per call. The tape is kept alive by the returned closure.
 * @throws {ShapeError} from the returned function if ȳ does not have the output's structure.
 */
export function vjp<X extends Input, O extends Output>(
  f: (x: Traced<X>) => O,
  x: X,
): { value: Primal<O>; vjp: (cotangent: Primal<O>) => Like<X> } {
  const tape = new Tape();
  tape.begin();
  const rec = record(tape, f, x, 'vjp');
  const value = unflatten(rec.output.spec, rec.outValues) as Primal<O>;
  return {
    value,
    vjp: (cotangent) => {
      const ct = flattenLike(cotangent, rec.output, 'vjp', 'cotangent', 'f(x)');
      const adj = new Float64Array(tape.size);
      rec.outNodes.forEach((node, k) => {
        if (node >= 0) adj[node] = adj[node]! + ct[k]!;
      });
      reverseSweep(tape, adj);
      return rebuild(rec, adj);
    },
  };
}

/**
 * The Jacobian ∂f/∂x by reverse mode: one reverse sweep per output entry over a single
 * recording. Row i is the gradient of output entry i (flat order, tree.ts).
 * @returns a {@link Matrix} m×n; its `shape` is `[...outputShape, ...inputShape]`
 */
export function jacrev<X extends Input>(f: (x: Traced<X>) => Output, x: X): Matrix {
  return withTape((tape) => {
    const rec = record(tape, f, x, 'jacrev');
    const m = rec.outNodes.length;
    const n = rec.input.flat.length;
    const data = new Float64Array(m * n);
    const adj = new Float64Array(tape.size);
    for (let i = 0; i < m; i++) {
      const node = rec.outNodes[i]!;
      if (node < 0) continue;
      adj.fill(0);
      adj[node] = 1;
      reverseSweep(tape, adj);
      data.set(adj.subarray(0, n), i * n);
    }
    return new Matrix(m, n, data, rec.output.leaves, rec.input.leaves);
  });
}

/** The inputs' adjoints (the first n nodes) rebuilt with the structure of x. */
function rebuild<X>(rec: Recording, adj: Float64Array): Like<X> {
  return unflatten(rec.input.spec, adj.subarray(0, rec.input.flat.length), true) as Like<X>;
}

export { reverseSweep };
