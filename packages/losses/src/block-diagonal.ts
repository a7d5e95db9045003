/**
 * A block-diagonal matrix: n square blocks of size d on the diagonal, zeros elsewhere. This is
 * the exact shape of the output Hessian (and Fisher) of a loss that is a sum over samples, each
 * term depending only on its own sample's d outputs: the matrix is (n·d)×(n·d), but only n·d²
 * of its entries can be non-zero, so only those are stored.
 *
 * Ordering (the index map of {@link BlockDiagonal.toDense}) is **sample-major**: flat index
 * `i·d + k` is output k of sample i. For a Gaussian NLL with outputs (μ, σ) that is
 * μ₀, σ₀, μ₁, σ₁, …, the same order as a nested `outputs[i][k]` array flattened row-major.
 */
import { DEFAULT_MAX_BYTES, Matrix, MemoryBudgetError, ShapeError } from '@dualtape/core';

export class BlockDiagonal {
  /**
   * @param count number of blocks n (samples)
   * @param blockSize size d of each square block (outputs per sample)
   * @param data the blocks one after another, each d×d row-major: entry (r, c) of block i is
   *   `data[i·d² + r·d + c]`; length n·d²
   * @throws {ShapeError} if `data` does not have length n·d²
   */
  constructor(
    readonly count: number,
    readonly blockSize: number,
    readonly data: Float64Array,
  ) {
    const want = count * blockSize * blockSize;
    if (data.length !== want) {
      throw new ShapeError('data', `length ${data.length}`, `length ${want} (${count} blocks of ${blockSize}×${blockSize})`, 'BlockDiagonal');
    }
  }

  /** Side of the full matrix, n·d. */
  get size(): number {
    return this.count * this.blockSize;
  }

  /** Shape of the full matrix, `[n·d, n·d]` (never `[n, n, d]` or `[n, n, d, d]`). */
  get shape(): [number, number] {
    return [this.size, this.size];
  }

  /**
   * Block i (sample i's d×d matrix), a copy.
   * @throws {ShapeError} if i is not an integer in [0, n)
   */
  block(i: number): Matrix {
    this.checkIndex(i, 'i', this.count, 'block');
    const d2 = this.blockSize * this.blockSize;
    return new Matrix(this.blockSize, this.blockSize, this.data.slice(i * d2, (i + 1) * d2));
  }

  /**
   * Entry (i, j) of the full (n·d)×(n·d) matrix: 0 unless i and j fall in the same block.
   * @throws {ShapeError} if i or j is out of range
   */
  get(i: number, j: number): number {
    this.checkIndex(i, 'i', this.size, 'get');
    this.checkIndex(j, 'j', this.size, 'get');
    const d = this.blockSize;
    const b = Math.floor(i / d);
    if (Math.floor(j / d) !== b) return 0;
    return this.data[b * d * d + (i - b * d) * d + (j - b * d)]!;
  }

  /**
   * The full (n·d)×(n·d) matrix, dense, in the sample-major order of the file comment.
   * @param maxBytes largest allocation allowed (default core's DEFAULT_MAX_BYTES, 1 GiB)
   * @throws {MemoryBudgetError} if (n·d)²·8 bytes exceeds `maxBytes`
   */
  toDense(maxBytes = DEFAULT_MAX_BYTES): Matrix {
    const N = this.size;
    if (N * N * 8 > maxBytes) {
      throw new MemoryBudgetError('BlockDiagonal.toDense', N * N * 8, maxBytes, `a dense ${N}×${N} matrix (${this.count} blocks of ${this.blockSize}×${this.blockSize})`);
    }
    const d = this.blockSize;
    const out = new Float64Array(N * N);
    for (let b = 0; b < this.count; b++) {
      for (let r = 0; r < d; r++) {
        const src = b * d * d + r * d;
        out.set(this.data.subarray(src, src + d), (b * d + r) * N + b * d);
      }
    }
    return new Matrix(N, N, out);
  }

  /**
   * The product A·v for a vector v of length n·d (sample-major), in O(n·d²).
   * @throws {ShapeError} if v has the wrong length
   */
  matvec(v: ArrayLike<number>): Float64Array {
    if (v.length !== this.size) throw new ShapeError('v', `length ${v.length}`, `length ${this.size} (n·d = ${this.count}·${this.blockSize})`, 'BlockDiagonal.matvec');
    const d = this.blockSize;
    const out = new Float64Array(this.size);
    for (let b = 0; b < this.count; b++) {
      for (let r = 0; r < d; r++) {
        let s = 0;
        const row = b * d * d + r * d;
        for (let c = 0; c < d; c++) s += this.data[row + c]! * v[b * d + c]!;
        out[b * d + r] = s;
      }
    }
    return out;
  }

  private checkIndex(i: number, name: string, bound: number, api: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= bound) {
      throw new ShapeError(name, `the index ${i}`, `an integer in [0, ${bound})`, `BlockDiagonal.${api}`);
    }
  }
}
