/**
 * Shared plumbing of the public API: flatten the user's input, record `f` on a tape, and
 * check what `f` returned. Every API function is a thin wrapper over these and the sweeps.
 */
import { InputTypeError, NonScalarOutputError, ShapeError, TracerError } from '../errors.js';
import { describeValue, isScalar } from '../math.js';
import type { Scalar } from '../scalar.js';
import { Dual } from '../dual.js';
import { Tape, Tracer, recordInputs } from '../tape.js';
import { describeSpec, flatten, sameStructure, type Flat, type Leaf, type TreeSpec } from '../tree.js';

/** The scalars `f` receives for an input of type X: numbers become {@link Scalar}s, arrays become arrays of them. */
export type Traced<X> = X extends number
  ? Scalar
  : X extends Float64Array
    ? Scalar[]
    : X extends readonly (infer E)[]
      ? Traced<E>[]
      : { [K in keyof X]: Traced<X[K]> };

/** A result with the structure of X (gradients, HVPs): Float64Arrays stay Float64Arrays. */
export type Like<X> = X extends number
  ? number
  : X extends Float64Array
    ? Float64Array
    : X extends readonly (infer E)[]
      ? Like<E>[]
      : { [K in keyof X]: Like<X[K]> };

/** What a function of scalars may return: a scalar, arrays of scalars or a record of those. */
export type Output = Scalar | readonly Output[] | { readonly [key: string]: Output };

/** Output structure with its scalars replaced by numbers. */
export type Primal<O> = O extends Scalar ? number : O extends readonly (infer E)[] ? Primal<E>[] : { [K in keyof O]: Primal<O[K]> };

const isNumber = (v: unknown): v is number => typeof v === 'number';

