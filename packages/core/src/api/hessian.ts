/**
 * Second-order API by forward-over-reverse: hvp, hessian, hessianDiagonal.
 *
 * f is recorded once. One reverse sweep gives the adjoints; the local second partials are
 * evaluated once; then each batch of K directions costs one forward tangent sweep and one
 * second-order reverse sweep (sweeps.ts). f is never re-run per direction.
 *
 * Cost of a dense Hessian over n inputs with a tape of N nodes: O(N·n) time in ⌈n/K⌉ sweeps,
 * O(N·K) working memory, n²·8 bytes for the result.
 */
import { InputTypeError, MemoryBudgetError, checkOptions } from '../errors.js';
import { Matrix } from '../matrix.js';
import type { Scalar } from '../scalar.js';
import { SweepBuffers, hvpSweep, neededTangents, reverseSweep, secondPartials, tangentSweep } from '../sweeps.js';
import { SCRATCH, withTape, type Tape } from '../tape.js';
import { unflatten, type Input } from '../tree.js';
import { chooseChunk, validChunk } from './forward.js';
import { describeValue } from '../math.js';
import { flattenInput, flattenLike, record, scalarOutput, type FlatInput, type Like, type Traced } from './common.js';

/** Options of {@link hessian} and {@link hessianDiagonal}. */
export interface HessianOptions {
  /** Directions per sweep; default {@link chooseChunk}(n), capped so the two K-wide work buffers stay ≤ 256 MiB. */
  chunk?: number;
  /** Largest dense result to allocate, in bytes; default {@link DEFAULT_MAX_BYTES}. */
  maxBytes?: number;
}

/** Default budget of a dense Hessian: 1 GiB, i.e. n ≤ 11 585 inputs. */
export const DEFAULT_MAX_BYTES = 2 ** 30;
/** Budget of the two node-major work buffers (tangents and adjoint tangents) of one sweep. */
const WORK_BYTES = 2 ** 28;

/**
 * A recorded scalar function, ready for Hessian-vector products: the adjoints of the
 * gradient sweep and the local second partials are computed once here. (Internal; shared with
 * api/sparse-hessian.ts.)
 */
export class SecondOrder {
  readonly adj: Float64Array;
  readonly second: Float64Array;
  /**
   * The nodes whose tangents the second-order sweep reads (sweeps.ts, neededTangents); computed
   * only when several batches will share it (a single hvp would spend a whole pass on it).
   */
  readonly need: Uint8Array | undefined;
  constructor(
    readonly tape: Tape,
    readonly out: number,
    readonly n: number,
    manyBatches: boolean,
  ) {
    this.adj = tape.floats(SCRATCH.adj, tape.size);
    this.adj[out] = 1;
    reverseSweep(tape, this.adj);
    this.second = secondPartials(tape, (length) => tape.floats(SCRATCH.second, length));
    this.need = manyBatches ? neededTangents(tape, this.adj, this.second, tape.bytes(SCRATCH.need, tape.size)) : undefined;
  }

  /**
   * H·V for the K directions that `seed` writes into `buf` (via `buf.seed(i, k, value)`).
   * On return `buf.adjointTangent(i, k)` = (H·V)[i, k] for the inputs i < n.
   */
  products(buf: SweepBuffers, seed: (buf: SweepBuffers) => void): void {
    buf.clear();
    seed(buf);
    tangentSweep(this.tape, buf, this.need);
    hvpSweep(this.tape, this.adj, this.second, buf);
  }
}

/** Record f and set up second-order sweeps; `body` gets null when f(x) does not depend on x. */
export function withSecondOrder<R>(
  f: (x: never) => Scalar,
  x: unknown,
  api: string,
  input: FlatInput,
  body: (so: SecondOrder | null, n: number, rec: ReturnType<typeof record>) => R,
): R {
  return withTape((tape) => {
    const rec = record(tape, f, x, api, input);
    const out = scalarOutput(rec, api);
    const n = rec.input.flat.length;
    return body(out < 0 ? null : new SecondOrder(tape, out, n, api !== 'hvp'), n, rec);
  });
}

/**
 * Hessian-vector product H(x)·v, exact, by one forward-over-reverse sweep
 * (Pearlmutter 1994). Cost ≈ a few gradient evaluations, memory O(tape).
 *
 * @param f scalar function of scalars
 * @param x point, any input structure
 * @param v direction with the structure of x (or flat, same total length)
 * @returns H·v with the structure of x
 * @throws {ShapeError} if v's structure differs from x's
 * @throws {NonScalarOutputError} if f does not return one scalar
 */
export function hvp<X extends Input>(f: (x: Traced<X>) => Scalar, x: X, v: unknown): Like<X> {
  const input = flattenInput(x, 'hvp');
  const dir = flattenLike(v, input, 'hvp', 'v', 'x');
  return withSecondOrder(f, x, 'hvp', input, (so, n, rec) => {
    const result = new Float64Array(n);
    if (so) {
      const buf = new SweepBuffers(so.tape.size, 1, so.tape);
      so.products(buf, (b) => dir.forEach((v, i) => v !== 0 && b.seed(i, 0, v)));
      for (let i = 0; i < n; i++) result[i] = buf.adjointTangent(i, 0);
    }
    return unflatten(rec.input.spec, result, true) as Like<X>;
  });
}

