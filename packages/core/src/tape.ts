/**
 * Reverse mode, part 1: the tape and the traced scalar that records onto it.
 *
 * The tape is a struct of typed arrays (as in CppAD and ReverseDiff.jl), one entry per node:
 *
 *   node i:  op[i]     Uint8    opcode: OP_INPUT, OP_CONST or a primitive (rules.ts)
 *            value[i]  Float64  the primal value
 *   and, for each of the node's `ARITY[op[i]]` arguments, in a second pair of arrays indexed by
 *   "argument slot" (the slots of node i follow those of node i − 1):
 *            arg[s]     Int32   index of the argument's node
 *            partial[s] Float64 ∂value[i]/∂value[arg[s]], computed while recording
 *
 * So a unary node costs 1 + 8 + 12 = 21 bytes, a binary node 33, an input or constant 9.
 * Because the local partials are recorded in the forward pass, the reverse sweep (sweeps.ts)
 * only multiplies and accumulates; it never calls a rule. Arrays grow by doubling; `reset` is
 * O(1) (it rewinds the counters).
 *
 * Recording order is topological by construction (a node's arguments exist before it), so the
 * reverse sweep is a single backward loop.
 */
import { TracerError, InputTypeError } from './errors.js';
import { ScalarMethods } from './methods.js';
import { describeValue } from './math.js';
import {
  ARITY,
  OP_CONST,
  OP_INPUT,
  type BinaryRule,
  type Primitive,
  type TernaryRule,
  type UnaryRule,
} from './rules.js';
import type { Scalar } from './scalar.js';

export class Tape {
  /** Opcode per node. */
  op: Uint8Array;
  /** Primal value per node. */
  value: Float64Array;
  /** Number of nodes recorded. */
  size = 0;
  /** Argument node index per argument slot. */
  arg: Int32Array;
  /** Local partial derivative per argument slot. */
  partial: Float64Array;
  /** Number of argument slots used. */
  argSize = 0;
  /**
   * Changes whenever recording starts or stops; a tracer is valid only while its epoch equals
   * the tape's (this is how leaked tracers are caught).
   */
  epoch = 0;
  /**
   * How many times user code read the value of one of this recording's tracers (`primal(x)`,
   * `x.value`). A read may steer JavaScript control flow, so a tape with reads is not safe to
   * replay at other inputs (see compile.ts). The rule table's own reads are not counted.
   */
  valueReads = 0;

  constructor(nodeCapacity = 1024) {
    this.op = new Uint8Array(nodeCapacity);
    this.value = new Float64Array(nodeCapacity);
    this.arg = new Int32Array(2 * nodeCapacity);
    this.partial = new Float64Array(2 * nodeCapacity);
  }

  /** Start a new recording: O(1), the arrays are kept. Invalidates all earlier tracers. */
  begin(): void {
    this.size = 0;
    this.argSize = 0;
    this.valueReads = 0;
    this.epoch++;
  }

  /** Stop recording. The arrays stay readable for sweeps; all tracers become invalid. */
  end(): void {
    this.epoch++;
  }

  /** Bytes of the recorded nodes (not of the spare capacity). */
  get bytesUsed(): number {
    return this.size * (1 + 8) + this.argSize * (4 + 8);
  }

  /** Append a node with no arguments (an input or a constant); returns its index. */
  pushLeaf(code: number, value: number): number {
    if (this.size === this.op.length) this.growNodes();
    const i = this.size++;
    this.op[i] = code;
    this.value[i] = value;
    return i;
  }

  /** Append a node with one argument; returns its index. */
  push1(code: number, value: number, a: number, pa: number): number {
    if (this.size === this.op.length) this.growNodes();
    if (this.argSize + 1 > this.arg.length) this.growArgs();
    const i = this.size++;
    this.op[i] = code;
    this.value[i] = value;
    const s = this.argSize++;
    this.arg[s] = a;
    this.partial[s] = pa;
    return i;
  }

  /** Append a node with two arguments; returns its index. */
  push2(code: number, value: number, a: number, pa: number, b: number, pb: number): number {
    if (this.size === this.op.length) this.growNodes();
    if (this.argSize + 2 > this.arg.length) this.growArgs();
    const i = this.size++;
    this.op[i] = code;
    this.value[i] = value;
    const s = this.argSize;
    this.argSize = s + 2;
    this.arg[s] = a;
    this.partial[s] = pa;
    this.arg[s + 1] = b;
    this.partial[s + 1] = pb;
    return i;
  }

