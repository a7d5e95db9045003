/**
 * Record once, run many times: `compile(f, x0)` records f at x0 and turns the tape into
 * JavaScript (compile/), like JAX's `jit` or ReverseDiff.jl's compiled `GradientTape`.
 *
 * Replaying a tape at another input is exact only if f would have recorded the same tape
 * there: the same operations on the same nodes. Branches written with dualtape's operations
 * (`where`, `lt`, `max`, `abs`, …) are on the tape and are re-evaluated at every call, so they
 * are safe. A JavaScript branch on a value is not: f can only make one by reading a traced
 * value (`primal(x)` or `x.value`; operators on tracers throw), and `compile` refuses such an f
 * with a {@link ReplayError}. Numbers that f closes over (data) are baked into the tape as
 * constants, as `jit` does: compile again when they change.
 *
 * Results equal `valueAndGrad` and `hvp` on a fresh recording at the same input (the generated
 * code performs the same operations in the same order; codegen.ts), except that an exact zero
 * may have the other sign.
 */
import { InputTypeError, ReplayError, ShapeError, checkOptions } from '../errors.js';
import { describeValue } from '../math.js';
import type { Scalar } from '../scalar.js';
import { Tape } from '../tape.js';
import { unflatten, type Input } from '../tree.js';
import { generate, instantiate, type ProgramKind } from '../compile/codegen.js';
import { reroll, type Item } from '../compile/reroll.js';
import { layout, type Layout } from '../compile/layout.js';
import { forwardSubset } from '../compile/prelude.js';
import { colourHessian, recoveryPlan, type Colouring } from '../sparse/colouring.js';
import { SparsityPattern } from '../sparse/pattern.js';
import { SparseHessian } from '../sparse/sparse-matrix.js';
import { hessianSparsity } from './sparse-hessian.js';
import { flattenLike, record, scalarOutput, type Like, type Recording, type Traced } from './common.js';

type Forward = (v: Float64Array) => void;
type Reverse = (v: Float64Array, w: Float64Array, gx: Float64Array) => void;
type Tangent = (v: Float64Array, t: Float64Array) => void;
type Hvp = (v: Float64Array, t: Float64Array, w: Float64Array, u: Float64Array, hx: Float64Array) => void;
const PROGRAM_KINDS: readonly ProgramKind[] = ['forward', 'reverse', 'tangent', 'hvp'];

/**
 * An instantiated program; for a backward program, also the part of the forward program that
 * writes what it reads (compile/prelude.ts), or undefined if it reads nothing a forward program writes.
 */
interface Program<T> {
  readonly run: T;
  readonly prelude?: Tangent;
}

/**
 * A scalar function recorded once and compiled to JavaScript. Not re-entrant: its work arrays
 * are reused by every call (one call at a time, as JavaScript runs anyway).
 */
export class CompiledFunction<X extends Input> {
  /** Number of scalar inputs. */
  readonly n: number;
  /** Nodes of the recorded tape (inputs, constants and operations). */
  readonly nodes: number;
  /** Length of the work arrays: the nodes that are not held in locals of the generated loops (compile/layout.ts). */
  readonly slots: number;
  /** The tape's operations rolled back into loops (compile/reroll.ts). */
  readonly items: readonly Item[];
  private readonly out: number;
  private readonly flatInput: boolean;
  private readonly v: Float64Array;
  private w?: Float64Array;
  private t?: Float64Array;
  private u?: Float64Array;
  private readonly programs = new Map<string, unknown>();
  private readonly layout: Layout;

  /** Sparsity pattern and colouring of the Hessian, found on the first {@link sparseHessian} call. */
  private pattern?: SparsityPattern;
  private colouring?: Colouring;

  /** @internal use {@link compile} */
  constructor(
    tape: Tape,
    private readonly rec: Recording,
    private readonly f: (x: Traced<X>) => Scalar,
  ) {
    const out = scalarOutput(rec, 'compile');
    this.n = rec.input.flat.length;
    this.nodes = tape.size;
    this.flatInput = rec.input.spec.kind === 'array' && rec.input.spec.shape.length === 1;
    this.items = reroll(tape);
    this.layout = layout(tape, this.items, out);
    const { slotOf, slots } = this.layout;
    this.slots = slots;
    this.out = out < 0 ? -1 : slotOf[out]!;
    // Values by slot: constants stay; inputs (slots 0 … n−1, as they are the first nodes) are overwritten per call.
    this.v = new Float64Array(slots);
    for (let i = 0; i < tape.size; i++) if (slotOf[i]! >= 0) this.v[slotOf[i]!] = tape.value[i]!;
  }

  /** f(x). @throws {ShapeError} / {InputTypeError} if x does not have the recorded structure. */
  value(x: X): number {
    this.load(x, 'value');
    return this.evaluate();
  }

