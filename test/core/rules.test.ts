/**
 * The rule table (packages/core/src/rules.ts), primitive by primitive:
 *  1. value, first and second partials against independent closed forms written here in plain
 *     Math (often in a different but equivalent form), at ordinary points;
 *  2. first partials against a fourth-order central difference of the value, second partials
 *     against one of the first partials (tolerance justified in helpers.ts);
 *  3. consistency: each second partial equals the forward-mode derivative of the first partial
 *     (the partials are written with generic ops, so they can be differentiated);
 *  4. edge points and saturation against high-precision constants.
 */
import { describe, expect, it } from 'vitest';
import { Dual, PRIM, tanh, RULES, OP_NAMES, applyPrimitive, derivative, newTag, primal, type OpName, type Scalar } from '@dualtape/core';
import { EXACT_RTOL, FD_RTOL, expectClose, fd5 } from './helpers.js';

type Ref = {
  /** Argument tuples at which to test (away from kinks and domain edges). */
  at: number[][];
  value: (...a: number[]) => number;
  /** First partials, one per argument. */
  d: (...a: number[]) => number[];
  /** Packed upper triangle of second partials. */
  dd: (...a: number[]) => number[];
};

const sech2 = (x: number) => 1 / Math.cosh(x) ** 2;
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const cmp = (test: (a: number, b: number) => boolean): Ref => ({
  at: [[1, 2], [2, 1], [-0.5, -0.5]],
  value: (a, b) => (test(a, b) ? 1 : 0),
  d: () => [0, 0],
  dd: () => [0, 0, 0],
});