  /** Append a node with three arguments; returns its index. */
  push3(code: number, value: number, a: number, pa: number, b: number, pb: number, c: number, pc: number): number {
    if (this.size === this.op.length) this.growNodes();
    if (this.argSize + 3 > this.arg.length) this.growArgs();
    const i = this.size++;
    this.op[i] = code;
    this.value[i] = value;
    const s = this.argSize;
    this.argSize = s + 3;
    this.arg[s] = a;
    this.partial[s] = pa;
    this.arg[s + 1] = b;
    this.partial[s + 1] = pb;
    this.arg[s + 2] = c;
    this.partial[s + 2] = pc;
    return i;
  }

  private growNodes(): void {
    this.op = doubled(this.op);
    this.value = doubled(this.value);
  }

  private growArgs(): void {
    this.arg = doubled(this.arg);
    this.partial = doubled(this.partial);
  }

  /**
   * A zeroed Float64Array of length n from scratch slot `slot` (see {@link SCRATCH}). The sweeps'
   * work arrays come from here, so that repeated calls on a pooled tape allocate nothing. Valid
   * until the same slot is asked for again; never hand one to the user. Arrays above
   * {@link SCRATCH_KEEP_BYTES} are allocated fresh and not kept, so a tape does not hold on to
   * the memory of one huge Hessian.
   */
  floats(slot: number, n: number): Float64Array {
    return scratch(this.scratchFloats, slot, n, Float64Array);
  }

  /** The same as {@link floats} for flags (Uint8Array). */
  bytes(slot: number, n: number): Uint8Array {
    return scratch(this.scratchBytes, slot, n, Uint8Array);
  }

  private readonly scratchFloats: Float64Array[] = [];
  private readonly scratchBytes: Uint8Array[] = [];

  /** Sanity: each node's argument count per the opcode table adds up to `argSize`. */
  countArgs(): number {
    let s = 0;
    for (let i = 0; i < this.size; i++) s += ARITY[this.op[i]!]!;
    return s;
  }
}

/** Scratch slots of a tape (Tape.floats / Tape.bytes). */
export const SCRATCH = { adj: 0, second: 1, tdot: 2, adjdot: 3, tLive: 0, aLive: 1, need: 2 } as const;
/** Scratch arrays larger than this are not kept with the tape. */
export const SCRATCH_KEEP_BYTES = 2 ** 23;