  /**
   * f(x) and ∇f(x) (structure of x): one forward and one reverse pass of generated code. The
   * reverse pass runs without zero-skipping guards first, and again with them only if the
   * gradient has a NaN (codegen.ts, `generate`).
   */
  valueAndGrad(x: X): { value: number; grad: Like<X> } {
    const value = this.value(x);
    return { value, grad: this.gradient(true) };
  }

  /**
   * ∇f(x), with the structure of x. When the reverse program recomputes everything it reads
   * (a running sum of terms, like Rosenbrock's), the forward pass is skipped altogether.
   */
  grad(x: X): Like<X> {
    this.load(x, 'grad');
    return this.gradient(false);
  }

  /** The forward program on the loaded input; returns f's value. */
  private evaluate(): number {
    if (this.out < 0) return this.rec.outValues[0]!;
    this.program<Forward>('forward').run(this.v);
    return this.v[this.out]!;
  }

  /** The reverse program (fast, then guarded if needed) on the loaded input; `evaluated`: the forward program has run. */
  private gradient(evaluated: boolean): Like<X> {
    const { n, out } = this;
    const w = (this.w ??= new Float64Array(this.slots));
    const routed = this.layout.inputsRouted;
    const gx = new Float64Array(n); // the result: the program accumulates the inputs' adjoints here
    for (const guards of [false, true]) {
      w.fill(0, 0, this.layout.accumulated);
      gx.fill(0);
      if (out < 0) break;
      const reverse = this.program<Reverse>('reverse', guards);
      if (!evaluated) reverse.prelude?.(this.v, this.v);
      if (routed && out < n) gx[out] = 1; // f returns one of its inputs
      else w[out] = 1;
      reverse.run(this.v, w, gx);
      if (!routed) gx.set(w.subarray(0, n));
      if (!this.hasNaN(gx)) break;
    }
    return this.result(gx);
  }

  /**
   * The Hessian-vector product ∇²f(x)·dir by forward-over-reverse, in two passes of generated
   * code (values with tangents, then adjoints with their tangents).
   * @throws {ShapeError} if dir does not have the structure of x
   */
  hvp(x: X, dir: Like<X>): Like<X> {
    this.load(x, 'hvp');
    return this.result(this.product(flattenLike(dir, this.rec.input, 'hvp', 'v', 'x')));
  }