/** Independent references, one per primitive; `satisfies` makes a missing one a compile error. */
const REF = {
  neg: { at: [[0.7], [-3]], value: (a) => -a, d: () => [-1], dd: () => [0] },
  square: { at: [[0.7], [-3]], value: (a) => a ** 2, d: (a) => [2 * a], dd: () => [2] },
  exp: { at: [[0.7], [-3], [5]], value: Math.exp, d: (a) => [Math.exp(a)], dd: (a) => [Math.exp(a)] },
  expm1: { at: [[0.7], [-3], [1e-9]], value: Math.expm1, d: (a) => [Math.exp(a)], dd: (a) => [Math.exp(a)] },
  log: { at: [[0.7], [3], [1e3]], value: Math.log, d: (a) => [1 / a], dd: (a) => [-1 / (a * a)] },
  log1p: { at: [[0.7], [-0.5], [1e-9]], value: Math.log1p, d: (a) => [1 / (1 + a)], dd: (a) => [-1 / (1 + a) ** 2] },
  sqrt: { at: [[0.7], [4], [1e4]], value: Math.sqrt, d: (a) => [0.5 * a ** -0.5], dd: (a) => [-0.25 * a ** -1.5] },
  abs: { at: [[0.7], [-3]], value: Math.abs, d: (a) => [a > 0 ? 1 : -1], dd: () => [0] },
  sin: { at: [[0.7], [-3]], value: Math.sin, d: (a) => [Math.cos(a)], dd: (a) => [-Math.sin(a)] },
  cos: { at: [[0.7], [-3]], value: Math.cos, d: (a) => [-Math.sin(a)], dd: (a) => [-Math.cos(a)] },
  tan: { at: [[0.7], [-1.2]], value: Math.tan, d: (a) => [1 / Math.cos(a) ** 2], dd: (a) => [(2 * Math.sin(a)) / Math.cos(a) ** 3] },
  tanh: { at: [[0.7], [-3]], value: Math.tanh, d: (a) => [1 - Math.tanh(a) ** 2], dd: (a) => [-2 * Math.tanh(a) * (1 - Math.tanh(a) ** 2)] },
  sinh: { at: [[0.7], [-3]], value: Math.sinh, d: (a) => [Math.cosh(a)], dd: (a) => [Math.sinh(a)] },
  cosh: { at: [[0.7], [-3]], value: Math.cosh, d: (a) => [Math.sinh(a)], dd: (a) => [Math.cosh(a)] },
  sigmoid: { at: [[0.7], [-3], [0]], value: sig, d: (a) => [sig(a) * (1 - sig(a))], dd: (a) => [sig(a) * (1 - sig(a)) * (1 - 2 * sig(a))] },
  softplus: { at: [[0.7], [-3], [0]], value: (a) => Math.log(1 + Math.exp(a)), d: (a) => [sig(a)], dd: (a) => [sig(a) * (1 - sig(a))] },
  floor: { at: [[0.7], [-3.5]], value: Math.floor, d: () => [0], dd: () => [0] },
  sign: { at: [[0.7], [-3.5]], value: Math.sign, d: () => [0], dd: () => [0] },
  add: { at: [[0.7, -2]], value: (a, b) => a + b, d: () => [1, 1], dd: () => [0, 0, 0] },
  sub: { at: [[0.7, -2]], value: (a, b) => a - b, d: () => [1, -1], dd: () => [0, 0, 0] },
  mul: { at: [[0.7, -2]], value: (a, b) => a * b, d: (a, b) => [b, a], dd: () => [0, 1, 0] },
  div: { at: [[0.7, -2], [3, 0.25]], value: (a, b) => a / b, d: (a, b) => [1 / b, -a / b ** 2], dd: (a, b) => [0, -1 / b ** 2, (2 * a) / b ** 3] },
  pow: {
    at: [[0.7, 2.5], [3, -1.5], [2, 0.5]],
    value: Math.pow,
    d: (a, b) => [b * a ** (b - 1), a ** b * Math.log(a)],
    dd: (a, b) => [b * (b - 1) * a ** (b - 2), a ** (b - 1) + b * a ** (b - 1) * Math.log(a), a ** b * Math.log(a) ** 2],
  },
  powi: { at: [[0.7, 3], [-2, 3], [1.5, -2]], value: Math.pow, d: (a, n) => [n * a ** (n - 1), 0], dd: (a, n) => [n * (n - 1) * a ** (n - 2), 0, 0] },
  atan2: {
    at: [[0.7, -2], [-1, 0.5]],
    value: Math.atan2,
    d: (y, x) => [x / (x * x + y * y), -y / (x * x + y * y)],
    dd: (y, x) => {
      const r4 = (x * x + y * y) ** 2;
      return [(-2 * x * y) / r4, (y * y - x * x) / r4, (2 * x * y) / r4];
    },
  },
  min: { at: [[0.7, -2], [-2, 0.7]], value: Math.min, d: (a, b) => (a < b ? [1, 0] : [0, 1]), dd: () => [0, 0, 0] },
  max: { at: [[0.7, -2], [-2, 0.7]], value: Math.max, d: (a, b) => (a > b ? [1, 0] : [0, 1]), dd: () => [0, 0, 0] },
  lt: cmp((a, b) => a < b),
  le: cmp((a, b) => a <= b),
  gt: cmp((a, b) => a > b),
  ge: cmp((a, b) => a >= b),
  eq: cmp((a, b) => a === b),
  select: { at: [[1, 0.7, -2], [0, 0.7, -2]], value: (c, a, b) => (c ? a : b), d: (c) => [0, c ? 1 : 0, c ? 0 : 1], dd: () => [0, 0, 0, 0, 0, 0] },
} satisfies Record<OpName, Ref>;

/** Evaluate a primitive's rule at numbers: value, first partials, packed second partials. */
function evalRule(op: OpName, args: number[]): { y: number; d: number[]; dd: number[] } {
  const rule = RULES[op];
  const [a = 0, b = 0, c = 0] = args;
  const y = (rule.value as (a: number, b: number, c: number) => number)(a, b, c);
  return { y, d: rule.d.map((p) => p(y, a, b, c) as number), dd: rule.dd.map((p) => p(y, a, b, c) as number) };
}

/** Index pairs (j, m), j ≤ m, in packed order. */
function packedPairs(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < n; j++) for (let m = j; m < n; m++) out.push([j, m]);
  return out;
}