/** Every entry a number (a loop, not `every`, which skips the holes of a sparse array). */
function allNumbers(a: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

/** A flattened numeric input: its values in flat order (`values` and `flat` may be the same array). */
export interface FlatInput {
  readonly values: ArrayLike<number>;
  readonly spec: TreeSpec;
  readonly leaves: Leaf[];
  readonly flat: Float64Array;
}

/** Flatten a numeric input `x` (see tree.ts). */
export function flattenInput(x: unknown, api: string, name = 'x'): FlatInput {
  // Fast path for the commonest input, a flat array of numbers: no tree walk.
  if (x instanceof Float64Array || (Array.isArray(x) && allNumbers(x))) {
    const n = x.length;
    const flat = new Float64Array(x as ArrayLike<number>);
    return { values: flat, spec: { kind: 'array', shape: [n], typed: !Array.isArray(x) }, leaves: [{ path: '', offset: 0, size: n, shape: [n] }], flat };
  }
  const { values, spec, leaves } = flatten(x, name, isNumber, api);
  return { values, spec, leaves, flat: new Float64Array(values) };
}

/**
 * Flatten a direction or cotangent `v` that must have the structure of `like`; a flat
 * array of the right total length is accepted too. A Float64Array of that length is returned
 * as it is, not copied: callers only read the result.
 * @throws {ShapeError} naming `name`, its shape and the expected one.
 */
export function flattenLike(v: unknown, like: { spec: TreeSpec; values: ArrayLike<unknown> }, api: string, name: string, of: string): Float64Array {
  // the common case, a flat Float64Array of the right length: no walk and no copy (callers only read it)
  if (v instanceof Float64Array && v.length === like.values.length) return v;
  const fast = recordOfVectors(v, like.spec, like.values.length);
  if (fast !== undefined) return fast;
  const f = flatten(v, name, isNumber, api);
  const flatOk = f.spec.kind === 'array' && f.spec.shape.length === 1 && f.values.length === like.values.length;
  if (!sameStructure(f.spec, like.spec) && !flatOk) {
    throw new ShapeError(name, describeSpec(f.spec), `${describeSpec(like.spec)}, the shape of ${of}`, api);
  }
  return Float64Array.from(f.values);
}

/**
 * A record of Float64Arrays with the keys (in order) and lengths of a record of vectors
 * `spec`, e.g. `{ mu, sigma }`, flattened by copying each array: no walk over the entries (a
 * Float64Array holds numbers only). Undefined for anything else, which takes the checked path.
 */
function recordOfVectors(v: unknown, spec: TreeSpec, total: number): Float64Array | undefined {
  if (spec.kind !== 'record' || typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== spec.keys.length) return undefined;
  const out = new Float64Array(total);
  let offset = 0;
  for (let i = 0; i < keys.length; i++) {
    const child = spec.children[i]!;
    const a = (v as Record<string, unknown>)[keys[i]!];
    if (keys[i] !== spec.keys[i] || child.kind !== 'array' || child.shape.length !== 1 || !(a instanceof Float64Array) || a.length !== child.shape[0]) return undefined;
    out.set(a, offset);
    offset += a.length;
  }
  return offset === total ? out : undefined;
}

/** A function recorded on a tape: its inputs, and its outputs as node indices. */
export interface Recording {
  readonly input: FlatInput;
  readonly output: Flat<Scalar>;
  /** Node index of each output scalar; −1 for an output that is a plain number (a constant). */
  readonly outNodes: Int32Array;
  /** Value of each output scalar. */
  readonly outValues: Float64Array;
}

/**
 * Record `f(x)` on `tape` (which must have begun) and stop the recording.
 * @throws {TracerError} if `f` returns a tracer of another tape or a forward-mode dual.
 */
export function record(tape: Tape, f: (x: never) => unknown, x: unknown, api: string, flattened?: FlatInput): Recording {
  if (typeof f !== 'function') throw new InputTypeError('f', describeValue(f), 'a function of x written with dualtape\'s operations', api);
  const input = flattened ?? flattenInput(x, api);
  const tracers = recordInputs(tape, input.flat);
  const out = (f as (x: unknown) => unknown)(rebuildTraced(input.spec, tracers));
  const output: Flat<Scalar> = isScalar(out) ? { values: [out], spec: { kind: 'scalar' }, leaves: [{ path: '', offset: 0, size: 1, shape: [] }] } : flatten(out, 'f(x)', isScalar, api);
  const outNodes = new Int32Array(output.values.length);
  const outValues = new Float64Array(output.values.length);
  output.values.forEach((y, k) => {
    if (typeof y === 'number') {
      outNodes[k] = -1;
      outValues[k] = y;
    } else if (y instanceof Tracer && y.tape === tape && y.epoch === tape.epoch) {
      outNodes[k] = y.index;
      outValues[k] = y.v;
    } else if (y instanceof Dual) {
      throw new TracerError(
        `${api}: f returned a forward-mode Dual; reverse mode cannot differentiate through a jvp/derivative ` +
          `whose perturbation was created outside f. Use hvp or hessian for second derivatives.`,
      );
    } else {
      throw new TracerError(`${api}: f returned a traced scalar that does not belong to this call (a leaked tracer)`);
    }
  });
  tape.end();
  return { input, output, outNodes, outValues };
}

/** Rebuild the input structure with tracers (arrays, never Float64Arrays, since these hold objects). */
function rebuildTraced(spec: TreeSpec, tracers: Tracer[]): unknown {
  if (spec.kind === 'array' && spec.shape.length === 1) return tracers; // the common case: nothing to rebuild
  let pos = 0;
  const build = (s: TreeSpec): unknown => {
    if (s.kind === 'scalar') return tracers[pos++];
    if (s.kind === 'record') return Object.fromEntries(s.keys.map((k, i) => [k, build(s.children[i]!)]));
    const nest = (d: number): unknown[] => {
      const out: unknown[] = [];
      for (let i = 0; i < s.shape[d]!; i++) out.push(d === s.shape.length - 1 ? tracers[pos++] : nest(d + 1));
      return out;
    };
    return nest(0);
  };
  return build(spec);
}

/**
 * The single output node of a scalar function.
 * @throws {NonScalarOutputError} if `f` returned anything but one scalar.
 */
export function scalarOutput(rec: Recording, api: string): number {
  if (rec.output.spec.kind !== 'scalar') {
    throw new NonScalarOutputError(api, rec.output.spec.kind === 'array' ? `an array of ${describeSpec(rec.output.spec)}` : `a record ${describeSpec(rec.output.spec)}`);
  }
  return rec.outNodes[0]!;
}

export type { Leaf };
