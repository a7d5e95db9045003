/**
 * Sparse Hessians, part 2: colouring the columns of a symmetric pattern, and the recovery plan
 * that reads H back from the compressed product H·S.
 *
 * With colours c(0…n−1) in 0…K−1, the seed matrix S (n×K) has S[j, c(j)] = 1, so column k of
 * H·S is the sum of the columns of H of colour k, and (H·S)[i, k] = Σ_{c(l)=k} H[i, l].
 *
 * - Distance-2 colouring (Curtis, Powell & Reid, "On the estimation of sparse Jacobian
 *   matrices", IMA J. Appl. Math. 13, 1974; for Hessians Powell & Toint 1979): two columns get
 *   the same colour only if no row has a non-zero in both — a colouring of the column
 *   intersection graph, i.e. distance-2 in the adjacency graph of the pattern. Then every entry
 *   is read directly: H[i, j] = (H·S)[i, c(j)].
 * - Star colouring (Gebremedhin, Manne & Pothen, "What color is your Jacobian? Graph coloring
 *   for computing derivatives", SIAM Review 47(4), 2005, §4 and §7; Gebremedhin, Tarafdar,
 *   Manne & Pothen, "New acyclic and star coloring algorithms with application to computing
 *   Hessians", SIAM J. Sci. Comput. 29(3), 2007): a distance-1 colouring of the adjacency graph
 *   (diagonal ignored) in which every path on four vertices uses at least three colours. It
 *   uses the symmetry of H: an entry is read as (H·S)[i, c(j)] where j is the only column of
 *   its colour in row i, else as (H·S)[j, c(i)] — one of the two always works (a path
 *   l–i–j–m with c(l) = c(j), c(m) = c(i) would use two colours). An arrow matrix needs 2
 *   colours instead of n.
 *
 * Both colourings here are greedy (first fit) in a vertex order: natural (0, 1, …) or
 * largest-first (by row length, ties by index; Welsh & Powell 1967).
 */
import { ArgumentError, InputTypeError, checkOptions } from '../errors.js';
import { describeValue } from '../math.js';
import { SparsityPattern } from './pattern.js';

/** A colouring of the n columns of a pattern. */
export interface Colouring {
  /** Colour of each column, in 0 … count − 1; −1 for a column with no structural non-zero (it needs no product). */
  readonly colours: Int32Array;
  /** Number of colours: the number of Hessian-vector products a sparse Hessian costs. */
  readonly count: number;
  /** How it was made, and so how entries are recovered (both read {@link recoveryPlan}). */
  readonly method: ColouringMethod;
}

/** `'distance2'`: direct recovery along rows; `'star'`: recovery that uses symmetry (fewer colours). */
export type ColouringMethod = 'distance2' | 'star';

/** Options of {@link colourHessian}. */
export interface ColouringOptions {
  /** Default `'distance2'`. */
  readonly method?: ColouringMethod;
  /** Vertex order of the greedy colouring; default `'largest-first'`. */
  readonly order?: 'natural' | 'largest-first';
}

/**
 * Colour the columns of a symmetric Hessian pattern so that H can be recovered from H·S with
 * one Hessian-vector product per colour (see the file comment for the two methods and their
 * sources). Columns with no structural non-zero get colour −1 and cost nothing (an empty
 * pattern has 0 colours). For distance-2, if some row is full, every pair of columns shares
 * it, and the colouring is the identity (n colours) without a search.
 *
 * Cost: distance-2, O(Σᵢ (row length of i)²) time; star, O(Σ over paths v–w–x of the row
 * length of x); O(n) extra memory for both.
 * @throws {InputTypeError} if `pattern` is not a SparsityPattern, `options` not an object, or
 *   `options.method` / `options.order` not one of the names above
 */
export function colourHessian(pattern: SparsityPattern, options: ColouringOptions = {}): Colouring {
  if (!(pattern instanceof SparsityPattern)) throw new InputTypeError('pattern', describeValue(pattern), 'a SparsityPattern (from hessianSparsity or SparsityPattern.fromEntries)', 'colourHessian');
  checkOptions(options, 'colourHessian');
  const method = options.method ?? 'distance2';
  const order = options.order ?? 'largest-first';
  if (method !== 'distance2' && method !== 'star') throw new InputTypeError('options.method', describeValue(method), "'distance2' or 'star'", 'colourHessian');
  if (order !== 'natural' && order !== 'largest-first') throw new InputTypeError('options.order', describeValue(order), "'natural' or 'largest-first'", 'colourHessian');
  const { n, rowPtr } = pattern;
  for (let i = 0; i < n && method === 'distance2'; i++) {
    if (rowPtr[i + 1]! - rowPtr[i]! === n) return { colours: Int32Array.from({ length: n }, (_, k) => k), count: n, method };
  }
  const vertices = Int32Array.from({ length: n }, (_, k) => k);
  if (order === 'largest-first') {
    const len = (v: number): number => rowPtr[v + 1]! - rowPtr[v]!;
    vertices.sort((a, b) => len(b) - len(a) || a - b);
  }
  const colours = new Int32Array(n).fill(-1);
  const forbidden = new Int32Array(n + 1).fill(-1); // forbidden[c] === v: colour c is taken near v
  const forbid = method === 'distance2' ? forbidDistance2 : forbidStar(n);
  let count = 0;
  for (const v of vertices) {
    if (rowPtr[v + 1] === rowPtr[v]) continue; // an empty column: colour −1
    forbid(pattern, colours, forbidden, v);
    let c = 0;
    while (forbidden[c] === v) c++;
    colours[v] = c;
    count = Math.max(count, c + 1);
  }
  return { colours, count, method };
}

