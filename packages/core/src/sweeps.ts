/**
 * Reverse mode, part 2: the sweeps over a recorded tape.
 *
 * Notation (Griewank & Walther, *Evaluating Derivatives*, 2nd ed., 2008): node i has value vᵢ;
 * its adjoint v̄ᵢ = ∂y/∂vᵢ; a tangent v̇ᵢ is its directional derivative along a seed direction.
 *
 * - {@link reverseSweep}: the gradient. v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ over the nodes in reverse order
 *   (G&W ch. 3, Table 3.5). Pure multiply-accumulate over the recorded partials.
 *
 * - {@link hvpSweep}: forward-over-reverse (Pearlmutter, "Fast exact multiplication by the
 *   Hessian", Neural Computation 6(1), 1994; G&W ch. 5.3). Differentiate the reverse sweep
 *   along a direction: with tangents v̇ from {@link tangentSweep},
 *       (v̄ⱼ)˙ += (v̄ᵢ)˙ · ∂vᵢ/∂vⱼ  +  v̄ᵢ · Σₘ ∂²vᵢ/∂vⱼ∂vₘ · v̇ₘ
 *   and the tangents of the inputs' adjoints are H·v. The adjoints v̄ do not depend on the
 *   direction, so they are computed once; the second partials are computed once per tape
 *   ({@link secondPartials}); each sweep then handles K directions at a time ("chunk").
 *
 * - {@link hvpByDualSweep}: the same product computed the textbook way — run the reverse sweep
 *   with dual numbers, re-deriving every partial from the rule table's *first* partials by
 *   forward mode. It is slow and is here to be read and to check the fast path, which it
 *   mirrors line for line; the two agree on every test function, which also checks the table's
 *   second partials against its first.
 *
 * Zero skipping. A term with a factor that is an exact, unperturbed zero (a zero adjoint, a
 * zero partial) contributes exactly zero and is skipped, in every sweep alike. This changes results only where the other
 * factor is NaN or ∞, i.e. in the branch not taken by `where`/select, whose NaN would otherwise
 * leak (0·NaN = NaN). It never drops a non-zero term: the second-order sweep skips a node only
 * when its adjoint *and* all its adjoint tangents are zero.
 */
import { applyCode } from './dispatch.js';
import { Dual, withTag } from './dual.js';
import { add, mul } from './math.js';
import { ARITY, OP_CONST, OP_INPUT, PRIMITIVE_OF_CODE, type PartialFn } from './rules.js';
import type { Scalar } from './scalar.js';
import { SCRATCH, type Tape } from './tape.js';

/** Entries in the packed upper triangle of a symmetric n×n matrix. */
const triangle = (n: number): number => (n * (n + 1)) / 2;

/**
 * `PACKED[n][j * n + m]` is the position of the local second partial ∂²/∂argⱼ∂argₘ in a node's
 * packed upper triangle (rules.ts, `dd`).
 */
export const PACKED: readonly (readonly number[])[] = [0, 1, 2, 3].map((n) => {
  const idx: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let m = 0; m < n; m++) {
      const r = Math.min(j, m);
      const c = Math.max(j, m);
      idx.push(r * n - (r * (r - 1)) / 2 + (c - r));
    }
  }
  return idx;
});

/**
 * The gradient sweep. On entry `adj` (length ≥ tape.size) holds the seeds (cotangents) of the
 * output nodes and zeros elsewhere; on return `adj[i]` = ∂(Σ seed·output)/∂vᵢ for every node.
 */
export function reverseSweep(tape: Tape, adj: Float64Array): void {
  const { op, arg, partial } = tape;
  let s = tape.argSize;
  for (let i = tape.size - 1; i >= 0; i--) {
    const n = ARITY[op[i]!]!;
    s -= n;
    const g = adj[i]!;
    if (g === 0) continue; // see "Zero skipping" above
    for (let j = s; j < s + n; j++) {
      const p = partial[j]!;
      if (p === 0) continue; // a NaN adjoint must not cross into a branch not taken
      const a = arg[j]!;
      adj[a] = adj[a]! + g * p;
    }
  }
}

