/** The expression grammar (unit level): precedence, numbers, errors with columns, size limits. */
import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError } from '../../packages/cli/src/errors.js';
import { compile, evaluate } from '../../packages/cli/src/expr/program.js';
import { MAX_NESTING } from '../../packages/cli/src/expr/parse.js';

const value = (expr: string, vars: Record<string, number> = {}): number => {
  const p = compile(expr);
  return evaluate(p, p.variables.map((v) => vars[v]!)) as number;
};

/** The error a bad expression throws, or fails the test. */
function syntaxError(expr: string): ExpressionSyntaxError {
  try {
    compile(expr);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return err;
    throw err;
  }
  throw new Error(`${expr} compiled`);
}

describe('precedence and associativity', () => {
  it.each([
    ['-x^2', { x: 3 }, -9], // ^ binds tighter than unary minus
    ['(-x)^2', { x: 3 }, 9],
    ['2^3^2', {}, 512], // right-associative
    ['(2^3)^2', {}, 64],
    ['2^-1', {}, 0.5], // a sign in an exponent
    ['-2^-2', {}, -0.25],
    ['2^-x^2', { x: 1 }, 0.5], // 2^(-(x^2))
    ['- - x', { x: 4 }, 4],
    ['+x', { x: 4 }, 4],
    ['a - b - c', { a: 10, b: 3, c: 2 }, 5], // left-associative
    ['a / b / c', { a: 12, b: 3, c: 2 }, 2],
    ['1 + 2 * 3 ^ 2', {}, 19],
    ['a*-b', { a: 2, b: 3 }, -6],
    ['2*x^3/4', { x: 2 }, 4],
  ])('%s = %d', (expr, vars, want) => expect(value(expr, vars)).toBe(want));

  it('numbers: decimals, exponents, a leading dot', () => {
    expect(value('1e-3')).toBe(0.001);
    expect(value('2.5E+2')).toBe(250);
    expect(value('.5')).toBe(0.5);
  });

  it('functions and constants', () => {
    expect(value('pow(2, 10) + max(1, 2) + min(1, 2)')).toBe(1027);
    expect(value('atan2(1, 1)')).toBe(Math.PI / 4);
    expect(value('pi')).toBe(Math.PI);
    expect(value('e')).toBe(Math.E);
    expect(value('softplus(0)')).toBe(Math.LN2);
    expect(value('sigmoid(0) + square(3)')).toBe(9.5);
  });

  it('variables in order of first appearance; non-ASCII names', () => {
    expect(compile('b*a + b + σ').variables).toEqual(['b', 'a', 'σ']);
  });
});

describe('syntax errors carry the column', () => {
  it.each([
    ['x + * 2', 4, /Expected expression/],
    ['x +', 3, /Expected expression after \+/],
    ['(x + 1', 6, /missing "\)"/],
    ['x)', 1, /Unexpected "\)"/],
    ['2x', 1, /cannot start with a number/],
    ['x y', 2, /expected an operator/],
    ['x, y', 1, /"," outside a function call/],
    ['exp(x) + foo(x)', 9, /unknown function foo/],
    ['1 + exp(1, 2)', 4, /exp takes 1 argument, got 2/],
    ['2 * exp', 4, /exp is a function/],
    ['a.b', 0, /not part of the grammar/],
    ['x ? 1 : 2', 2, /Unexpected "\?"/],
    ['x ** 2', 2, /use \^ for powers/],
    ['x^', 2, /operand after "\^"/],
    ['-', 1, /operand after the sign/],
    ['!x', 0, /Unexpected "!"/],
    ['"s"', 0, /is not a number/],
    ['true', -1, null], // not a literal: an ordinary variable name
    ['', 0, /empty/],
  ])('%j at column %i', (expr, column, message) => {
    if (message === null) return expect(compile(expr).variables).toEqual([expr]);
    const err = syntaxError(expr);
    expect(err.column).toBe(column);
    expect(err.message).toMatch(message);
    const [, shown, caret] = err.display().split('\n');
    expect(shown).toBe(`  ${expr}`);
    expect(caret).toBe(' '.repeat(2 + column) + '^');
  });

  it('long expressions show a window around the column', () => {
    const expr = 'x+'.repeat(1000) + ')';
    const err = syntaxError(expr);
    const [, shown, caret] = err.display().split('\n');
    expect(shown!.length).toBeLessThan(90);
    expect(shown!.startsWith('  …')).toBe(true);
    expect(shown![caret!.length - 1]).toBe(')');
  });
});

describe('size limits', () => {
  it('a 10⁵-character sum, sign chain and power tower parse and evaluate without recursion', () => {
    expect(value(Array.from({ length: 50_000 }, () => 'x').join('+'), { x: 1 })).toBe(50_000);
    expect(value('-'.repeat(100_000) + 'x', { x: 2 })).toBe(2);
    expect(value(Array.from({ length: 50_000 }, () => '1').join('^'))).toBe(1);
  });

  it(`nesting is accepted up to ${MAX_NESTING} levels and is an error beyond`, () => {
    const nest = (k: number) => '('.repeat(k) + 'x' + ')'.repeat(k);
    expect(value(nest(MAX_NESTING), { x: 5 })).toBe(5);
    expect(value('exp('.repeat(MAX_NESTING - 1) + '0' + ')'.repeat(MAX_NESTING - 1))).toBeGreaterThan(1);
    const err = syntaxError(nest(100_000));
    expect(err.column).toBe(MAX_NESTING);
    expect(err.message).toMatch(/nested deeper than/);
  });
});
