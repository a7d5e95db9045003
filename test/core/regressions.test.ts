/**
 * Regressions for the bugs an adversarial review found (each test fails on the engine as it
 * was before its fix).
 */
import { describe, expect, it } from 'vitest';
import {
  DualtapeError,
  InputTypeError,
  TracerError,
  add,
  checkGrad,
  definePrimitive,
  derivative,
  grad,
  hessian,
  hessianDiagonal,
  hvp,
  jacfwd,
  jacrev,
  log,
  max,
  mul,
  pow,
  sin,
  sqrt,
  square,
  sum,
  type Scalar,
} from '@dualtape/core';

const entropy = (p: Scalar[]) => sum(p.map((pi) => mul(pi, log(pi))));

describe('∞·0 inside a batch of directions does not become NaN', () => {
  it('the Hessian does not depend on the chunk size', () => {
    const x = [0, 0.25, 0.75];
    const H = hessian(entropy, x);
    // ∂²/∂pᵢ² (p log p) = 1/pᵢ, off-diagonal 0; at p₀ = 0 the diagonal entry is +∞
    expect(H.toArray()).toEqual([[Infinity, 0, 0], [0, 4, 0], [0, 0, 4 / 3]]);
    for (const chunk of [1, 2, 3]) expect(hessian(entropy, x, { chunk }).toArray()).toEqual(H.toArray());
    expect(hessian((p: Scalar[]) => add(sqrt(p[0]!), square(p[1]!)), [0, 1]).toArray()).toEqual([[-Infinity, 0], [0, 2]]);
  });
  it('hvp with zeros in v, and forward mode with unseeded directions', () => {
    expect(hvp(entropy, [0, 0.25, 0.75], [0, 1, 0])).toEqual([0, 4, 0]);
    const f = (p: Scalar[]) => [sqrt(p[0]!), square(p[1]!)];
    expect(jacfwd(f, [0, 1]).toArray()).toEqual(jacrev(f, [0, 1]).toArray());
    expect(jacfwd(f, [0, 1]).toArray()).toEqual([[Infinity, 0], [0, 2]]);
  });
});

describe('options are validated', () => {
  const f = (p: Scalar[]) => mul(p[0]!, p[1]!);
  it('chunk must be a positive integer; a chunk larger than n is capped', () => {
    for (const chunk of [0, -1, 0.5, NaN]) {
      expect(() => jacfwd(f, [1, 2], { chunk })).toThrowError(InputTypeError);
      expect(() => hessian(f, [1, 2], { chunk })).toThrowError(/hessian: options\.chunk is/);
      expect(() => hessianDiagonal(f, [1, 2], { chunk })).toThrowError(/hessianDiagonal: options\.chunk is/);
    }
    expect(hessian(f, [1, 2], { chunk: 1e9 }).toArray()).toEqual([[0, 1], [1, 0]]);
    expect(jacfwd((p: Scalar[]) => [f(p)], [1, 2], { chunk: 1e9 }).toArray()).toEqual([[2, 1]]);
  });
  it('maxBytes must be a positive number', () => {
    for (const maxBytes of [NaN, -1, 0]) expect(() => hessian(f, [1, 2], { maxBytes })).toThrowError(/options\.maxBytes/);
  });
  it('checkGrad needs at least one direction', () => {
    expect(() => checkGrad(f, [1, 2], { directions: 0 })).toThrowError(InputTypeError);
  });
  it('definePrimitive accepts arity 1 to 3 only', () => {
    const four = { arity: 4, doc: 'x', value: () => 0, d: [], dd: [] } as unknown as Parameters<typeof definePrimitive>[1];
    expect(() => definePrimitive('test_arity_four', four)).toThrowError(DualtapeError);
  });
});

describe('escaped perturbations are caught', () => {
  it('a dual stored out of an inner derivative and used later throws', () => {
    expect(() =>
      derivative((x) => {
        let inner: Scalar = 0;
        derivative((y) => ((inner = y), y), 1);
        return mul(x, inner);
      }, 3),
    ).toThrowError(TracerError);
    let leaked: Scalar = 0;
    derivative((x) => ((leaked = x), x), 1);
    expect(() => derivative((y) => mul(y, leaked), 2)).toThrowError(/used after the jvp\/derivative call that created it returned/);
  });
  it('grad inside the f of grad (reverse over reverse) is a TracerError', () => {
    const nested = (x: Scalar) => grad((y: Scalar) => mul(x, y), x as never) as unknown as Scalar;
    expect(() => grad(nested, 2)).toThrowError(TracerError);
  });
});

describe('checkGrad on correct functions at large |x|', () => {
  it('passes when coordinates have very different magnitudes', () => {
    expect(checkGrad((p: Scalar[]) => sin(p[1]!), [1e4, 0.5]).ok).toBe(true);
    expect(checkGrad(sin, 1e6).ok).toBe(true);
    expect(checkGrad(log, 1e10).ok).toBe(true);
  });
  it('handles 10⁵ inputs without spreading them into Math.max', () => {
    const x = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i));
    expect(checkGrad((p: Scalar[]) => sum(p.map(square)), x, { directions: 1, order: 1 }).ok).toBe(true);
  });
});

describe('edge conventions agree across modes', () => {
  it('pow at base 0: the mixed partial is the stated convention 0^(b−1)', () => {
    // aᵇ is not twice differentiable at a = 0 (∂²/∂a∂b → −∞ as a → 0⁺ for b ≤ 1), so there is
    // no true value; the table's choice is the b-derivative of ∂/∂a = b·a^(b−1) under the
    // convention ∂aᶜ/∂c = 0 at a = 0, which is 0^(b−1). Away from 0 every mode agrees.
    const f = (p: Scalar[]) => pow(p[0]!, p[1]!);
    expect(hessian(f, [0, 1]).toArray()).toEqual([[0, 1], [1, 0]]);
    expect(hessian(f, [0, 2]).get(0, 1)).toBe(0);
    expect(checkGrad(f, [0.5, 1], { finiteDifferences: true }).ok).toBe(true);
  });
  it('sqrt′(−0) is +∞, like sqrt′(+0)', () => {
    expect(grad(sqrt, -0)).toBe(Infinity);
    expect(grad(sqrt, 0)).toBe(Infinity);
  });
  it('max and min with a NaN argument have NaN partials', () => {
    const g = grad((p: Scalar[]) => max(p[0]!, p[1]!), [NaN, 1]);
    expect(g[0]).toBeNaN();
    expect(g[1]).toBeNaN();
  });
});

describe('second review', () => {
  it('scratch arrays kept with a tape never exceed the 8 MiB cap', async () => {
    const { Tape } = await import('@dualtape/core');
    const t = new Tape();
    t.floats(0, 600_000);
    const big = t.floats(0, 700_000);
    expect(big.length).toBe(700_000);
    expect(big.buffer.byteLength).toBeLessThanOrEqual(2 ** 23);
  });
  it('results do not share index-map objects between calls', async () => {
    const { jacrev } = await import('@dualtape/core');
    const a = jacrev((x: Scalar[]) => mul(x[0]!, x[1]!), [1, 2]);
    (a.rowLeaves[0]!.shape as number[]).push(7);
    expect(jacrev((x: Scalar[]) => square(x[0]!), [3]).shape).toEqual([1]);
  });
});
