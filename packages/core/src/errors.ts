/**
 * Typed errors. Every error dualtape throws on bad input is one of these classes, and its
 * message names the argument, what it got (its shape or value) and what was expected.
 *
 * Mathematical NaN is *not* an error: `log(-1)` is NaN (IEEE 754), and each partial is its
 * formula evaluated there (d/dx log x = 1/x = −1), as in JAX and PyTorch. Only misuse of the API (wrong shapes, wrong types, leaked tracers, budgets) throws.
 */

/** Base class of every error dualtape throws on purpose. */
export class DualtapeError extends Error {
  override name = 'DualtapeError';
}

/**
 * An argument is not what the function expects. The message reads
 * "`context`: `argument` has/is `got`; expected `expected`".
 */
export class ArgumentError extends DualtapeError {
  override name = 'ArgumentError';
  constructor(
    /** The argument at fault, e.g. `"v"` or `"x.mu[2]"`. */
    readonly argument: string,
    /** What it was, e.g. `"shape [3]"` or `"the string \"a\""`. */
    readonly got: string,
    /** What it should have been, e.g. `"shape [2], the shape of x"`. */
    readonly expected: string,
    /** The API call or loss that raised it. */
    readonly context = '',
    verb = 'is',
  ) {
    super(`${context ? `${context}: ` : ''}${argument} ${verb} ${got}; expected ${expected}`);
  }
}

/**
 * An argument has the wrong shape or structure: a direction `v` whose shape differs from `x`,
 * a ragged nested array, a record with other keys than expected.
 */
export class ShapeError extends ArgumentError {
  override name = 'ShapeError';
  constructor(argument: string, got: string, expected: string, context = '') {
    super(argument, got, expected, context, 'has');
  }
}

/** An argument has a value of the wrong type (a string where a number was expected, …). */
export class InputTypeError extends ArgumentError {
  override name = 'InputTypeError';
}

/** `f` returned something other than one scalar where a scalar loss is required (`grad`, `hessian`, …). */
export class NonScalarOutputError extends DualtapeError {
  override name = 'NonScalarOutputError';
  constructor(
    readonly api: string,
    readonly got: string,
  ) {
    super(
      `${api}: f must return one scalar (a number or a traced scalar); it returned ${got}. ` +
        `For vector-valued f use jacrev, jacfwd or vjp.`,
    );
  }
}

/**
 * A traced scalar was used where it is no longer valid, like JAX's `UnexpectedTracerError`:
 * after the `grad`/`hessian` call that created it returned (it "leaked", e.g. stored in an outer
 * variable), or mixed with a traced scalar of another tape, or combined with a forward-mode
 * `Dual` in a way the tape cannot record.
 */
export class TracerError extends DualtapeError {
  override name = 'TracerError';
}

/**
 * A recorded tape cannot be replayed at other inputs (like JAX's `ConcretizationTypeError`):
 * while it was recorded, the function read the value of a traced scalar (`primal(x)`,
 * `x.value`), so its JavaScript control flow — and with it the tape — may depend on the input.
 */
export class ReplayError extends DualtapeError {
  override name = 'ReplayError';
}

/** A dense result would exceed the memory budget; the message says how much it needs. */
export class MemoryBudgetError extends DualtapeError {
  override name = 'MemoryBudgetError';
  constructor(
    readonly api: string,
    /** Bytes the result would need. */
    readonly needed: number,
    /** The budget in force (the `maxBytes` option). */
    readonly budget: number,
    detail: string,
  ) {
    super(
      `${api}: ${detail} needs ${formatBytes(needed)}, over the budget of ${formatBytes(budget)} ` +
        `(option maxBytes). Use hvp(f, x, v) for Hessian-vector products or hessianDiagonal(f, x) ` +
        `for the diagonal, or raise maxBytes.`,
    );
  }
}

/**
 * A value lies outside the domain a function accepts *by contract* (e.g. σ ≤ 0 given to a loss
 * parameterised by σ). Pure maths (log of a negative) is not a DomainError: it is NaN.
 */
export class DomainError extends ArgumentError {
  override name = 'DomainError';
}

/** Human-readable byte count (powers of 1024), used in error messages and benchmark tables. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/**
 * Check that an `options` argument is an object (or undefined, which the callers' defaults turn
 * into `{}`), so that `null` or a number is an InputTypeError, not a TypeError deep inside.
 * @throws {InputTypeError} naming `options`
 */
export function checkOptions(options: unknown, api: string): void {
  if (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options))) return;
  const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : `${typeof options} ${String(options)}`;
  throw new InputTypeError('options', got, 'an options object (or nothing)', api);
}
