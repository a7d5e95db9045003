/**
 * Dense results with structure: a row-major Float64Array plus the index maps of its rows and
 * columns, so that a Hessian over `{mu, sigma}` can answer `H.block('mu', 'sigma')` as well as
 * give the flat matrix.
 */
import { ShapeError } from './errors.js';
import type { Leaf } from './tree.js';

export class Matrix {
  /**
   * @param rows number of rows (flat)
   * @param cols number of columns (flat)
   * @param data row-major entries, `data[i * cols + j]` is entry (i, j)
   * @param rowLeaves index map of the rows (tree.ts); defaults to one unnamed block
   * @param colLeaves index map of the columns
   */
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float64Array,
    readonly rowLeaves: readonly Leaf[] = [{ path: '', offset: 0, size: rows, shape: [rows] }],
    readonly colLeaves: readonly Leaf[] = [{ path: '', offset: 0, size: cols, shape: [cols] }],
  ) {
    if (data.length !== rows * cols) throw new ShapeError('data', `length ${data.length}`, `length ${rows * cols} (${rows}×${cols})`, 'Matrix');
  }

  /**
   * The structured shape: for a Hessian of f over one input of shape s it is `[...s, ...s]`
   * (`[]` for a scalar input); for a Jacobian of an output of shape o over an input of shape s,
   * `[...o, ...s]`. Inputs that are records have the flat shape `[rows, cols]`.
   */
  get shape(): number[] {
    const side = (leaves: readonly Leaf[], n: number): readonly number[] =>
      leaves.length === 1 && leaves[0]!.path === '' ? leaves[0]!.shape : [n];
    return [...side(this.rowLeaves, this.rows), ...side(this.colLeaves, this.cols)];
  }

  /** Entry (i, j) of the flat matrix. */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  /** The flat matrix as nested arrays, `rows × cols`. */
  toArray(): number[][] {
    return Array.from({ length: this.rows }, (_, i) => Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
  }

  /**
   * The sub-matrix of the rows of input block `rowPath` and the columns of block `colPath`
   * (paths as in the input record, e.g. `'mu'`, or `'layer1.w'` for nested records).
   * @throws {ShapeError} if a path names no block.
   */
  block(rowPath: string, colPath: string): Matrix {
    const r = findLeaf(this.rowLeaves, rowPath, 'rowPath');
    const c = findLeaf(this.colLeaves, colPath, 'colPath');
    const out = new Float64Array(r.size * c.size);
    for (let i = 0; i < r.size; i++) {
      const start = (r.offset + i) * this.cols + c.offset;
      out.set(this.data.subarray(start, start + c.size), i * c.size);
    }
    return new Matrix(r.size, c.size, out, [{ ...r, path: '', offset: 0 }], [{ ...c, path: '', offset: 0 }]);
  }

  /** Largest |A − Aᵀ| entry (0 for an exactly symmetric matrix); NaN if not square. */
  asymmetry(): number {
    if (this.rows !== this.cols) return NaN;
    let worst = 0;
    for (let i = 0; i < this.rows; i++) {
      for (let j = i + 1; j < this.cols; j++) worst = Math.max(worst, Math.abs(this.get(i, j) - this.get(j, i)));
    }
    return worst;
  }
}

function findLeaf(leaves: readonly Leaf[], path: string, argument: string): Leaf {
  const leaf = leaves.find((l) => l.path === path);
  if (leaf === undefined) {
    throw new ShapeError(argument, `the path ${JSON.stringify(path)}`, `one of ${leaves.map((l) => JSON.stringify(l.path)).join(', ')}`, 'block');
  }
  return leaf;
}