/**
 * Every node's local second partials, packed per node (upper triangle, rules.ts order), from
 * the rule table at the recorded values. Computed once per tape and shared by all HVP sweeps.
 */
export function secondPartials(tape: Tape, into?: (length: number) => Float64Array): Float64Array {
  const { op, arg, value } = tape;
  let total = 0;
  for (let i = 0; i < tape.size; i++) total += triangle(ARITY[op[i]!]!);
  const out = into ? into(total) : new Float64Array(total);
  let s = 0;
  let q = 0;
  for (let i = 0; i < tape.size; i++) {
    const p = PRIMITIVE_OF_CODE[op[i]!];
    if (p === undefined) continue; // input or constant
    const { rule, constantDD } = p;
    const n = rule.arity;
    const a = value[arg[s]!]!;
    const b = n > 1 ? value[arg[s + 1]!]! : 0;
    const c = n > 2 ? value[arg[s + 2]!]! : 0;
    const y = value[i]!;
    for (let t = 0; t < rule.dd.length; t++) out[q++] = constantDD[t] ?? ((rule.dd[t] as PartialFn)(y, a, b, c) as number);
    s += n;
  }
  return out;
}

/**
 * Which nodes' tangents the second-order sweep can use (an activity analysis, computed once per
 * tape). {@link hvpSweep} reads a tangent v̇ₘ only in a term v̄ᵢ·∂²vᵢ/∂vⱼ∂vₘ·v̇ₘ with a
 * non-zero adjoint and second partial; and v̇ₘ is built from its arguments' tangents. So a node
 * needs its tangent if some consumer uses it that way, or needs it to build its own. The rest —
 * e.g. the running sum of a loss, whose consumers are all additions — are skipped by
 * {@link tangentSweep}: exact, since their tangents are never read.
 */
export function neededTangents(tape: Tape, adj: Float64Array, second: Float64Array, need: Uint8Array = new Uint8Array(tape.size)): Uint8Array {
  const { op, arg, partial } = tape;
  let s = tape.argSize;
  let q = second.length;
  for (let i = tape.size - 1; i >= 0; i--) {
    const n = ARITY[op[i]!]!;
    if (n === 0) continue;
    s -= n;
    q -= triangle(n);
    const packed = PACKED[n]!;
    for (let m = 0; m < n; m++) {
      const b = arg[s + m]!;
      if (need[i] && partial[s + m] !== 0) need[b] = 1; // v̇ᵢ is built from v̇_b
      if (adj[i] !== 0) for (let j = 0; j < n; j++) if (second[q + packed[j * n + m]!] !== 0) need[b] = 1;
    }
  }
  return need;
}

/**
 * out[o..o+K) += c · src[s..s+K). When c is ±∞ or NaN, entries of src that are exactly 0 are
 * skipped ("Zero skipping"): in a batch of K directions, a direction that does not reach this
 * node has tangent 0 here, and ∞·0 must not turn it into NaN — the result must not depend on
 * which directions share a batch.
 */
function accumulate(out: Float64Array, o: number, c: number, src: Float64Array, s: number, K: number, fresh: boolean): void {
  if (c - c === 0) {
    // c finite: the hot path. A fresh row (not live yet) holds stale numbers: write, don't add.
    // (0 + … turns a −0 product into +0, as adding to a zeroed row would.)
    if (fresh) for (let k = 0; k < K; k++) out[o + k] = 0 + c * src[s + k]!;
    else for (let k = 0; k < K; k++) out[o + k] = out[o + k]! + c * src[s + k]!;
  } else {
    for (let k = 0; k < K; k++) {
      const t = src[s + k]!;
      if (t !== 0) out[o + k] = (fresh ? 0 : out[o + k]!) + c * t;
      else if (fresh) out[o + k] = 0;
    }
  }
}

/**
 * Work buffers of the K-direction sweeps, node-major (row i holds node i's K entries), kept
 * across batches of directions.
 *
 * A flag per row records whether the row has been written in this batch ("live"); a row that
 * is not live stands for all zeros (whatever stale numbers it holds from an earlier batch), and
 * its first write overwrites instead of adding, so starting a batch only resets the flags. The
 * sweeps skip rows that are not live. This is exact (the skipped terms are products with an
 * all-zero row) and it is what makes a dense Hessian of a sparse problem cheap: seeded with
 * unit vectors, only the nodes that depend on the seeded inputs ever carry a tangent, so a
 * batch costs O(N) flag tests plus O(K) per live node. Read rows through {@link tangent} and
 * {@link adjointTangent}, which respect the flags.
 */
