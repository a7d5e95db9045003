/** The README's API examples and the TSDoc @example lines, run as written. */
import { describe, expect, it } from 'vitest';
import { add, derivative, div, grad, hessian, hvp, log, mul, square, sub, valueAndGrad, type Scalar } from '@dualtape/core';
import { expectClose } from './helpers.js';

describe('README API example', () => {
  const nll = (p: { mu: Scalar; sigma: Scalar }) =>
    add(add(log(p.sigma), 0.5 * Math.log(2 * Math.PI)), div(square(sub(1.3, p.mu)), mul(2, square(p.sigma))));
  it('runs on plain numbers and gives the documented results', () => {
    expectClose(nll({ mu: 0.2, sigma: 0.8 }) as number, Math.log(0.8) + 0.5 * Math.log(2 * Math.PI) + 1.21 / 1.28);
    const g = grad(nll, { mu: 0.2, sigma: 0.8 });
    expectClose([g.mu, g.sigma], [-1.71875, -1.11328125]);
    const H = hessian(nll, { mu: 0.2, sigma: 0.8 });
    expectClose(H.toArray().flat(), [1.5625, 4.296875, 4.296875, 7.2998046875]);
    expectClose(H.block('mu', 'sigma').data, [4.296875]);
    const hv = hvp(nll, { mu: 0.2, sigma: 0.8 }, { mu: 1, sigma: 0 });
    expectClose([hv.mu, hv.sigma], [1.5625, 4.296875]);
  });
  it('TSDoc examples', () => {
    expect(valueAndGrad((x: Scalar[]) => mul(x[0]!, x[1]!), [3, 4])).toEqual({ value: 12, grad: [4, 3] });
    expect(derivative((x) => mul(x, x), 3)).toBe(6);
    expect(hessian((p: Scalar[]) => add(mul(p[0]!, p[0]!), mul(p[0]!, p[1]!)), [1, 2]).toArray()).toEqual([[2, 1], [1, 0]]);
  });
});

describe('README fused-primitive example', () => {
  it('cube: Hessian at 2 is 12', async () => {
    const { applyPrimitive, definePrimitive, hessian: h, mul: m, square: sq } = await import('@dualtape/core');
    const cube = definePrimitive('readme_cube', {
      arity: 1,
      doc: 'a³',
      value: (a) => a * a * a,
      d: [(_y, a) => m(3, sq(a))],
      dd: [(_y, a) => m(6, a)],
    });
    expect(Array.from(h((x: Scalar) => applyPrimitive(cube, [x]), 2).data)).toEqual([12]);
  });
});

describe('packages/core/README.md example', () => {
  it('Rosenbrock gradient and Hessian at (−1.2, 1)', async () => {
    const { add: a, mul: m, square: sq, sub: s, grad: g, hessian: h } = await import('@dualtape/core');
    const rosen = (x: Scalar[]) => a(m(100, sq(s(x[1]!, sq(x[0]!)))), sq(s(1, x[0]!)));
    expectClose(g(rosen, [-1.2, 1]), [-215.6, -88], 1e-14);
    expect(h(rosen, [-1.2, 1]).toArray()).toEqual([[1330, 480], [480, 200]]);
  });
});

describe('README compile example', () => {
  it('compiled results equal fresh recordings; the source is readable JavaScript', async () => {
    const { compile, valueAndGrad: vg, hvp: hv } = await import('@dualtape/core');
    const { rosenbrock } = await import('@dualtape/zoo');
    const x0 = [-1.2, 1, 0.5, 2];
    const x1 = [0.3, -0.7, 1.1, 0.9];
    const v = [1, 0, -1, 2];
    const c = compile(rosenbrock, x0);
    expect(c.valueAndGrad(x1)).toEqual(vg(rosenbrock, x1));
    expect(c.hvp(x1, v)).toEqual(hv(rosenbrock, x1, v));
    expect(c.source('reverse')).toMatch(/^function reverse0\(v, w, gx\) \{/);
  });
});

describe('README sparse-Hessian example', () => {
  it('Rosenbrock: 3 colours, 3n − 2 entries, equal to the dense Hessian; reuse of pattern and colouring', async () => {
    const { sparseHessian, hessianSparsity, colourHessian, hessian: h } = await import('@dualtape/core');
    const { rosenbrock } = await import('@dualtape/zoo');
    const n = 12;
    const x = Array.from({ length: n }, (_, i) => 1 + 0.1 * Math.sin(i));
    const x1 = x.map((v) => v - 0.2);
    const H = sparseHessian(rosenbrock, x);
    expect([H.colours, H.nnz]).toEqual([3, 3 * n - 2]);
    expect(H.get(0, 1)).toBe(h(rosenbrock, x).get(0, 1));
    expect(H.toDense().data).toEqual(h(rosenbrock, x).data);
    const pattern = hessianSparsity(rosenbrock, x);
    const colouring = colourHessian(pattern);
    expect(sparseHessian(rosenbrock, x1, { pattern, colouring }).toDense().data).toEqual(h(rosenbrock, x1).data);
  });
});