/**
 * The dense Hessian ∇²f(x), exact, by forward-over-reverse with K columns per sweep.
 *
 * @param f scalar function of scalars
 * @param x point: number, array (any rank), Float64Array or record of those
 * @returns a {@link Matrix} n×n (n = number of scalars in x), row-major, entry (i, j) =
 *   ∂²f/∂xᵢ∂xⱼ in the flat order of tree.ts; `shape` is `[...s, ...s]` for one input of
 *   shape s, and `block('mu', 'sigma')` gives the block of two named inputs.
 * @throws {MemoryBudgetError} if n²·8 bytes exceeds `options.maxBytes` (checked before f runs)
 * @throws {NonScalarOutputError} if f does not return one scalar
 * @example hessian((p) => add(mul(p[0], p[0]), mul(p[0], p[1])), [1, 2]).toArray() // [[2, 1], [1, 0]]
 */
export function hessian<X extends Input>(f: (x: Traced<X>) => Scalar, x: X, options: HessianOptions = {}): Matrix {
  checkOptions(options, 'hessian');
  const input = flattenInput(x, 'hessian');
  const n = input.flat.length;
  const budget = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof budget !== 'number' || !(budget > 0)) throw new InputTypeError('options.maxBytes', describeValue(budget), 'a positive number of bytes', 'hessian');
  if (n * n * 8 > budget) throw new MemoryBudgetError('hessian', n * n * 8, budget, `a dense Hessian over n = ${n} inputs (n² × 8 bytes)`);
  return withSecondOrder(f, x, 'hessian', input, (so, _n, rec) => {
    const data = new Float64Array(n * n);
    if (so) {
      forEachColumnBatch(so, options, 'hessian', (c0, width, buf) => {
        const { adjdot, aLive, K } = buf;
        for (let i = 0; i < n; i++) {
          if (!aLive[i]) continue; // a row never written is zero, and so is this stretch of H
          for (let k = 0; k < width; k++) data[i * n + c0 + k] = adjdot[i * K + k]!;
        }
      });
    }
    return new Matrix(n, n, data, rec.input.leaves, rec.input.leaves);
  });
}

/**
 * The diagonal of the Hessian, exact, with the structure of x. Costs as much time as the dense
 * Hessian (n directions) but only O(n) memory for the result; for a cheap *estimate* of the
 * diagonal use random hvp probes instead.
 * @throws {NonScalarOutputError} if f does not return one scalar
 */
export function hessianDiagonal<X extends Input>(f: (x: Traced<X>) => Scalar, x: X, options: HessianOptions = {}): Like<X> {
  checkOptions(options, 'hessianDiagonal');
  return withSecondOrder(f, x, 'hessianDiagonal', flattenInput(x, 'hessianDiagonal'), (so, n, rec) => {
    const diag = new Float64Array(n);
    if (so) {
      forEachColumnBatch(so, options, 'hessianDiagonal', (c0, width, buf) => {
        for (let k = 0; k < width; k++) diag[c0 + k] = buf.adjointTangent(c0 + k, k);
      });
    }
    return unflatten(rec.input.spec, diag, true) as Like<X>;
  });
}

/** Sweep the unit directions e_{c0} … e_{c0+width−1} in batches of K, handing each batch's H·E (in `buf.adjdot`) to `take`. */
function forEachColumnBatch(
  so: SecondOrder,
  options: HessianOptions,
  api: string,
  take: (c0: number, width: number, buf: SweepBuffers) => void,
): void {
  forEachDirectionBatch(so, so.n, (b, c0, width) => {
    for (let k = 0; k < width; k++) b.seed(c0 + k, k, 1);
  }, options, api, take);
}

/**
 * Sweep `count` directions in batches of K: for each batch, `seed(buf, c0, width)` writes
 * directions c0 … c0+width−1 into entries 0 … width−1 of the input rows (`buf.seed`), and
 * `take` gets their H·V (in `buf.adjdot`). (Internal; shared with api/sparse-hessian.ts.)
 */
export function forEachDirectionBatch(
  so: SecondOrder,
  count: number,
  seed: (buf: SweepBuffers, c0: number, width: number) => void,
  options: HessianOptions,
  api: string,
  take: (c0: number, width: number, buf: SweepBuffers) => void,
): void {
  const N = so.tape.size;
  const K = validChunk(options.chunk, count, api) ?? Math.max(1, Math.min(chooseChunk(count), Math.floor(WORK_BYTES / (16 * N))));
  const buf = new SweepBuffers(N, K, so.tape);
  for (let c0 = 0; c0 < count; c0 += K) {
    const width = Math.min(K, count - c0);
    so.products(buf, (b) => seed(b, c0, width));
    take(c0, width, buf);
  }
}