type Forbid = (pattern: SparsityPattern, colours: Int32Array, forbidden: Int32Array, v: number) => void;

/** Mark the colours of every column that shares a row with column v. */
const forbidDistance2: Forbid = ({ rowPtr, colIdx }, colours, forbidden, v) => {
  for (let p = rowPtr[v]!; p < rowPtr[v + 1]!; p++) {
    const i = colIdx[p]!;
    for (let q = rowPtr[i]!; q < rowPtr[i + 1]!; q++) {
      const c = colours[colIdx[q]!]!;
      if (c >= 0) forbidden[c] = v;
    }
  }
};

/**
 * Mark the colours v must not take so that the coloured vertices stay a star colouring: those
 * of its neighbours (distance 1), and every colour that would close a two-coloured path on four
 * vertices through v — v–w–x–y with c(y) = c(w) (then c(x) is forbidden), or a–v–w–x with
 * c(a) = c(w) (then every c(x), x a neighbour of w, is forbidden).
 */
function forbidStar(n: number): Forbid {
  const seenColour = new Int32Array(n + 1).fill(-1); // seenColour[c] === v: a neighbour of v has colour c
  const repeated = new Int32Array(n + 1).fill(-1); // repeated[c] === v: two neighbours of v have colour c
  return ({ rowPtr, colIdx }, colours, forbidden, v) => {
    for (let p = rowPtr[v]!; p < rowPtr[v + 1]!; p++) {
      const w = colIdx[p]!;
      const c = colours[w]!;
      if (w === v || c < 0) continue;
      forbidden[c] = v;
      if (seenColour[c] === v) repeated[c] = v;
      seenColour[c] = v;
    }
    for (let p = rowPtr[v]!; p < rowPtr[v + 1]!; p++) {
      const w = colIdx[p]!;
      const cw = colours[w]!;
      if (w === v || cw < 0) continue;
      for (let q = rowPtr[w]!; q < rowPtr[w + 1]!; q++) {
        const x = colIdx[q]!;
        const cx = colours[x]!;
        if (x === v || x === w || cx < 0 || forbidden[cx] === v) continue;
        if (repeated[cw] === v) {
          forbidden[cx] = v; // a–v–w–x with c(a) = c(w)
          continue;
        }
        for (let r = rowPtr[x]!; r < rowPtr[x + 1]!; r++) {
          const y = colIdx[r]!;
          if (y !== w && y !== x && colours[y] === cw) {
            forbidden[cx] = v; // v–w–x–y with c(y) = c(w)
            break;
          }
        }
      }
    }
  };
}

/**
 * Where each structural non-zero of `pattern` is read in the compressed product H·S (an n×K
 * row-major array, K = `colouring.count`): entry k of CSR order (row i, column j) is
 * `HS[plan[k]]`, which is (H·S)[i, c(j)] when j is the only column of its colour in row i, else
 * (H·S)[j, c(i)] when i is the only column of its colour in row j.
 * @throws {ArgumentError} naming `name` if the colouring does not fit the pattern (wrong length,
 *   colours out of range) or leaves an entry that neither rule recovers.
 */
export function recoveryPlan(pattern: SparsityPattern, colouring: Colouring, name = 'colouring', api = 'recoveryPlan'): Float64Array {
  const { n, rowPtr, colIdx } = pattern;
  const { colours, count } = colouring;
  if (!(colours instanceof Int32Array) || colours.length !== n) {
    throw new ArgumentError(`${name}.colours`, colours instanceof Int32Array ? `length ${colours.length}` : describeValue(colours), `an Int32Array of length n = ${n}`, api);
  }
  if (!Number.isInteger(count) || count < 0 || count > n) throw new ArgumentError(`${name}.count`, describeValue(count), `an integer in 0…${n} (n = ${n} columns)`, api);
  for (let j = 0; j < n; j++) {
    const empty = rowPtr[j + 1] === rowPtr[j];
    if (!(colours[j]! >= (empty ? -1 : 0) && colours[j]! < count)) {
      throw new ArgumentError(`${name}.colours[${j}]`, String(colours[j]), `a colour in ${empty ? -1 : 0}…${count - 1}`, api);
    }
  }
  // pass 1: is column j the only one of its colour in row i? (per row, a count per colour)
  const direct = new Uint8Array(colIdx.length);
  const uses = new Int32Array(count);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) uses[colours[colIdx[p]!]!]!++;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) direct[p] = uses[colours[colIdx[p]!]!] === 1 ? 1 : 0;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) uses[colours[colIdx[p]!]!] = 0;
  }
  // pass 2: read (i, j) in row i, or else its mirror (j, i) in row j
  const plan = new Float64Array(colIdx.length);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      const j = colIdx[p]!;
      if (direct[p]) {
        plan[p] = i * count + colours[j]!;
        continue;
      }
      if (direct[pattern.indexOf(j, i)]) {
        plan[p] = j * count + colours[i]!;
        continue;
      }
      throw new ArgumentError(
        name,
        `a colouring under which entry (${i}, ${j}) cannot be recovered (columns ${j} and another of colour ${colours[j]} share row ${i}, and ${i} and another of colour ${colours[i]} share row ${j})`,
        'a distance-2 or star colouring of the pattern (colourHessian)',
        api,
      );
    }
  }
  return plan;
}

