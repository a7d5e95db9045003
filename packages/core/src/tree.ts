/**
 * Structured inputs and outputs ("pytrees", as in JAX): a number, an array (nested arrays for
 * more dimensions, or a Float64Array), or a record of those. The engine itself only sees flat
 * Float64Arrays; this file flattens a structure and rebuilds it, and is the only place that
 * knows about structure.
 *
 * Flat order (the index map used by every flat result — gradients, Hessians, Jacobians):
 *  - an array is flattened row-major (last index fastest);
 *  - a record's keys are taken in the order `Object.keys` gives — insertion order, except that
 *    integer-like keys ("0", "12") come first in ascending order — each key's entries
 *    contiguous. So `{ mu: [m₀, m₁], sigma: [s₀, s₁] }` flattens to m₀, m₁, s₀, s₁.
 *  - a typed array (Float64Array, Float32Array, …) is read as an array of numbers; results
 *    for it come back as Float64Arrays.
 */
import { InputTypeError, ShapeError, TracerError } from './errors.js';
import { describeValue, isScalar } from './math.js';

export type TreeSpec =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'array'; readonly shape: readonly number[]; readonly typed: boolean }
  | { readonly kind: 'record'; readonly keys: readonly string[]; readonly children: readonly TreeSpec[] };

/** One leaf block of a flattened structure, for index maps and `Hessian.block`. */
export interface Leaf {
  /** Path of the block, e.g. `"mu"`, `"layers.w"`, or `""` for an unnamed input. */
  readonly path: string;
  /** First flat index. */
  readonly offset: number;
  /** Number of entries. */
  readonly size: number;
  /** Shape of the block (`[]` for a scalar). */
  readonly shape: readonly number[];
}

/** A flattened structure: its leaves in flat order, and how to rebuild it. */
export interface Flat<T> {
  readonly values: T[];
  readonly spec: TreeSpec;
  readonly leaves: Leaf[];
}

/** A plain structure of numbers that dualtape accepts as an input. */
export type Input = number | Float64Array | readonly Input[] | { readonly [key: string]: Input };

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** An array of entries: a JS array or a numeric typed array (Float64Array, Float32Array, Int32Array, …). */
type ArrayOf = ArrayLike<unknown>;
const isArrayOf = (a: unknown): a is ArrayOf => Array.isArray(a) || (ArrayBuffer.isView(a) && !(a instanceof DataView));

/** The error for an entry that is not a leaf: a traced scalar here means reverse-over-reverse. */
function notALeaf(at: string, v: unknown, expected: string, context: string): Error {
  if (isScalar(v)) {
    return new TracerError(
      `${context}: ${at} is ${describeValue(v)}; the input of ${context} must be plain numbers. ` +
        `A grad/hessian/vjp inside the f of another one (reverse over reverse) is not supported; use hvp or hessian for second derivatives.`,
    );
  }
  return new InputTypeError(at, describeValue(v), expected, context);
}

/**
 * Flatten `x`, whose leaves satisfy `isLeaf` (numbers for inputs, scalars for outputs).
 * @param name how the argument is called in error messages, e.g. `"x"`.
 * @throws {ShapeError} for ragged nested arrays. @throws {InputTypeError} for entries that are not leaves.
 */