/** Arguments that must stay constant (powi's integer exponent, select's condition, comparisons). */
const frozen = (op: OpName, j: number): boolean => (op === 'powi' && j === 1) || (op === 'select' && j === 0);

describe('rule table', () => {
  it('has one rule per primitive, each with arity-consistent partials', () => {
    expect(OP_NAMES.length).toBe(Object.keys(RULES).length);
    for (const op of OP_NAMES) {
      const r = RULES[op];
      expect(r.d.length, op).toBe(r.arity);
      expect(r.dd.length, op).toBe((r.arity * (r.arity + 1)) / 2);
      expect(PRIM[op].rule).toBe(r);
    }
  });

  describe.each(OP_NAMES)('%s', (op) => {
    const ref: Ref = REF[op];
    const rule = RULES[op];

    it('value and partials equal the closed forms', () => {
      for (const at of ref.at) {
        const got = evalRule(op, at);
        expectClose(got.y, ref.value(...at), EXACT_RTOL, `${op}(${at}) value`);
        expectClose(got.d, ref.d(...at), 1e-14, `${op}(${at}) d`);
        expectClose(got.dd, ref.dd(...at), 1e-14, `${op}(${at}) dd`);
      }
    });

    it('first partials are central differences of the value; second partials of the first', () => {
      for (const at of ref.at) {
        const base = evalRule(op, at);
        for (let j = 0; j < rule.arity; j++) {
          if (frozen(op, j) || 'nondiff' in rule) continue;
          const along = (t: number) => at.map((v, i) => (i === j ? t : v));
          expectClose(base.d[j]!, fd5((t) => evalRule(op, along(t)).y, at[j]!), FD_RTOL, `${op}(${at}) ∂/∂arg${j}`);
          packedPairs(rule.arity).forEach(([r, c], k) => {
            if (c !== j && r !== j) return;
            const other = r === j ? c : r;
            if (frozen(op, other)) return;
            expectClose(base.dd[k]!, fd5((t) => evalRule(op, along(t)).d[other]!, at[j]!), FD_RTOL, `${op}(${at}) ∂²/∂arg${r}∂arg${c}`);
          });
        }
      }
    });

    it('each second partial is the forward-mode derivative of the first partial', () => {
      for (const at of ref.at) {
        const base = evalRule(op, at);
        for (let j = 0; j < rule.arity; j++) {
          if (frozen(op, j)) continue;
          // Differentiate every first partial along argument j, with y recomputed from the arguments.
          const tag = newTag();
          const args: Scalar[] = at.map((v, i) => (i === j ? new Dual(tag, v, [1]) : v));
          const y = applyPrimitive(PRIM[op], args);
          packedPairs(rule.arity).forEach(([r, c], k) => {
            if (r !== j && c !== j) return;
            const other = r === j ? c : r;
            const p = rule.d[other]!(y, args[0]!, args[1] ?? 0, args[2] ?? 0);
            const dp = p instanceof Dual && p.tag === tag ? primal(p.tangents[0]!) : 0;
            expectClose(dp, base.dd[k]!, 1e-13, `${op}(${at}) d/darg${j} of ∂/∂arg${other}`);
          });
        }
      }
    });
  });
});