export class SweepBuffers {
  /** Tangents v̇, K per node. */
  readonly tdot: Float64Array;
  /** Tangents of the adjoints (v̄)˙, K per node. */
  readonly adjdot: Float64Array;
  /** 1 where a row of `tdot` has been written. */
  readonly tLive: Uint8Array;
  /** 1 where a row of `adjdot` has been written. */
  readonly aLive: Uint8Array;
  constructor(
    /** Number of tape nodes. */
    readonly N: number,
    /** Directions per sweep. */
    readonly K: number,
    /** Where the arrays come from: fresh ones by default, or a tape's scratch slots. */
    tape?: Tape,
  ) {
    this.tdot = tape ? tape.floats(SCRATCH.tdot, N * K) : new Float64Array(N * K);
    this.adjdot = tape ? tape.floats(SCRATCH.adjdot, N * K) : new Float64Array(N * K);
    this.tLive = tape ? tape.bytes(SCRATCH.tLive, N) : new Uint8Array(N);
    this.aLive = tape ? tape.bytes(SCRATCH.aLive, N) : new Uint8Array(N);
  }
  /** Set entry k of the seed of input node i (the row's other entries are 0 unless seeded too). */
  seed(i: number, k: number, value: number): void {
    const { K, tdot } = this;
    if (!this.tLive[i]) for (let j = i * K; j < (i + 1) * K; j++) tdot[j] = 0;
    this.tLive[i] = 1;
    tdot[i * K + k] = value;
  }
  /** Start a new batch: every row stands for zeros again. O(N) byte stores. */
  clear(): void {
    this.tLive.fill(0);
    this.aLive.fill(0);
  }
  /** Entry k of node i's tangent v̇ᵢ. */
  tangent(i: number, k: number): number {
    return this.tLive[i] ? this.tdot[i * this.K + k]! : 0;
  }
  /** Entry k of the tangent of node i's adjoint, (v̄ᵢ)˙; for an input i, (H·V)[i, k]. */
  adjointTangent(i: number, k: number): number {
    return this.aLive[i] ? this.adjdot[i * this.K + k]! : 0;
  }
}

/**
 * Forward tangent sweep for K directions at once: v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ · v̇ⱼ.
 * On entry the seeded input rows are set (`SweepBuffers.seed`); on return every node's row —
 * or, given `need` from {@link neededTangents}, the rows of the nodes that need one.
 */
export function tangentSweep(tape: Tape, buf: SweepBuffers, need?: Uint8Array): void {
  const { op, arg, partial, size } = tape;
  const { tdot, tLive, K } = buf;
  const arity = ARITY;
  let s = 0;
  for (let i = 0; i < size; i++) {
    const n = arity[op[i]!]!;
    if (need !== undefined && !need[i]) {
      s += n;
      continue;
    }
    const row = i * K;
    for (let j = s; j < s + n; j++) {
      const p = partial[j]!;
      const a = arg[j]!;
      if (p === 0 || !tLive[a]) continue; // see "Zero skipping" and SweepBuffers
      const fresh = !tLive[i];
      tLive[i] = 1;
      accumulate(tdot, row, p, tdot, a * K, K, fresh);
    }
    s += n;
  }
}

/**
 * The forward-over-reverse sweep for K directions at once (mirrors {@link hvpByDualSweep}).
 * Inputs: `adj` from {@link reverseSweep}, `second` from {@link secondPartials}, the tangents
 * in `buf` from {@link tangentSweep}. On return row i of `buf.adjdot` holds the tangents of
 * v̄ᵢ, so the input rows are the columns of H·V.
 */
