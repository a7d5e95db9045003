/**
 * Sparse Hessians, part 1: the sparsity pattern of a Hessian and its detection on a recorded tape.
 *
 * Detection is the tape form of the second-order chain rule
 *
 *     ∇²f = Σᵢ v̄ᵢ · Σⱼₘ ∂²φᵢ/∂aⱼ∂aₘ · ∇aⱼ ∇aₘᵀ
 *
 * over the nodes vᵢ = φᵢ(a₀, a₁, a₂) with adjoint v̄ᵢ (Griewank & Walther, *Evaluating
 * Derivatives*, 2nd ed., SIAM 2008, ch. 7 "sparse forward and reverse" and ch. 8 "exploiting
 * sparsity by compression"; Walther, "Computing sparse Hessians with automatic
 * differentiation", ACM TOMS 34(1), 2008, whose "index domains" and "nonlinear interaction
 * domains" are the sets below). Replacing every factor by "may it be non-zero?" gives:
 *
 * 1. forward: the index domain I(v) ⊆ {0…n−1} of inputs each node depends on — the union of
 *    I(a) over its arguments a whose first partial is not the constant 0 (rules.ts `constantD`;
 *    piecewise-constant primitives such as comparisons, floor and sign, and the condition of
 *    select, have constant-0 partials and so cut dependence);
 * 2. backward: which nodes can have a non-zero adjoint — those from which the output is reached
 *    through edges whose first partial is not the constant 0;
 * 3. for each such node and each packed pair (j, m) of its arguments whose second partial is not
 *    the constant 0 (`constantDD`; undefined means "may be non-zero"), every pair of
 *    I(aⱼ) × I(aₘ), and its mirror, is a possible non-zero of ∇²f.
 *
 * Only which partials are *constant* zeros is used, never their recorded values, so the pattern
 * holds at every input that records the same tape (it is global, not the pattern at x): e.g. for
 * max(a, b) both arguments count as dependences even where one gets a zero share.
 * Piecewise-linear primitives (abs, max, min, select) have constant-0 second partials in the rule
 * table and contribute no pairs of their own: their second derivative is zero wherever they are
 * differentiable, and at a kink dualtape's Hessian uses the same convention (it never adds a
 * term there), so the pattern contains every entry {@link hessian} can return as non-zero.
 */
import { InputTypeError, ShapeError } from '../errors.js';
import { ARITY, PRIMITIVE_OF_CODE } from '../rules.js';
import { PACKED } from '../sweeps.js';
import type { Tape } from '../tape.js';

/**
 * A symmetric n×n sparsity pattern in compressed sparse row form (CSR): the column indices of
 * row i are `colIdx[rowPtr[i] … rowPtr[i + 1])`, sorted ascending and distinct. Symmetric
 * means (i, j) is present exactly when (j, i) is. Immutable once built.
 */
export class SparsityPattern {
  /**
   * @param n number of rows and columns
   * @param rowPtr n + 1 offsets into `colIdx`, non-decreasing, `rowPtr[0] = 0`
   * @param colIdx column indices, sorted and distinct within each row
   * @throws {ShapeError} if the arrays are not a valid symmetric CSR pattern of size n
   */
  constructor(
    readonly n: number,
    readonly rowPtr: Int32Array,
    readonly colIdx: Int32Array,
  ) {
    checkCsr(n, rowPtr, colIdx);
  }

  /** Number of structural non-zeros (both triangles and the diagonal counted). */
  get nnz(): number {
    return this.colIdx.length;
  }

  /** Whether (i, j) is a structural non-zero: a binary search in row i, O(log(row length)). */
  has(i: number, j: number): boolean {
    return this.indexOf(i, j) >= 0;
  }

