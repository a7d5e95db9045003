/**
 * Batches of per-sample arrays, as the losses accept them, flattened sample-major.
 *
 * `outputs` (and `targets`) for n samples with d entries each may be given as
 *  - nested: an array of n rows, each an array of d entries (`outputs[i][k]`), or
 *  - flat: an array or Float64Array of length n·d, sample-major (entry k of sample i at i·d + k);
 *    for d = 1 this is simply an array of n entries.
 * Both flatten to the same sample-major order, which is also the order of every gradient,
 * BlockDiagonal and dense matrix the losses return.
 */
import { InputTypeError, ShapeError, describeValue } from '@dualtape/core';

/** n samples of d entries each: nested `T[n][d]`, or flat `T[n·d]` (sample-major). */
export type Batch<T> = readonly T[] | readonly (readonly T[])[] | (T extends number ? Float64Array : never);

/** A flattened batch: n samples of `per` entries, flat sample-major. */
export interface Flat<T> {
  readonly n: number;
  /** The entries, sample-major: the argument itself when it was flat (not copied), else a new array. */
  readonly values: ArrayLike<T>;
  /** How the argument looked, for error messages: `"shape [3, 2]"` or `"length 6"`. */
  readonly shape: string;
}

/**
 * Flatten a batch with `per` entries per sample.
 * @param name the argument's name in messages (`"outputs"`, `"targets"`)
 * @param what a description of one sample's entries, e.g. `"2 outputs per sample (mu, sigma)"`
 * @throws {ShapeError} if the rows are not all of length `per`, if a flat length is not a
 *   multiple of `per`, or if there are no samples
 * @throws {InputTypeError} if an entry is not a leaf (`isLeaf`)
 */
export function flattenBatch<T>(
  x: unknown,
  per: number,
  name: string,
  what: string,
  isLeaf: (v: unknown) => v is T,
  api: string,
): Flat<T> {
  if (!(Array.isArray(x) || x instanceof Float64Array)) {
    throw new InputTypeError(name, describeValue(x), `an array of samples (nested [n][${per}] or flat of length ${per}·n)`, api);
  }
  let values: T[] | typeof x = [];
  let shape: string;
  if (x.length > 0 && Array.isArray(x[0])) {
    shape = `shape [${x.length}, ${(x[0] as unknown[]).length}]`;
    for (let i = 0; i < x.length; i++) {
      const row: unknown = x[i];
      if (!Array.isArray(row)) throw new InputTypeError(`${name}[${i}]`, describeValue(row), `an array of ${what}, like ${name}[0]`, api);
      if (row.length !== per) throw new ShapeError(`${name}[${i}]`, `length ${row.length}`, `length ${per}: ${what}`, api);
      for (let k = 0; k < per; k++) {
        const v: unknown = row[k];
        if (!isLeaf(v)) throw notLeaf(v, `${name}[${i}][${k}]`);
        (values as T[]).push(v);
      }
    }
  } else {
    shape = `length ${x.length}`;
    if (x.length % per !== 0) throw new ShapeError(name, shape, `a multiple of ${per} (a flat, sample-major array with ${what}), or nested [n][${per}]`, api);
    for (let i = 0; i < x.length; i++) {
      const v: unknown = x[i];
      if (!isLeaf(v)) throw notLeaf(v, per === 1 ? `${name}[${i}]` : `${name}[${i}] (sample ${Math.floor(i / per)})`);
    }
    values = x; // flat already: checked, not copied
  }
  if (values.length === 0) throw new ShapeError(name, `no samples (${shape})`, 'at least one sample', api);
  return { n: values.length / per, values: values as ArrayLike<T>, shape };

  // The message is built only on failure: this check runs once per entry of large batches.
  function notLeaf(v: unknown, at: string): InputTypeError {
    return new InputTypeError(at, describeValue(v), 'a number', api);
  }
}

/** True for a JavaScript number (finite or not). */
export const isNumber = (v: unknown): v is number => typeof v === 'number';
