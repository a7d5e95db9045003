/**
 * Sparse Hessians: detect the pattern on the recorded tape (sparse/pattern.ts), colour its
 * columns (sparse/colouring.ts), then compute H·S for the K colour directions in one chunked
 * forward-over-reverse sweep (the machinery of api/hessian.ts) and read the entries back.
 *
 * A dense Hessian costs n Hessian-vector products; a coloured one costs K, e.g. 2 for a
 * Gaussian NLL over n samples (2×2 blocks) and 3 for extended Rosenbrock (tridiagonal),
 * whatever n. The sweeps are those of {@link hessian}, so with a distance-2 colouring each entry
 * is the same floating-point number `hessian` returns (the directions of a colour never meet in
 * a row, so no sum in the sweep adds anything but exact zeros to them).
 */
import { InputTypeError, ShapeError, checkOptions } from '../errors.js';
import { describeValue } from '../math.js';
import type { Scalar } from '../scalar.js';
import { colourHessian, recoveryPlan, type Colouring, type ColouringMethod } from '../sparse/colouring.js';
import { SparsityPattern, detectHessianPattern } from '../sparse/pattern.js';
import { SparseHessian } from '../sparse/sparse-matrix.js';
import { withTape } from '../tape.js';
import type { Input } from '../tree.js';
import { flattenInput, record, scalarOutput, type Traced } from './common.js';
import { forEachDirectionBatch, withSecondOrder } from './hessian.js';

/** Options of {@link sparseHessian}. */
export interface SparseHessianOptions {
  /**
   * A pattern from an earlier {@link hessianSparsity} call (or built by hand), to skip detection,
   * e.g. in a Newton loop. It must contain every non-zero of the Hessian: entries outside it
   * are not computed, and a colouring of a too-small pattern mixes entries (not checked).
   */
  readonly pattern?: SparsityPattern;
  /** A colouring of that pattern from {@link colourHessian}, to skip colouring too. */
  readonly colouring?: Colouring;
  /** Colouring method when `colouring` is not given; default `'distance2'` (see {@link colourHessian}). */
  readonly method?: ColouringMethod;
  /** Colour directions per sweep; default all of them up to the dense Hessian's chunk size. */
  readonly chunk?: number;
}

/**
 * The sparsity pattern of ∇²f: every (i, j) for which ∂²f/∂xᵢ∂xⱼ may be non-zero, detected on
 * one recording of f at x (index domains and non-linear interactions on the tape; Walther,
 * ACM TOMS 34(1), 2008; Griewank & Walther, *Evaluating Derivatives*, 2nd ed. 2008, ch. 7–8 —
 * see sparse/pattern.ts). No finite differences, no random probes.
 *
 * The pattern is structural: it holds at every point where f records the same operations (the
 * same JavaScript control flow), not only at x, and it is conservative (it may contain entries
 * that are zero, e.g. a product whose factor happens to be 0, never miss one that `hessian` can
 * return non-zero). Dependence through comparisons, floor, sign and the condition of `where` is
 * cut (their derivative is zero on purpose); abs, max, min and `where` add no couplings of their
 * own (second derivative zero away from kinks, and dualtape's convention at kinks).
 *
 * @param f scalar function of scalars
 * @param x point: number, array (any rank), Float64Array or record of those; n = its number of scalars
 * @returns a symmetric n×n {@link SparsityPattern} in the flat order of x (as `hessian`'s rows)
 * @throws {NonScalarOutputError} if f does not return one scalar
 * @example hessianSparsity(rosenbrock, new Float64Array(5)).toString() // tridiagonal
 */
export function hessianSparsity<X extends Input>(f: (x: Traced<X>) => Scalar, x: X): SparsityPattern {
  const input = flattenInput(x, 'hessianSparsity');
  return withTape((tape) => {
    const rec = record(tape, f, x, 'hessianSparsity', input);
    return detectHessianPattern(tape, scalarOutput(rec, 'hessianSparsity'), input.flat.length);
  });
}