  /** Position of (i, j) in `colIdx` (and in a sparse Hessian's `values`), or −1 if it is not a non-zero. */
  indexOf(i: number, j: number): number {
    if (!(i >= 0 && i < this.n && j >= 0 && j < this.n)) return -1;
    let lo = this.rowPtr[i]!;
    let hi = this.rowPtr[i + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.colIdx[mid]!;
      if (c === j) return mid;
      if (c < j) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The column indices of row i (a view, do not write). */
  row(i: number): Int32Array {
    return this.colIdx.subarray(this.rowPtr[i]!, this.rowPtr[i + 1]!);
  }

  /** The pattern as nested booleans, n × n (for display and tests; O(n²) memory). */
  toArray(): boolean[][] {
    return Array.from({ length: this.n }, (_, i) => {
      const r = new Array<boolean>(this.n).fill(false);
      for (const j of this.row(i)) r[j] = true;
      return r;
    });
  }

  /** The pattern as a row-major n×n array of 0/1 (O(n²) memory). */
  toDense(): Uint8Array {
    const out = new Uint8Array(this.n * this.n);
    for (let i = 0; i < this.n; i++) for (const j of this.row(i)) out[i * this.n + j] = 1;
    return out;
  }

  /** One line a row, `■` for a structural non-zero and `·` for a zero. */
  toString(): string {
    return this.toArray()
      .map((r) => r.map((b) => (b ? '■' : '·')).join(''))
      .join('\n');
  }

  /** The pattern with no entries (the Hessian of a function that is at most linear). */
  static empty(n: number): SparsityPattern {
    return new SparsityPattern(n, new Int32Array(n + 1), new Int32Array(0));
  }

  /**
   * The pattern with the given entries and their mirrors (duplicates allowed).
   * @param n size
   * @param entries pairs [i, j] with 0 ≤ i, j < n
   * @throws {ShapeError} if an index is out of range
   */
  static fromEntries(n: number, entries: Iterable<readonly [number, number]>): SparsityPattern {
    const api = 'SparsityPattern.fromEntries';
    if (!(Number.isInteger(n) && n >= 0)) throw new InputTypeError('n', String(n), 'a non-negative integer', api);
    if (entries === null || typeof (entries as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function') {
      throw new InputTypeError('entries', String(entries), 'an iterable of [i, j] pairs', api);
    }
    const rows: number[][] = Array.from({ length: n }, () => []);
    let k = 0;
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) throw new ShapeError(`entries[${k}]`, String(entry), 'a pair [i, j]', api);
      k++;
      const [i, j] = entry as readonly [number, number];
      if (!(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j >= 0 && i < n && j < n)) {
        throw new ShapeError('entries', `the entry [${i}, ${j}]`, `indices in 0…${n - 1}`, 'SparsityPattern.fromEntries');
      }
      rows[i]!.push(j);
      rows[j]!.push(i);
    }
    return fromRows(n, rows.map((r) => Int32Array.from(new Set(r)).sort()));
  }
}

/** A pattern from per-row sorted, distinct column lists. */
function fromRows(n: number, rows: readonly Int32Array[]): SparsityPattern {
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i]! + rows[i]!.length;
  const colIdx = new Int32Array(rowPtr[n]!);
  for (let i = 0; i < n; i++) colIdx.set(rows[i]!, rowPtr[i]!);
  return new SparsityPattern(n, rowPtr, colIdx);
}

