/** Parsing of option values: numbers, `name=value` lists, name lists. */
import { CliInputError } from './errors.js';

/** A decimal number as people write it: 1, -2.5, .5, 1e-3, 6.02E23; also Infinity, -Infinity, NaN. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NAMED = /^[+-]?Infinity$|^NaN$/;
/** An identifier of the expression grammar (as jsep reads it: letters incl. non-ASCII, digits, _ and $). */
const IDENTIFIER = /^[A-Za-z_$\u0080-\uFFFF][A-Za-z0-9_$\u0080-\uFFFF]*$/;

/**
 * Parse a number strictly: the whole text must be a number (`1.3abc`, `''`, `0x10` are errors).
 * @param argument the option it came from, for the message (e.g. `--at mu`)
 * @throws {CliInputError} naming the argument and the text
 */
export function parseNumber(text: string, argument: string): number {
  const t = text.trim();
  if (NUMBER.test(t) || NAMED.test(t)) return Number(t);
  throw new CliInputError(`${argument} is ${JSON.stringify(text)}; expected a number such as 1.3, -2 or 1e-3`);
}

/**
 * Parse `name=value` pairs separated by commas (one option value or several, e.g.
 * `--at x=1.3,mu=0.2 --at sigma=0.8`).
 * @throws {CliInputError} for a malformed pair, a bad name, a non-numeric value or a name given twice
 */
export function parseAssignments(values: readonly string[], option: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const value of values) {
    for (const raw of value.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      const eq = item.indexOf('=');
      if (eq < 0) throw new CliInputError(`${option} has ${JSON.stringify(item)}; expected name=value, e.g. ${option} x=1.3,mu=0.2`);
      const name = item.slice(0, eq).trim();
      if (!IDENTIFIER.test(name)) throw new CliInputError(`${option} has the name ${JSON.stringify(name)}; expected a variable name (letters, digits, _)`);
      if (out.has(name)) throw new CliInputError(`${option} gives ${name} twice`);
      out.set(name, parseNumber(item.slice(eq + 1), `${option} ${name}`));
    }
  }
  return out;
}

/**
 * Parse a comma-separated list of names (`--wrt mu,sigma`).
 * @throws {CliInputError} for an empty list, a bad name or a repeated name
 */
export function parseNames(value: string, option: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new CliInputError(`${option} is empty; expected variable names separated by commas, e.g. ${option} mu,sigma`);
  const seen = new Set<string>();
  for (const n of names) {
    if (!IDENTIFIER.test(n)) throw new CliInputError(`${option} has ${JSON.stringify(n)}; expected variable names separated by commas`);
    if (seen.has(n)) throw new CliInputError(`${option} names ${n} twice`);
    seen.add(n);
  }
  return names;
}

/** Commander helper: collect a repeatable option's values into an array. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