/**
 * The Hessian ∇²f(x) exploiting sparsity: record f once, detect its pattern
 * ({@link hessianSparsity}), colour the columns ({@link colourHessian}: distance-2 by default,
 * Curtis–Powell–Reid 1974; star on request, Gebremedhin et al. 2005/2007), then one chunked
 * forward-over-reverse sweep with one direction per colour (direction k = Σ_{c(j)=k} eⱼ) and
 * read each entry back from H·S. Cost: K Hessian-vector products for K colours instead of n,
 * plus detection and colouring (skip both with `options.pattern` and `options.colouring`).
 *
 * @param f scalar function of scalars
 * @param x point: number, array (any rank), Float64Array or record of those
 * @returns a {@link SparseHessian}: CSR pattern and values in the flat order of x; `toDense()`
 *   gives the same {@link Matrix} as `hessian(f, x)`
 * @throws {ShapeError} if `options.pattern` is not of size n (the number of scalars in x)
 * @throws {InputTypeError} if `options.pattern` is not a SparsityPattern, or `options.chunk` not a positive integer
 * @throws {ArgumentError} if `options.colouring` does not fit the pattern
 * @throws {NonScalarOutputError} if f does not return one scalar
 * @example sparseHessian(rosenbrock, x).colours // 3, for any length of x
 */
export function sparseHessian<X extends Input>(f: (x: Traced<X>) => Scalar, x: X, options: SparseHessianOptions = {}): SparseHessian {
  const api = 'sparseHessian';
  checkOptions(options, api);
  const input = flattenInput(x, api);
  const n = input.flat.length;
  const given = options.pattern;
  if (given !== undefined) {
    if (!(given instanceof SparsityPattern)) throw new InputTypeError('options.pattern', describeValue(given), 'a SparsityPattern (from hessianSparsity)', api);
    if (given.n !== n) throw new ShapeError('options.pattern', `n = ${given.n}`, `n = ${n}, the number of scalars in x`, api);
  }
  return withSecondOrder(f, x, api, input, (so, _n, rec) => {
    const pattern = given ?? (so ? detectHessianPattern(so.tape, so.out, n) : SparsityPattern.empty(n));
    const colouring = options.colouring ?? colourHessian(pattern, { method: options.method ?? 'distance2' });
    const plan = recoveryPlan(pattern, colouring, 'options.colouring', api);
    const values = new Float64Array(pattern.nnz);
    if (so && pattern.nnz > 0) {
      const K = colouring.count;
      const byColour = groupBy(colouring.colours, K); // columns of each colour
      const entries = groupBy(Int32Array.from(plan, (q) => q % K), K); // entries read from each colour
      forEachDirectionBatch(
        so,
        K,
        (b, c0, width) => {
          for (let k = 0; k < width; k++) for (let p = byColour.start[c0 + k]!; p < byColour.start[c0 + k + 1]!; p++) b.seed(byColour.items[p]!, k, 1);
        },
        options,
        api,
        (c0, width, buf) => {
          for (let p = entries.start[c0]!; p < entries.start[c0 + width]!; p++) {
            const e = entries.items[p]!;
            const q = plan[e]!;
            values[e] = buf.adjointTangent(Math.floor(q / K), (q % K) - c0);
          }
        },
      );
    }
    return new SparseHessian(pattern, values, colouring, rec.input.leaves);
  });
}

/**
 * Indices 0…len−1 grouped by key (a counting sort): those with key k are
 * `items[start[k] … start[k + 1])`; negative keys (uncoloured columns) are left out.
 */
function groupBy(keys: ArrayLike<number>, count: number): { start: Int32Array; items: Int32Array } {
  const start = new Int32Array(count + 1);
  for (let i = 0; i < keys.length; i++) if (keys[i]! >= 0) start[keys[i]! + 1]!++;
  for (let k = 0; k < count; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, count);
  const items = new Int32Array(start[count]!);
  for (let i = 0; i < keys.length; i++) if (keys[i]! >= 0) items[fill[keys[i]!]!++] = i;
  return { start, items };
}