function scratch<T extends Float64Array | Uint8Array>(kept: T[], slot: number, n: number, Type: new (n: number) => T): T {
  const bytes = n * (Type as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (bytes > SCRATCH_KEEP_BYTES) return new Type(n);
  let a = kept[slot];
  if (a === undefined || a.length < n) {
    // grow geometrically, but never past the cap (n itself is within it)
    const keep = Math.floor(SCRATCH_KEEP_BYTES / (Type as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
    a = new Type(Math.min(Math.max(n, 2 * (a?.length ?? 0)), keep));
    kept[slot] = a;
  }
  const view = a.subarray(0, n) as T;
  view.fill(0);
  return view;
}

/** A copy of `a` in an array of twice its length. */
function doubled<T extends Uint8Array | Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/**
 * A traced scalar: the handle user code computes with while a tape records. It holds its
 * node's index and value. Valid only during the call that created it; using it afterwards
 * throws {@link TracerError}.
 */
export class Tracer extends ScalarMethods {
  constructor(
    readonly tape: Tape,
    readonly index: number,
    /** The primal value, for dualtape's own use: reading it is not counted as a value read. */
    readonly v: number,
    readonly epoch: number,
  ) {
    super();
  }
  /** The primal value. Reading it counts as a value read of the recording (Tape.valueReads). */
  get value(): number {
    if (this.epoch === this.tape.epoch) this.tape.valueReads++;
    return this.v;
  }
  override toString(): string {
    return `Tracer(${this.v})`;
  }
}

/** Create the input nodes of a fresh recording, one per entry of `x`, and their tracers. */
export function recordInputs(tape: Tape, x: ArrayLike<number>): Tracer[] {
  const out = new Array<Tracer>(x.length);
  for (let i = 0; i < x.length; i++) out[i] = new Tracer(tape, tape.pushLeaf(OP_INPUT, x[i]!), x[i]!, tape.epoch);
  return out;
}

/** The node index of an operand on `tape`: a tracer's own, or a new constant node for a number. */
function operandIndex(tape: Tape, x: Scalar, op: string): number {
  if (typeof x === 'number') return tape.pushLeaf(OP_CONST, x);
  if (x instanceof Tracer) {
    if (x.tape !== tape) {
      throw new TracerError(
        `${op}: traced scalars from two different tapes were combined (a tracer from another grad/hessian call leaked into this one)`,
      );
    }
    if (x.epoch !== tape.epoch) throw staleTracer(op, x);
    return x.index;
  }
  throw new InputTypeError('argument', describeValue(x), 'a number or a scalar of dualtape', op);
}

function staleTracer(op: string, x: Tracer): TracerError {
  return new TracerError(
    `${op}: a traced scalar (value ${x.v}) was used after the grad/hessian/vjp call that created it returned. ` +
      `Tracers are only valid inside the function being differentiated; return what you need instead of storing tracers.`,
  );
}

/** The tape of the first tracer among the arguments (no rest parameters: this is the hot path). */
function tapeOf(op: string, a: Scalar, b: Scalar = 0, c: Scalar = 0): Tape {
  if (a instanceof Tracer) return a.tape;
  if (b instanceof Tracer) return b.tape;
  if (c instanceof Tracer) return c.tape;
  const bad = [a, b, c].find((x) => typeof x !== 'number');
  throw new InputTypeError('argument', describeValue(bad), 'a number or a scalar of dualtape', op);
}

const valueOf = (x: Scalar): number => (typeof x === 'number' ? x : (x as Tracer).v);

/** Record a unary primitive applied to a tracer. */
export function record1({ name: op, code, rule, constantD }: Primitive<UnaryRule>, a: Scalar): Tracer {
  const tape = tapeOf(op, a);
  const ia = operandIndex(tape, a, op);
  const av = valueOf(a);
  const y = rule.value(av);
  const pa = constantD[0] ?? (rule.d[0](y, av, 0, 0) as number);
  return new Tracer(tape, tape.push1(code, y, ia, pa), y, tape.epoch);
}

/** Record a binary primitive; at least one argument is a tracer, a number becomes a constant node. */
export function record2({ name: op, code, rule, constantD }: Primitive<BinaryRule>, a: Scalar, b: Scalar): Tracer {
  const tape = tapeOf(op, a, b);
  const ia = operandIndex(tape, a, op);
  const ib = operandIndex(tape, b, op);
  const av = valueOf(a);
  const bv = valueOf(b);
  const y = rule.value(av, bv);
  const pa = constantD[0] ?? (rule.d[0](y, av, bv, 0) as number);
  const pb = constantD[1] ?? (rule.d[1](y, av, bv, 0) as number);
  return new Tracer(tape, tape.push2(code, y, ia, pa, ib, pb), y, tape.epoch);
}

/** Record a ternary primitive (select, or a fused primitive of three arguments). */
export function record3({ name: op, code, rule }: Primitive<TernaryRule>, a: Scalar, b: Scalar, c: Scalar): Tracer {
  const tape = tapeOf(op, a, b, c);
  const ia = operandIndex(tape, a, op);
  const ib = operandIndex(tape, b, op);
  const ic = operandIndex(tape, c, op);
  const av = valueOf(a);
  const bv = valueOf(b);
  const cv = valueOf(c);
  const y = rule.value(av, bv, cv);
  const [da, db, dc] = rule.d;
  return new Tracer(tape, tape.push3(code, y, ia, da(y, av, bv, cv) as number, ib, db(y, av, bv, cv) as number, ic, dc(y, av, bv, cv) as number), y, tape.epoch);
}

// ------------------------------------------------------------------ a pool of tapes
const pool: Tape[] = [];
/** Tapes with room for more nodes than this are not returned to the pool (≈ 40 MiB at this size). */
const POOL_KEEP_NODES = 2 ** 20;

/**
 * Run `body` with a tape that is recording, then stop the recording and return the tape to a
 * pool so that its arrays are reused by the next call (no allocation in steady state).
 * `body` must not keep the tape after it returns; use `new Tape()` for tapes that outlive a call.
 */
export function withTape<R>(body: (tape: Tape) => R): R {
  const tape = pool.pop() ?? new Tape();
  tape.begin();
  try {
    return body(tape);
  } finally {
    tape.end();
    // Keep tapes of ordinary size for reuse; let a huge one go, so that one big computation
    // does not pin its memory for the life of the process.
    if (tape.op.length <= POOL_KEEP_NODES) pool.push(tape);
  }
}
