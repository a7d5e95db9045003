/**
 * Sparse Hessians, part 3: the result type — a symmetric pattern in CSR form with a value per
 * structural non-zero.
 */
import { DEFAULT_MAX_BYTES } from '../api/hessian.js';
import { InputTypeError, MemoryBudgetError, ShapeError } from '../errors.js';
import { describeValue } from '../math.js';
import { Matrix } from '../matrix.js';
import type { Leaf } from '../tree.js';
import type { Colouring } from './colouring.js';
import type { SparsityPattern } from './pattern.js';

/**
 * A Hessian stored sparsely: `values[p]` is entry (i, `colIdx[p]`) for p in
 * `rowPtr[i] … rowPtr[i + 1]` (CSR, both triangles stored, columns sorted per row). Entries
 * outside the pattern are exactly 0.
 */
export class SparseHessian {
  /**
   * @param pattern the structural non-zeros
   * @param values one value per structural non-zero, in CSR order (length `pattern.nnz`)
   * @param colouring the colouring the values were computed with
   * @param leaves index map of the rows and columns (tree.ts), as in the dense `hessian`'s Matrix
   * @throws {ShapeError} if `values` does not have one entry per structural non-zero
   */
  constructor(
    readonly pattern: SparsityPattern,
    readonly values: Float64Array,
    readonly colouring: Colouring,
    readonly leaves: readonly Leaf[] = [{ path: '', offset: 0, size: pattern.n, shape: [pattern.n] }],
  ) {
    if (values.length !== pattern.nnz) throw new ShapeError('values', `length ${values.length}`, `length ${pattern.nnz}, the pattern's non-zeros`, 'SparseHessian');
  }

  /** Number of rows and columns. */
  get n(): number {
    return this.pattern.n;
  }
  /** Row offsets (CSR), length n + 1. */
  get rowPtr(): Int32Array {
    return this.pattern.rowPtr;
  }
  /** Column indices (CSR), length nnz. */
  get colIdx(): Int32Array {
    return this.pattern.colIdx;
  }
  /** Number of stored entries. */
  get nnz(): number {
    return this.pattern.nnz;
  }
  /** Number of colours, i.e. of Hessian-vector products the values cost. */
  get colours(): number {
    return this.colouring.count;
  }

  /** Entry (i, j): its stored value, or 0 outside the pattern. O(log(row length)). */
  get(i: number, j: number): number {
    const p = this.pattern.indexOf(i, j);
    return p < 0 ? 0 : this.values[p]!;
  }

  /**
   * The dense n×n {@link Matrix}, with the input's structure (`block('mu', 'sigma')` works as on
   * the result of `hessian`).
   * @param maxBytes largest dense result to allocate; default `DEFAULT_MAX_BYTES` (1 GiB), as for `hessian`
   * @throws {MemoryBudgetError} if n²·8 bytes exceeds `maxBytes`
   */
  toDense(maxBytes: number = DEFAULT_MAX_BYTES): Matrix {
    const { n, rowPtr, colIdx } = this.pattern;
    if (typeof maxBytes !== 'number' || !(maxBytes > 0)) throw new InputTypeError('maxBytes', describeValue(maxBytes), 'a positive number of bytes', 'SparseHessian.toDense');
    if (n * n * 8 > maxBytes) throw new MemoryBudgetError('SparseHessian.toDense', n * n * 8, maxBytes, `a dense Hessian over n = ${n} inputs (n² × 8 bytes)`);
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) data[i * n + colIdx[p]!] = this.values[p]!;
    return new Matrix(n, n, data, this.leaves, this.leaves);
  }
}
