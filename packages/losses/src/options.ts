/** Validation of the options the loss factories take (typed errors naming the option). */
import { InputTypeError, describeValue } from '@dualtape/core';
import type { Reduction } from './loss.js';

/** `options.reduction`, default `'sum'`. @throws {InputTypeError} if not `'sum'` or `'mean'`. */
export function reductionOption(value: unknown, api: string): Reduction {
  if (value === undefined) return 'sum';
  if (value === 'sum' || value === 'mean') return value;
  throw new InputTypeError('options.reduction', describeValue(value), "'sum' or 'mean'", api);
}

/** A positive-integer option with a default. @throws {InputTypeError} otherwise. */
export function countOption(value: unknown, fallback: number, name: string, api: string, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  throw new InputTypeError(`options.${name}`, describeValue(value), `an integer ≥ ${min}`, api);
}

/** A boolean option with a default. @throws {InputTypeError} otherwise. */
export function flagOption(value: unknown, fallback: boolean, name: string, api: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new InputTypeError(`options.${name}`, describeValue(value), 'true or false', api);
}

/** One of a fixed list of strings, with a default. @throws {InputTypeError} otherwise. */
export function choiceOption<T extends string>(value: unknown, choices: readonly T[], fallback: T, name: string, api: string): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new InputTypeError(`options.${name}`, describeValue(value), `one of ${choices.map((c) => `'${c}'`).join(', ')}`, api);
}
