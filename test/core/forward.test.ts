/** Forward mode (dual.ts, api/forward.ts): nesting, tags, chunks, jvp/derivative/jacfwd. */
import { describe, expect, it } from 'vitest';
import {
  Dual,
  newTag,
  ShapeError,
  TracerError,
  add,
  chooseChunk,
  CHUNK_THRESHOLD,
  derivative,
  exp,
  jacfwd,
  jacrev,
  jvp,
  log,
  mul,
  sin,
  sqrt,
  sub,
  where,
  gt,
  type Scalar,
} from '@dualtape/core';
import { expectClose } from './helpers.js';

describe('perturbation confusion (Siskind & Pearlmutter 2005)', () => {
  it('d/dx [x · d/dy (x + y)] at x = 1 is exactly 1', () => {
    expect(derivative((x) => mul(x, derivative((y) => add(x, y), 1)), 1)).toBe(1);
  });
  it('d/dx [x · d/dy (x·y)] at x = 4 is exactly 8', () => {
    expect(derivative((x) => mul(x, derivative((y) => mul(x, y), 2)), 4)).toBe(8);
  });
  it('nested derivatives give higher derivatives: d³/dx³ eˣ sin x at 0.3', () => {
    const f = (x: Scalar) => mul(exp(x), sin(x));
    const d3 = derivative((a) => derivative((b) => derivative(f, b), a), 0.3);
    // (eˣ sin x)‴ = 2eˣ(cos x − sin x)
    expectClose(d3, 2 * Math.exp(0.3) * (Math.cos(0.3) - Math.sin(0.3)), 1e-14);
  });
  it('an inner derivative that does not depend on the outer variable is treated as a constant', () => {
    // d/dx [ d/dy (y²) at y = x ] = d/dx 2x = 2
    expect(derivative((x) => derivative((y) => mul(y, y), x), 5)).toBe(2);
  });
});

describe('jvp', () => {
  it('computes J·v for a vector function with structured input', () => {
    const f = (p: { a: Scalar[]; b: Scalar }) => [mul(p.a[0]!, p.b), add(p.a[1]!, exp(p.b))];
    const { value, tangent } = jvp(f, { a: [2, 3], b: 0.5 }, { a: [1, 0], b: 2 });
    expectClose(value as number[], [1, 3 + Math.exp(0.5)]);
    // J = [[b, 0, a0], [0, 1, e^b]] · (1, 0, 2)
    expectClose(tangent as number[], [0.5 + 2 * 2, 2 * Math.exp(0.5)]);
  });
  it('rejects a direction whose shape differs from x, naming v and both shapes', () => {
    expect(() => jvp((x: Scalar[]) => x[0]!, [1, 2], [1, 2, 3])).toThrowError(ShapeError);
    expect(() => jvp((x: Scalar[]) => x[0]!, [1, 2], [1, 2, 3])).toThrowError(/v has shape \[3\]; expected shape \[2\]/);
  });
  it('takes the derivative of the branch taken by where, with no NaN from the other branch', () => {
    const f = (x: Scalar) => where(gt(x, 0), sqrt(x), mul(-1, x));
    expect(derivative(f, -4)).toBe(-1);
    expectClose(derivative(f, 4), 0.25);
  });
  it('throws when a traced scalar meets JavaScript operators', () => {
    expect(() => derivative((x) => (x as unknown as number) * 2, 1)).toThrowError(TracerError);
  });
});

describe('jacfwd: chunk sizes 1, middle, threshold and threshold + 1 agree with jacrev', () => {
  const f = (x: Scalar[]) => x.map((xi, i) => mul(log(add(2, mul(xi, xi))), x[(i + 1) % x.length]!));
  for (const n of [1, 7, CHUNK_THRESHOLD, CHUNK_THRESHOLD + 1]) {
    it(`n = ${n}`, () => {
      const x = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const ref = jacrev(f, x);
      for (const chunk of [1, Math.max(1, Math.floor(n / 2)), CHUNK_THRESHOLD, CHUNK_THRESHOLD + 1]) {
        const J = jacfwd(f, x, { chunk });
        expect(J.rows).toBe(n);
        expectClose(J.data, ref.data, 1e-15, `chunk ${chunk}`);
      }
    });
  }
  it('the default chunk follows the stated rule', () => {
    expect(CHUNK_THRESHOLD).toBe(32);
    expect([1, 7, 32, 33, 64, 65, 100].map((n) => chooseChunk(n))).toEqual([1, 7, 32, 17, 32, 22, 25]);
  });
});

describe('Dual', () => {
  it('carries several tangents at once', () => {
    const d = new Dual(newTag(), 2, [1, 10]);
    const y = mul(d, sub(d, 1)) as Dual; // x² − x, derivative 2x − 1 = 3
    expect(y.tangents).toEqual([3, 30]);
  });
});
