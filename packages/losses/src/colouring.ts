/**
 * The engine's exact block-diagonal Hessian of a per-sample loss, in one forward-over-reverse
 * sweep of d directions — whatever the number of samples n.
 *
 * If f(z) = Σᵢ fᵢ(zᵢ) where zᵢ are sample i's d outputs (every loss in this package), then ∇²f
 * is block-diagonal, and the product of ∇²f with the direction Eₖ = Σᵢ e_{i·d+k} ("colour" k:
 * output k of every sample at once) is column k of every block at the same time, because no
 * two samples' blocks share a row. So d Hessian-vector products (Curtis, Powell & Reid, "On the
 * estimation of sparse Jacobian matrices", 1974; Griewank & Walther 2008, ch. 8) give all n
 * blocks, where a dense Hessian would need n·d products and (n·d)² memory.
 *
 * This is core's `sparseHessian` with the block-diagonal pattern given and colour k = output k
 * of each sample, so no detection or colouring is paid for: one recording, one chunked sweep of
 * d directions. By default one extra Hessian-vector product along a random direction v checks
 * the separability assumption: H·v must equal the assembled blocks times v (a coupling between
 * samples would make the blocks wrong and, almost surely, fail this check).
 */
import { DualtapeError, Random, ShapeError, SparsityPattern, flatten, hvp, sparseHessian, type Colouring, type Input, type Scalar, type Traced } from '@dualtape/core';
import { BlockDiagonal } from './block-diagonal.js';

export interface BlockHessianOptions {
  /** Check separability with one extra random direction (default true). */
  verify?: boolean;
}

const isNumber = (v: unknown): v is number => typeof v === 'number';

/**
 * The Hessian of f at `outputs` as n blocks of d×d, by d coloured Hessian-vector products.
 *
 * @param f a scalar function that is a sum of per-sample terms, sample i depending only on
 *   flat entries i·d … i·d + d − 1 of its input (sample-major)
 * @param outputs the point, any input structure whose flat (row-major) order is sample-major,
 *   e.g. nested `[n][d]` or a flat Float64Array of n·d
 * @param d entries per sample
 * @returns the blocks, exact (no finite differences)
 * @throws {ShapeError} if the number of entries is not a multiple of d
 * @throws {NonScalarOutputError} if f does not return one scalar
 * @throws {DualtapeError} if `verify` finds that f couples samples (the blocks would be wrong);
 *   the check allows a relative 1e−9 for rounding (the same bound as core's mode-vs-mode checks)
 */
export function blockHessianByColouring<X extends Input>(f: (z: Traced<X>) => Scalar, outputs: X, d: number, options: BlockHessianOptions = {}): BlockDiagonal {
  const api = 'blockHessianByColouring';
  const verify = options.verify ?? true;
  const nd = flatten(outputs, 'outputs', isNumber, api).values.length;
  if (!Number.isInteger(d) || d < 1 || nd % d !== 0) {
    throw new ShapeError('outputs', `${nd} entries`, `a multiple of d = ${d} (n samples of d entries, sample-major)`, api);
  }
  const n = nd / d;
  if (n === 0) return new BlockDiagonal(0, d, new Float64Array(0));
  // the pattern: every entry of every block; in CSR order its values are the blocks, row-major
  const entries: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let r = 0; r < d; r++) for (let k = 0; k < d; k++) entries.push([i * d + r, i * d + k]);
  const pattern = SparsityPattern.fromEntries(nd, entries);
  const colouring: Colouring = { colours: Int32Array.from({ length: nd }, (_, j) => j % d), count: d, method: 'distance2' };
  const H = new BlockDiagonal(n, d, sparseHessian(f, outputs, { pattern, colouring }).values);
  if (verify) {
    const v = new Random(12345).normals(nd);
    const exact = flatten(hvp(f, outputs, v), 'hvp', isNumber, api).values;
    const hv = H.matvec(v);
    let scale = 1;
    for (let j = 0; j < nd; j++) scale = Math.max(scale, Math.abs(hv[j]!));
    for (let j = 0; j < nd; j++) {
      if (Math.abs(exact[j]! - hv[j]!) > 1e-9 * scale) {
        throw new DualtapeError(
          `${api}: f is not a sum of per-sample terms over blocks of d = ${d}: at flat entry ${j} (sample ${Math.floor(j / d)}), ` +
            `H·v = ${exact[j]} but the assembled blocks give ${hv[j]}. Use hessian() for a function that couples samples.`,
        );
      }
    }
  }
  return H;
}