  /**
   * The sparse Hessian ∇²f(x) by compiled Hessian-vector products, one per colour (see
   * {@link sparseHessian} for the method): 2 products for a per-sample loss with 2 outputs, 3
   * for a tridiagonal Hessian, whatever n. Equals `sparseHessian(f, x)` bit for bit: each
   * product is the one `hvp` gives.
   *
   * @param options.pattern the pattern to use; default {@link hessianSparsity} of f, detected on
   *   the first call and kept (it is global: it holds wherever the compiled tape is valid)
   * @param options.colouring a colouring of that pattern; default {@link colourHessian}'s
   * @throws {ShapeError} if options.pattern is over another number of inputs
   */
  sparseHessian(x: X, options: { pattern?: SparsityPattern; colouring?: Colouring } = {}): SparseHessian {
    const api = 'CompiledFunction.sparseHessian';
    checkOptions(options, api);
    const { n } = this;
    const given = options.pattern;
    if (given !== undefined && !(given instanceof SparsityPattern)) throw new InputTypeError('options.pattern', describeValue(given), 'a SparsityPattern (from hessianSparsity)', api);
    if (given !== undefined && given.n !== n) throw new ShapeError('options.pattern', `n = ${given.n}`, `n = ${n}, the number of scalars in x`, api);
    const pattern = given ?? (this.pattern ??= hessianSparsity(this.f, x));
    let colouring = options.colouring;
    if (colouring === undefined) colouring = given === undefined ? (this.colouring ??= colourHessian(pattern)) : colourHessian(pattern);
    const plan = recoveryPlan(pattern, colouring, 'options.colouring', api);
    const K = colouring.count;
    const HS = new Float64Array(n * K); // H·S, n×K row-major, as the plan reads it
    this.load(x, api);
    const seed = new Float64Array(n);
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < n; j++) seed[j] = colouring.colours[j] === k ? 1 : 0;
      const col = this.product(seed);
      for (let i = 0; i < n; i++) HS[i * K + k] = col[i]!;
    }
    return new SparseHessian(pattern, Float64Array.from(plan, (q) => HS[q]!), colouring, this.rec.input.leaves);
  }

  /** H·d at the loaded input by the generated programs (fast, then guarded if needed); a view of the inputs' adjoint tangents. */
  private product(d: Float64Array): Float64Array {
    const { n, slots } = this;
    const t = (this.t ??= new Float64Array(slots));
    const w = (this.w ??= new Float64Array(slots));
    const u = (this.u ??= new Float64Array(slots));
    const routed = this.layout.inputsRouted;
    const hx = new Float64Array(n); // the result: the program accumulates the inputs' adjoint tangents here
    t.set(d);
    for (const guards of [false, true]) {
      w.fill(0, 0, this.layout.accumulated); // constants' adjoints are never read (layout.ts)
      u.fill(0, 0, this.layout.accumulated);
      hx.fill(0);
      if (this.out < 0) break;
      const hvp = this.program<Hvp>('hvp', guards);
      hvp.prelude?.(this.v, t); // the part of the tangent program that writes what hvp reads
      w[this.out] = 1;
      hvp.run(this.v, t, w, u, hx);
      if (!routed) hx.set(u.subarray(0, n));
      if (!this.hasNaN(hx)) break;
    }
    return hx;
  }

  /** Whether an input's entry of `a` is NaN (then the guarded programs run; see valueAndGrad). */
  private hasNaN(a: Float64Array): boolean {
    // x·0 is 0 unless x is NaN or ±∞; four sums keep the adds independent (this scan is on
    // every call, over n entries). Only if one is not 0 are the entries tested one by one.
    const { n } = this;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // prettier-ignore
    let i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i]! * 0;
      s1 += a[i + 1]! * 0;
      s2 += a[i + 2]! * 0;
      s3 += a[i + 3]! * 0;
    }
    for (; i < n; i++) s0 += a[i]! * 0;
    if (s0 === 0 && s1 === 0 && s2 === 0 && s3 === 0) return false;
    for (let j = 0; j < n; j++) if (a[j] !== a[j]) return true;
    return false;
  }

  /**
   * The generated JavaScript of one program (for reading and teaching; see compile/codegen.ts),
   * with the zero-skipping guards of the interpreted sweeps (default) or without (the version
   * tried first).
   */
  source(kind: ProgramKind, guards = true): string {
    if (!PROGRAM_KINDS.includes(kind)) throw new InputTypeError('kind', describeValue(kind), `one of ${PROGRAM_KINDS.join(', ')}`, 'CompiledFunction.source');
    return generate(kind, this.layout, guards).source;
  }

  private program<T>(kind: ProgramKind, guards = true): Program<T> {
    const key = `${kind}${guards ? '' : ' fast'}`;
    let p = this.programs.get(key) as Program<T> | undefined;
    if (p === undefined) {
      const g = generate(kind, this.layout, guards);
      const forward: ProgramKind = kind === 'hvp' ? 'tangent' : 'forward';
      let prelude: Program<T>['prelude'];
      if (g.reads.size > 0) {
        const items = forwardSubset(this.layout.items, g.reads, this.slots);
        prelude = instantiate(generate(forward, { ...this.layout, items }, guards).source, forward);
      }
      p = { run: instantiate<T>(g.source, kind), prelude };
      this.programs.set(key, p);
    }
    return p;
  }

  /** Write x into the input nodes (the first n). */
  private load(x: unknown, api: string): void {
    const { v, n } = this;
    if (this.flatInput && x instanceof Float64Array && x.length === n) {
      v.set(x); // inputs are slots 0 … n−1
      return;
    }
    if (this.flatInput && Array.isArray(x) && x.length === n) {
      for (let i = 0; i < n; i++) {
        const xi = (x as ArrayLike<unknown>)[i];
        if (typeof xi !== 'number') throw new InputTypeError(`x[${i}]`, describeValue(xi), 'a number', api);
        v[i] = xi;
      }
      return;
    }
    v.set(flattenLike(x, this.rec.input, api, 'x', 'the input compile() recorded'));
  }

  /** A fresh flat result (length n) with the structure of x: the array itself for a flat Float64Array input. */
  private result(flat: Float64Array): Like<X> {
    const { spec } = this.rec.input;
    if (spec.kind === 'array' && spec.shape.length === 1 && spec.typed) return flat as Like<X>;
    return unflatten(spec, flat, true) as Like<X>;
  }
}

/**
 * Record `f` at `x` and compile its tape for repeated evaluation, gradients and
 * Hessian-vector products at other inputs of the same structure.
 *
 * @param f a scalar function written with dualtape's operations, whose control flow does not
 *   depend on the values of its inputs (see the file comment)
 * @param x the point to record at; later calls take inputs of the same structure
 * @throws {ReplayError} if f read a traced value while recording (its tape may not replay)
 * @throws {NonScalarOutputError} if f does not return one scalar
 * @example
 * const c = compile(rosenbrock, x0);
 * c.valueAndGrad(x1); // exact, no recording
 */
export function compile<X extends Input>(f: (x: Traced<X>) => Scalar, x: X): CompiledFunction<X> {
  const tape = new Tape();
  tape.begin();
  const rec = record(tape, f, x, 'compile');
  if (tape.valueReads > 0) {
    throw new ReplayError(
      `compile: f read the value of a traced scalar ${tape.valueReads} time(s) while it was recorded (primal(x) or x.value). ` +
        `Its control flow may then depend on x, and its tape may not be valid at other inputs. ` +
        `Write branches with where/lt/max/abs, which are recorded, or call grad/hvp at each input instead.`,
    );
  }
  return new CompiledFunction<X>(tape, rec, f);
}
