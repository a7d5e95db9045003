/**
 * Test helpers: a fourth-order central difference and a relative-closeness matcher whose
 * tolerances are stated and justified once, here.
 */
import { expect } from 'vitest';

const EPS = Number.EPSILON;

/**
 * Five-point central difference f′(x) ≈ [f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)] / 12h.
 * Truncation error h⁴|f⁽⁵⁾|/30; rounding error ≈ 1.5·ε·|f|/h. With h = ε^{1/5}·max(1, |x|)
 * ≈ 7.4e−4 both are ≈ 1e−13·(scale), so a relative tolerance of {@link FD_RTOL} leaves a
 * margin of 10⁴–10⁵ for functions whose fifth derivative is large compared with the first.
 */
export function fd5(f: (x: number) => number, x: number): number {
  const h = Math.pow(EPS, 1 / 5) * Math.max(1, Math.abs(x));
  return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);
}
/** See {@link fd5}. */
export const FD_RTOL = 1e-8;

/**
 * Two exact computations of the same quantity that differ only in rounding (different
 * association orders, a few operations): allow 64 ulps relative to max(1, |a|, |b|).
 */
export const EXACT_RTOL = 64 * EPS;

/** Assert |a − b| ≤ rtol·max(1, |a|, |b|) entry by entry; NaN matches NaN, ±∞ must match exactly. */
export function expectClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, rtol = EXACT_RTOL, what = ''): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length, `${what} length`).toBe(e.length);
  a.forEach((ai, i) => {
    const ei = e[i]!;
    if (Number.isNaN(ei) || !Number.isFinite(ei)) {
      expect(ai, `${what}[${i}]`).toBe(ei);
      return;
    }
    const bound = rtol * Math.max(1, Math.abs(ai), Math.abs(ei));
    if (!(Math.abs(ai - ei) <= bound)) expect.fail(`${what}[${i}]: got ${ai}, expected ${ei} (|diff| ${Math.abs(ai - ei)} > ${bound})`);
  });
}

/** Flatten nested number arrays (for comparing Matrix.toArray() output). */
export const flat = (m: number[][]): number[] => m.flat();
