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
 * f is recorded once; the d products run in one chunked sweep of the core (`tangentSweep` +
 * `hvpSweep`). By default an extra random direction v checks the separability assumption:
 * H·v by the same sweep must equal the assembled blocks times v (a coupling between samples
 * would make the blocks wrong and, almost surely, fail this check).
 */
import {
  DualtapeError,
  NonScalarOutputError,
  Random,
  ShapeError,
  SweepBuffers,
  hvpSweep,
  record,
  reverseSweep,
  secondPartials,
  tangentSweep,
  withTape,
  type Input,
  type Scalar,
  type Traced,
} from '@dualtape/core';
import { BlockDiagonal } from './block-diagonal.js';

export interface BlockHessianOptions {
  /** Check separability with one extra random direction (default true). */
  verify?: boolean;
}

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
  return withTape((tape) => {
    const rec = record(tape, f, outputs, api);
    if (rec.output.spec.kind !== 'scalar') throw new NonScalarOutputError(api, 'more than one scalar');
    const nd = rec.input.flat.length;
    if (!Number.isInteger(d) || d < 1 || nd % d !== 0) {
      throw new ShapeError('outputs', `${nd} entries`, `a multiple of d = ${d} (n samples of d entries, sample-major)`, api);
    }
    const n = nd / d;
    const blocks = new Float64Array(n * d * d);
    const out = rec.outNodes[0]!;
    if (out < 0) return new BlockDiagonal(n, d, blocks); // f is constant: its Hessian is 0

    const adj = new Float64Array(tape.size);
    adj[out] = 1;
    reverseSweep(tape, adj);
    const second = secondPartials(tape);
    const K = verify ? d + 1 : d;
    const buf = new SweepBuffers(tape.size, K);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) buf.seed(i * d + k, k, 1);
    const v = verify ? new Random(12345).normals(nd) : new Float64Array(0);
    for (let j = 0; j < v.length; j++) buf.seed(j, d, v[j]!);
    tangentSweep(tape, buf);
    hvpSweep(tape, adj, second, buf);

    for (let i = 0; i < n; i++) {
      for (let r = 0; r < d; r++) for (let k = 0; k < d; k++) blocks[i * d * d + r * d + k] = buf.adjointTangent(i * d + r, k);
    }
    const H = new BlockDiagonal(n, d, blocks);
    if (verify) {
      const hv = H.matvec(v);
      let scale = 1;
      for (let j = 0; j < nd; j++) scale = Math.max(scale, Math.abs(hv[j]!));
      for (let j = 0; j < nd; j++) {
        const exact = buf.adjointTangent(j, d);
        if (Math.abs(exact - hv[j]!) > 1e-9 * scale) {
          throw new DualtapeError(
            `${api}: f is not a sum of per-sample terms over blocks of d = ${d}: at flat entry ${j} (sample ${Math.floor(j / d)}), ` +
              `H·v = ${exact} but the assembled blocks give ${hv[j]}. Use hessian() for a function that couples samples.`,
          );
        }
      }
    }
    return H;
  });
}