export function hvpSweep(tape: Tape, adj: Float64Array, second: Float64Array, buf: SweepBuffers): void {
  const { op, arg, partial } = tape;
  const { tdot, adjdot, tLive, aLive, K } = buf;
  let s = tape.argSize;
  let q = second.length;
  for (let i = tape.size - 1; i >= 0; i--) {
    const n = ARITY[op[i]!]!;
    if (n === 0) continue;
    s -= n;
    q -= triangle(n);
    const g = adj[i]!;
    const live = aLive[i] === 1;
    if (g === 0 && !live) continue; // every term has a zero factor: see "Zero skipping"
    const row = i * K;
    // first-order terms: (v̄ⱼ)˙ += (v̄ᵢ)˙ · ∂vᵢ/∂vⱼ
    if (live) {
      for (let j = 0; j < n; j++) {
        const p = partial[s + j]!;
        if (p === 0) continue;
        const a = arg[s + j]!;
        const to = a * K;
        const fresh = !aLive[a];
        aLive[a] = 1;
        accumulate(adjdot, to, p, adjdot, row, K, fresh);
      }
    }
    // second-order terms: (v̄ⱼ)˙ += v̄ᵢ · ∂²vᵢ/∂vⱼ∂vₘ · v̇ₘ, only for arguments m with a live tangent
    if (g === 0) continue;
    const packed = PACKED[n]!;
    for (let m = 0; m < n; m++) {
      const b = arg[s + m]!;
      if (!tLive[b]) continue;
      const from = b * K;
      for (let j = 0; j < n; j++) {
        const h = second[q + packed[j * n + m]!]!;
        if (h === 0) continue;
        const a = arg[s + j]!;
        const to = a * K;
        const fresh = !aLive[a];
        aLive[a] = 1;
        accumulate(adjdot, to, g * h, tdot, from, K, fresh);
      }
    }
  }
}

/**
 * H·v by the textbook route, for teaching and as the reference for {@link hvpSweep}:
 *  1. forward: re-evaluate every node on dual numbers whose tangents are seeded with `v` on the
 *     inputs (the first `v.length` nodes);
 *  2. reverse: the ordinary adjoint sweep, but adjoints and partials are duals, the partials
 *     coming from the rule table's first-partial formulas evaluated on those duals;
 *  3. the tangent part of each input's adjoint is (H·v)ᵢ.
 * Only the rule table's first partials are used: their derivatives come from forward mode.
 */
export function hvpByDualSweep(tape: Tape, out: number, v: ArrayLike<number>): Float64Array {
  return withTag((tag) => dualSweep(tape, out, v, tag));
}

function dualSweep(tape: Tape, out: number, v: ArrayLike<number>, tag: number): Float64Array {
  const { op, arg, value } = tape;
  const val: Scalar[] = new Array<Scalar>(tape.size);
  const argsOf = (s: number, n: number): Scalar[] => Array.from({ length: n }, (_, j) => val[arg[s + j]!]!);

  // 1. forward, on duals
  let s = 0;
  for (let i = 0; i < tape.size; i++) {
    const code = op[i]!;
    const n = ARITY[code]!;
    if (code === OP_INPUT) val[i] = new Dual(tag, value[i]!, [v[i]!]);
    else if (code === OP_CONST) val[i] = value[i]!;
    else val[i] = applyCode(code, argsOf(s, n));
    s += n;
  }

  // 2. reverse, with dual adjoints
  const adj: Scalar[] = new Array<Scalar>(tape.size).fill(0);
  adj[out] = 1;
  for (let i = tape.size - 1; i >= 0; i--) {
    const n = ARITY[op[i]!]!;
    s -= n;
    const g = adj[i]!;
    if (n === 0 || g === 0) continue; // inputs and constants have no arguments to pass to
    const args = argsOf(s, n);
    const rule = PRIMITIVE_OF_CODE[op[i]!]!.rule;
    for (let j = 0; j < n; j++) {
      const p = (rule.d[j] as PartialFn)(val[i]!, args[0]!, args[1] ?? 0, args[2] ?? 0);
      if (p === 0) continue;
      const a = arg[s + j]!;
      adj[a] = add(adj[a]!, mul(g, p));
    }
  }

  // 3. read off the tangents of the inputs' adjoints
  const hv = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const a = adj[i]!;
    hv[i] = a instanceof Dual && a.tag === tag ? (a.tangents[0] as number) : 0;
  }
  return hv;
}