export function flatten<T>(x: unknown, name: string, isLeaf: (v: unknown) => v is T, context: string): Flat<T> {
  const values: T[] = [];
  const leaves: Leaf[] = [];

  // `at` is built lazily (only for an error message): building "x[123]" for every entry of a
  // large input would cost more than the differentiation of a simple function.
  const visitArray = (a: unknown, shape: number[], depth: number, at: () => string): void => {
    if (depth === shape.length) {
      if (!isLeaf(a)) throw notALeaf(at(), a, 'a number', context);
      values.push(a);
      return;
    }
    const len = shape[depth]!;
    if (!isArrayOf(a) || a.length !== len) {
      const got = isArrayOf(a) ? `length ${a.length}` : describeValue(a);
      throw new ShapeError(at(), got, `length ${len} (a rectangular array of shape [${shape.join(', ')}])`, context);
    }
    if (depth === shape.length - 1) {
      for (let i = 0; i < len; i++) {
        const v = a[i];
        if (!isLeaf(v)) throw notALeaf(`${at()}[${i}]`, v, 'a number', context);
        values.push(v);
      }
      return;
    }
    for (let i = 0; i < len; i++) visitArray(a[i], shape, depth + 1, () => `${at()}[${i}]`);
  };

  const visit = (v: unknown, path: string, at: string): TreeSpec => {
    const offset = values.length;
    if (isLeaf(v)) {
      values.push(v);
      leaves.push({ path, offset, size: 1, shape: [] });
      return { kind: 'scalar' };
    }
    if (isArrayOf(v)) {
      const shape: number[] = [];
      for (let a: unknown = v; isArrayOf(a); a = a[0]) {
        shape.push(a.length);
        if (a.length === 0) break;
      }
      visitArray(v, shape, 0, () => at);
      leaves.push({ path, offset, size: values.length - offset, shape });
      return { kind: 'array', shape, typed: !Array.isArray(v) };
    }
    if (typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
      const keys = Object.keys(v);
      const children = keys.map((k) => visit((v as Record<string, unknown>)[k], join(path, k), `${at}.${k}`));
      return { kind: 'record', keys, children };
    }
    throw notALeaf(at, v, 'a number, an array of numbers, a typed array or a record of those', context);
  };

  const spec = visit(x, '', name);
  return { values, spec, leaves };
}

/**
 * Rebuild a structure of the shape `spec` from flat values. Arrays become JS arrays, except
 * that a Float64Array input is rebuilt as a Float64Array when `typedNumbers` is set (results).
 */
export function unflatten<T>(spec: TreeSpec, values: ArrayLike<T>, typedNumbers = false): unknown {
  if (spec.kind === 'array' && spec.shape.length === 1 && values.length === spec.shape[0]) {
    // the common case, a flat array: one copy, no walk
    if (!(typedNumbers && spec.typed)) return Array.from(values);
    return values instanceof Float64Array ? values.slice() : Float64Array.from(values as ArrayLike<number>); // slice: a memcpy, not an iteration
  }
  let pos = 0;
  const build = (s: TreeSpec): unknown => {
    switch (s.kind) {
      case 'scalar':
        return values[pos++];
      case 'array': {
        const size = s.shape.reduce((p, d) => p * d, 1);
        if (typedNumbers && s.typed) {
          const out = new Float64Array(size);
          for (let i = 0; i < size; i++) out[i] = values[pos++] as number;
          return out;
        }
        if (s.shape.length === 1) {
          const out = new Array<unknown>(size);
          for (let i = 0; i < size; i++) out[i] = values[pos++];
          return out;
        }
        const nest = (depth: number): unknown[] => {
          const len = s.shape[depth] ?? 0;
          const out = new Array<unknown>(len);
          for (let i = 0; i < len; i++) out[i] = depth === s.shape.length - 1 ? values[pos++] : nest(depth + 1);
          return out;
        };
        return nest(0);
      }
      case 'record': {
        const out: Record<string, unknown> = {};
        s.keys.forEach((k, i) => (out[k] = build(s.children[i]!)));
        return out;
      }
    }
  };
  return build(spec);
}

/** Human-readable shape of a structure, for error messages: `[3]`, `{mu: [2], sigma: [2]}`. */
export function describeSpec(spec: TreeSpec): string {
  switch (spec.kind) {
    case 'scalar':
      return 'a scalar';
    case 'array':
      return `shape [${spec.shape.join(', ')}]`;
    case 'record':
      return `{${spec.keys.map((k, i) => `${k}: ${describeSpec(spec.children[i]!).replace(/^shape /, '')}`).join(', ')}}`;
  }
}

/** True when two specs describe the same structure (typed-ness of arrays aside). */
export function sameStructure(a: TreeSpec, b: TreeSpec): boolean {
  if (a.kind === 'scalar' || b.kind === 'scalar') return a.kind === b.kind;
  if (a.kind === 'array') return b.kind === 'array' && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (b.kind !== 'record' || a.keys.length !== b.keys.length) return false;
  return a.keys.every((k, i) => b.keys[i] === k && sameStructure(a.children[i]!, b.children[i]!));
}