function checkCsr(n: number, rowPtr: Int32Array, colIdx: Int32Array): void {
  const bad = (what: string, expected: string): never => {
    throw new ShapeError('pattern', what, expected, 'SparsityPattern');
  };
  if (!Number.isInteger(n) || n < 0) bad(`n = ${n}`, 'a non-negative integer');
  if (!(rowPtr instanceof Int32Array) || !(colIdx instanceof Int32Array)) bad('arrays that are not Int32Arrays', 'Int32Array rowPtr and colIdx');
  if (rowPtr.length !== n + 1 || rowPtr[0] !== 0 || rowPtr[n] !== colIdx.length) {
    bad(`rowPtr of length ${rowPtr.length} from ${rowPtr[0]} to ${rowPtr[rowPtr.length - 1]}`, `length ${n + 1} from 0 to colIdx.length = ${colIdx.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (rowPtr[i + 1]! < rowPtr[i]!) bad(`rowPtr decreasing at row ${i}`, 'non-decreasing offsets');
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      const j = colIdx[p]!;
      if (!(j >= 0 && j < n) || (p > rowPtr[i]! && j <= colIdx[p - 1]!)) bad(`row ${i} with columns ${Array.from(colIdx.subarray(rowPtr[i]!, rowPtr[i + 1]!)).join(', ')}`, `sorted distinct columns in 0…${n - 1}`);
    }
  }
  // symmetry: count the mirror of every entry
  const seen = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      const j = colIdx[p]!;
      // row j holds i at position rowPtr[j] + seen[j] when rows are visited in order
      const at = rowPtr[j]! + seen[j]!;
      if (at >= rowPtr[j + 1]! || colIdx[at] !== i) bad(`the entry (${i}, ${j}) without its mirror (${j}, ${i})`, 'a symmetric pattern');
      seen[j]!++;
    }
  }
}

// ------------------------------------------------------------------ detection

/** An index domain I(v): sorted distinct input indices, with an id for memoising pairs. */
interface IndexSet {
  readonly id: number;
  readonly idx: Int32Array;
  /** The equal set registered for pairs (hash-consing), once looked up. */
  canon?: IndexSet;
}

/**
 * The Hessian sparsity pattern of the scalar output node `out` of a recorded tape whose first
 * `n` nodes are the inputs (see the file comment for the method). `out < 0` (a constant output)
 * gives the empty pattern.
 *
 * Cost, for a tape of N nodes:
 * - one backward pass, O(N): which nodes may have a non-zero adjoint, and which nodes' index
 *   sets are read at all — a set is built only for an argument of a non-linear pair or to
 *   build such an argument's set, so the running sum of a loss (additions only) builds none;
 * - one forward pass that merges sorted index sets: a node with one contributing argument
 *   shares its set, a set that covers all n inputs becomes one shared "full" set, and a set is
 *   released after its last use. Time O(Σ |I(v)|) over the nodes that need a set, at most
 *   O(N·n) (e.g. a long chain of sums of all inputs that then enters a non-linear function);
 * - for each distinct pair of sets met at a non-linear node (equal sets are recognised by
 *   content, so a loop over samples meets each pair once), O(|A| + |B|) to note it, and
 *   O(|A|·|B|) once at the end to assemble the rows, where a row stops as soon as it is full.
 * The result takes 4·(n + 1 + nnz) bytes.
 */
export function detectHessianPattern(tape: Tape, out: number, n: number): SparsityPattern {
  if (out < 0) return SparsityPattern.empty(n);
  const { op, arg } = tape;
  const { dMask, pairs } = opcodeTables();

  // argument slot offset of each node
  const slot = new Int32Array(out + 2);
  for (let i = 0; i <= out; i++) slot[i + 1] = slot[i]! + ARITY[op[i]!]!;

  // backward: live = adjoint may be non-zero; needSet = the index set is read; lastUse = where
  const live = new Uint8Array(out + 1);
  const needSet = new Uint8Array(out + 1);
  const lastUse = new Int32Array(out + 1).fill(-1);
  live[out] = 1;
  for (let i = out; i >= 0; i--) {
    const code = op[i]!;
    const k = ARITY[code]!;
    const isLive = live[i] === 1;
    const isNeeded = needSet[i] === 1;
    if (k === 0 || !(isLive || isNeeded)) continue;
    const s = slot[i]!;
    const mask = dMask[code]!;
    for (let j = 0; j < k; j++) {
      if (((mask >> j) & 1) === 0) continue;
      const a = arg[s + j]!;
      if (isLive) live[a] = 1;
      if (isNeeded) {
        needSet[a] = 1;
        if (lastUse[a]! < 0) lastUse[a] = i;
      }
    }
    if (!isLive) continue;
    const pl = pairs[code]!;
    for (let t = 0; t < pl.length; t++) {
      const a = arg[s + pl[t]!]!;
      needSet[a] = 1;
      if (lastUse[a]! < 0) lastUse[a] = i;
    }
  }

  // forward: index sets, and the pairs of sets met at live non-linear nodes
  let nextId = 0;
  const make = (idx: Int32Array): IndexSet => ({ id: nextId++, idx });
  const empty = make(EMPTY_IDX);
  const full = make(Int32Array.from({ length: n }, (_, k) => k));
  empty.canon = empty;
  full.canon = full;
  const union = (a: IndexSet, b: IndexSet): IndexSet => {
    if (a === b || b === empty || a === full) return a;
    if (a === empty || b === full) return b;
    const m = mergeSorted(a.idx, b.idx);
    return m.length === n ? full : make(m);
  };
  const registered = new Map<number, IndexSet[]>(); // sets noted in pairs, by hash of content
  const canonical = (a: IndexSet): IndexSet => {
    if (a.canon) return a.canon;
    const h = hashOf(a.idx);
    const bucket = registered.get(h) ?? [];
    if (bucket.length === 0) registered.set(h, bucket);
    a.canon = bucket.find((b) => equal(b.idx, a.idx));
    if (a.canon === undefined) bucket.push((a.canon = a));
    return a.canon;
  };

  const rowRefs: IndexSet[][] = Array.from({ length: n }, () => []);
  const rowFull = new Uint8Array(n);
  const pairsSeen = new Set<number>();
  const addRows = (rows: IndexSet, cols: IndexSet): void => {
    for (const i of rows.idx) {
      if (rowFull[i]) continue;
      if (cols === full) rowFull[i] = 1;
      else rowRefs[i]!.push(cols);
    }
  };
  const note = (x: IndexSet, y: IndexSet): void => {
    if (x === empty || y === empty) return;
    const a = canonical(x);
    const b = canonical(y);
    const key = Math.min(a.id, b.id) * (out + 4) + Math.max(a.id, b.id); // ids < out + 3 (one a node at most): exact below 2⁵³
    if (pairsSeen.has(key)) return;
    pairsSeen.add(key);
    addRows(a, b);
    if (a !== b) addRows(b, a);
  };

  const sets = new Array<IndexSet | undefined>(out + 1).fill(undefined);
  for (let i = 0; i <= out; i++) {
    const code = op[i]!;
    const k = ARITY[code]!;
    if (k === 0) {
      if (needSet[i]) sets[i] = i < n ? make(Int32Array.of(i)) : empty; // input or constant
      continue;
    }
    const s = slot[i]!;
    if (needSet[i]) {
      const mask = dMask[code]!;
      let acc = empty;
      for (let j = 0; j < k; j++) if ((mask >> j) & 1) acc = union(acc, sets[arg[s + j]!]!);
      sets[i] = acc;
    }
    if (live[i]) {
      const pl = pairs[code]!;
      for (let t = 0; t < pl.length; t += 2) note(sets[arg[s + pl[t]!]!]!, sets[arg[s + pl[t + 1]!]!]!);
    }
    for (let j = 0; j < k; j++) if (lastUse[arg[s + j]!] === i) sets[arg[s + j]!] = undefined;
  }

  // assemble the rows: union of the noted sets, stopping when a row is full
  const mark = new Int32Array(n).fill(-1);
  const rows = new Array<Int32Array>(n);
  const buf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (const ref of rowFull[i] ? [] : rowRefs[i]!) {
      for (const c of ref.idx) {
        if (mark[c] !== i) {
          mark[c] = i;
          buf[count++] = c;
        }
      }
      if (count === n) break;
    }
    rows[i] = rowFull[i] || count === n ? full.idx : buf.slice(0, count).sort();
    rowRefs[i] = [];
  }
  return fromRows(n, rows);
}

/**
 * Per opcode: `dMask`, bit j set when first partial j is not the constant 0; `pairs`, the
 * argument pairs j ≤ m (flat: j, m, j, m, …) whose second partial is not the constant 0.
 * Rebuilt when definePrimitive has added opcodes.
 */
function opcodeTables(): { dMask: Uint8Array; pairs: Int8Array[] } {
  if (tables?.count === PRIMITIVE_OF_CODE.length) return tables;
  const dMask = new Uint8Array(256);
  const pairs: Int8Array[] = [];
  PRIMITIVE_OF_CODE.forEach((p, code) => {
    const flat: number[] = [];
    if (p !== undefined) {
      const k = p.rule.arity;
      p.constantD.forEach((c, j) => c !== 0 && (dMask[code] = dMask[code]! | (1 << j)));
      for (let j = 0; j < k; j++) for (let m = j; m < k; m++) if (p.constantDD[PACKED[k]![j * k + m]!] !== 0) flat.push(j, m);
    }
    pairs[code] = Int8Array.from(flat);
  });
  tables = { count: PRIMITIVE_OF_CODE.length, dMask, pairs };
  return tables;
}
let tables: { count: number; dMask: Uint8Array; pairs: Int8Array[] } | undefined;

const EMPTY_IDX = new Int32Array(0);

/** Sorted union of two sorted distinct Int32Arrays. */
function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) (out[k++] = x), i++;
    else if (y < x) (out[k++] = y), j++;
    else (out[k++] = x), i++, j++;
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return k === out.length ? out : out.slice(0, k);
}

function hashOf(a: Int32Array): number {
  let h = 0x811c9dc5 ^ a.length;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  return h;
}

function equal(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