describe('numerically stable forms (high-precision constants)', () => {
  // Constants from mpmath at 50 digits, rounded to double.
  it('tanh′(20) = sech²(20) = 1.6993417021166355e−17, not 0', () => {
    expect(evalRule('tanh', [20]).d[0]! / 1.6993417021166355e-17).toBeCloseTo(1, 14);
    // and through the public forward mode
    expect(derivative(tanh, 20) / 1.6993417021166355e-17).toBeCloseTo(1, 14);
  });
  it('d/dx expm1 at −40 = e^−40 = 4.248354255291589e−18, not 0', () => {
    expect(evalRule('expm1', [-40]).d[0]! / 4.248354255291589e-18).toBeCloseTo(1, 14);
  });
  it('sigmoid and softplus are finite at ±800 and keep relative precision in their tails', () => {
    expect(evalRule('sigmoid', [800]).y).toBe(1);
    expect(evalRule('sigmoid', [-800]).y).toBe(0); // true value e^−800 underflows
    expect(evalRule('softplus', [800]).y).toBe(800);
    expect(evalRule('softplus', [-800]).y).toBe(0);
    expect(evalRule('softplus', [800]).d[0]).toBe(1);
    // σ′(40) = e^−40/(1+e^−40)² = 4.248354255291589e−18 (mpmath); 1 − σ(40) would give 0.
    expect(evalRule('sigmoid', [40]).d[0]! / 4.248354255291589e-18).toBeCloseTo(1, 14);
    expect(evalRule('sigmoid', [-40]).d[0]! / 4.248354255291589e-18).toBeCloseTo(1, 14);
    // σ″(40) = σ′(40)·(σ(−40) − σ(40)) ≈ −4.248354255291589e−18
    expect(evalRule('sigmoid', [40]).dd[0]! / -4.248354255291589e-18).toBeCloseTo(1, 14);
    // softplus(−40) = log1p(e^−40) = 4.248354255291589e−18 to full precision
    expect(evalRule('softplus', [-40]).y / 4.248354255291589e-18).toBeCloseTo(1, 14);
    for (const x of [800, -800]) for (const v of [...evalRule('sigmoid', [x]).d, ...evalRule('softplus', [x]).dd]) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('conventions at kinks and domain edges', () => {
  it('d|x|/dx at 0 is 0', () => expect(evalRule('abs', [0]).d).toEqual([0]));
  it('max and min give ½ to each argument at a tie', () => {
    expect(evalRule('max', [2, 2]).d).toEqual([0.5, 0.5]);
    expect(evalRule('min', [-1, -1]).d).toEqual([0.5, 0.5]);
  });
  it('atan2 at (0, 0) has NaN partials', () => {
    const { d, dd } = evalRule('atan2', [0, 0]);
    for (const v of [...d, ...dd]) expect(v).toBeNaN();
  });
  it('d/db bᵉ at b = 0 is the one-sided limit: 0 for e > 1, 1 for e = 1, +∞ for 0 < e < 1', () => {
    expect(evalRule('pow', [0, 2.5]).d[0]).toBe(0);
    expect(evalRule('pow', [0, 1]).d[0]).toBe(1);
    expect(evalRule('pow', [0, 0.5]).d[0]).toBe(Infinity);
    expect(evalRule('pow', [0, 0]).d[0]).toBe(0); // b⁰ ≡ 1
  });
  it('d/de bᵉ at b = 0 is 0 (not 0·log 0 = NaN)', () => {
    for (const e of [0.5, 1, 2.5]) expect(evalRule('pow', [0, e]).d[1]).toBe(0);
  });
  it('second partials of pow at b = 0 follow the stated limits', () => {
    expect(evalRule('pow', [0, 2]).dd[0]).toBe(2);
    expect(evalRule('pow', [0, 1]).dd[0]).toBe(0);
    expect(evalRule('pow', [0, 3]).dd[0]).toBe(0);
    expect(evalRule('pow', [0, 1.5]).dd[0]).toBe(Infinity);
  });
  it('powi handles n = 0 and negative bases', () => {
    expect(evalRule('powi', [0, 0]).d[0]).toBe(0);
    expect(evalRule('powi', [0, 1]).dd[0]).toBe(0);
    expect(evalRule('powi', [-2, 3])).toEqual({ y: -8, d: [12, 0], dd: [-12, 0, 0] });
  });
  it('sqrt at 0: derivative +∞ (one-sided limit); log of a negative: NaN value and derivative (IEEE)', () => {
    expect(evalRule('sqrt', [0]).d[0]).toBe(Infinity);
    expect(evalRule('log', [-1]).y).toBeNaN();
    expect(evalRule('sqrt', [-1]).d[0]).toBeNaN();
  });
  it('select treats NaN and 0 as false, anything else as true', () => {
    expect(evalRule('select', [NaN, 1, 2]).y).toBe(2);
    expect(evalRule('select', [-3, 1, 2]).y).toBe(1);
  });
});
