/** Forward-over-reverse (sweeps.ts, api/hessian.ts): anchors, structure, chunks, budgets, edge cases. */
import { describe, expect, it } from 'vitest';
import {
  MemoryBudgetError,
  NonScalarOutputError,
  Random,
  ShapeError,
  Tape,
  add,
  div,
  grad,
  gt,
  hessian,
  hessianDiagonal,
  hvp,
  hvpByDualSweep,
  log,
  mul,
  record,
  sqrt,
  square,
  sub,
  where,
  powi,
  CHUNK_THRESHOLD,
  type Scalar,
} from '@dualtape/core';
import { gaussianNLL, gaussianNLLHessian, mlpGaussianLoss, mlpProblem, quadraticForm, rosenbrock, rosenbrockHessian } from '@dualtape/zoo';
import { expectClose } from './helpers.js';

/** The seed's Gaussian NLL: log σ + ½ log 2π + (x − μ)²/(2σ²) at x = 1.3. */
const nll = (p: { mu: Scalar; sigma: Scalar }) =>
  add(add(log(p.sigma), 0.5 * Math.log(2 * Math.PI)), div(square(sub(1.3, p.mu)), mul(2, square(p.sigma))));

describe('closed-form anchors', () => {
  it('Rosenbrock Hessian at (−1.2, 1) is exactly [[1330, 480], [480, 200]]', () => {
    expect(hessian(rosenbrock, [-1.2, 1]).toArray()).toEqual([[1330, 480], [480, 200]]);
  });
  it('Gaussian NLL at x = 1.3, μ = 0.2, σ = 0.8: gradient (−1.71875, −1.11328125), Hessian [[1.5625, 4.296875], [4.296875, 7.2998046875]]', () => {
    // These are exact binary fractions; AD sums a handful of rounded terms, so allow a few ulps.
    const at = { mu: 0.2, sigma: 0.8 };
    const g = grad(nll, at);
    expectClose([g.mu, g.sigma], [-1.71875, -1.11328125]);
    const H = hessian(nll, at);
    expectClose(H.data, [1.5625, 4.296875, 4.296875, 7.2998046875]);
    expectClose(H.block('mu', 'sigma').data, [4.296875]);
    expect(H.shape).toEqual([2, 2]);
  });
  it('Gaussian NLL over n samples: 2n×2n block structure equals the closed form', () => {
    const rng = new Random(3);
    const n = 6;
    const x = rng.normals(n);
    const mu = Array.from(rng.normals(n));
    const sigma = Array.from({ length: n }, () => 0.5 + rng.uniform());
    const H = hessian((p: { mu: Scalar[]; sigma: Scalar[] }) => gaussianNLL(p, x), { mu, sigma });
    expect(H.rows).toBe(2 * n);
    expectClose(H.data, gaussianNLLHessian(mu, sigma, x), 1e-14);
    expect(H.block('mu', 'mu').rows).toBe(n);
  });
  it('extended Rosenbrock at n = 50 equals the tridiagonal closed form', () => {
    const x = Array.from({ length: 50 }, (_, i) => Math.cos(i));
    // The diagonal sums terms up to 1200·x² + 400|x| + 202 ≈ 2·10³ with cancellation, so the
    // rounding of either computation is a few ulps of 10³, i.e. ~1e−13 relative to a result near 1.
    expectClose(hessian(rosenbrock, x).data, rosenbrockHessian(x), 1e-13);
  });
});

describe('no "value is zero" shortcut drops a derivative', () => {
  it('the Hessian of xᵀAx at x = 0 is A + Aᵀ', () => {
    const rng = new Random(11);
    const n = 5;
    const A = rng.normals(n * n);
    const H = hessian((x: Scalar[]) => quadraticForm(A, x), new Array<number>(n).fill(0));
    const expected = Array.from({ length: n * n }, (_, k) => A[k]! + A[(k % n) * n + Math.floor(k / n)]!);
    expectClose(H.data, expected, 1e-15);
  });
  it('x³ at 0: gradient 0 and Hessian 0, but x³·y at 0 has ∂²/∂x∂y = 0 and at (1, 0) = 3', () => {
    const f = (p: Scalar[]) => mul(powi(p[0]!, 3), p[1]!);
    expect(hessian(f, [0, 0]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(hessian(f, [1, 0]).toArray()).toEqual([[0, 3], [3, 0]]);
  });
});

describe('branches', () => {
  it('where gives the Hessian of the branch taken and never leaks NaN from the other', () => {
    const f = (x: Scalar[]) => where(gt(x[0]!, 0), mul(sqrt(x[0]!), x[1]!), mul(square(x[0]!), x[1]!));
    // at x0 = −1 the branch taken is x0²·x1: H = [[2x1, 2x0], [2x0, 0]]; sqrt(−1) is NaN but unused
    expect(hessian(f, [-1, 3]).toArray()).toEqual([[6, -2], [-2, 0]]);
    expect(grad(f, [-1, 3])).toEqual([-6, 1]);
  });
});

describe('structure and shapes', () => {
  it('a multi-dimensional input of shape s gives a Hessian of shape [...s, ...s] with a flat n×n view', () => {
    const f = (m: Scalar[][]) => mul(m[0]![1]!, m[1]![2]!);
    const H = hessian(f, [[1, 2, 3], [4, 5, 6]]);
    expect(H.shape).toEqual([2, 3, 2, 3]);
    expect(H.rows).toBe(6);
    // flat index of m[0][1] is 1, of m[1][2] is 5 (row-major)
    expect(H.get(1, 5)).toBe(1);
    expect(H.get(5, 1)).toBe(1);
  });
  it('a scalar input gives shape []', () => {
    const H = hessian((x: Scalar) => powi(x, 4), 2);
    expect(H.shape).toEqual([]);
    expect(H.data[0]).toBe(48);
  });
  it('hvp keeps the structure of x and equals H·v', () => {
    const v = { mu: 0.5, sigma: -2 };
    const hv = hvp(nll, { mu: 0.2, sigma: 0.8 }, v);
    expectClose([hv.mu, hv.sigma], [1.5625 * 0.5 - 4.296875 * 2, 4.296875 * 0.5 - 7.2998046875 * 2]);
  });
  it('hessianDiagonal keeps the structure and equals the diagonal', () => {
    const x = [0.3, -1, 2, 0.5];
    const d = hessianDiagonal(rosenbrock, x);
    const H = rosenbrockHessian(x);
    expectClose(d, [0, 1, 2, 3].map((i) => H[i * 5]!), 1e-15);
  });
  it('a constant function has a zero Hessian', () => {
    expect(Array.from(hessian(() => 7, [1, 2]).data)).toEqual([0, 0, 0, 0]);
  });
});

describe('chunks: 1, middle, threshold (32) and threshold + 1 give identical Hessians', () => {
  const { theta, data } = mlpProblem(8, 5);
  const small = Array.from(theta.subarray(0, 40)); // 40 > CHUNK_THRESHOLD + 1
  // The first 40 MLP parameters, the rest held fixed: a dense, non-trivial Hessian.
  const f = (p: Scalar[]) => mlpGaussianLoss([...p, ...Array.from(theta.subarray(40))], data);
  it('n = 40', () => {
    const ref = hessian(f, small, { chunk: 1 });
    for (const chunk of [20, CHUNK_THRESHOLD, CHUNK_THRESHOLD + 1, 40]) expect(Array.from(hessian(f, small, { chunk }).data)).toEqual(Array.from(ref.data));
  });
  it('the columns are the hvp of unit vectors, and the readable dual-number sweep agrees', () => {
    const H = hessian(f, small);
    const tape = new Tape();
    tape.begin();
    const rec = record(tape, f, small, 'test');
    const out = rec.outNodes[0]!;
    for (const j of [0, 7, 39]) {
      const e = small.map((_, i) => (i === j ? 1 : 0));
      const col = Array.from({ length: 40 }, (_, i) => H.get(i, j));
      expect(hvp(f, small, e)).toEqual(col);
      expectClose(hvpByDualSweep(tape, out, e), col, 1e-12, `column ${j}`);
    }
    expect(H.asymmetry()).toBeLessThan(1e-12 * Math.max(...Array.from(H.data, Math.abs)));
  });
});

describe('errors', () => {
  it('a dense Hessian over the memory budget says what it would need and what to use instead', () => {
    const x = new Float64Array(20_000);
    expect(() => hessian((v: Scalar[]) => v[0]!, x)).toThrowError(MemoryBudgetError);
    expect(() => hessian((v: Scalar[]) => v[0]!, x)).toThrowError(/n = 20000 inputs .* needs 3.0 GiB, over the budget of 1.0 GiB.*hvp.*hessianDiagonal/);
    expect(() => hessian((v: Scalar[]) => v[0]!, [1, 2], { maxBytes: 16 })).toThrowError(MemoryBudgetError);
  });
  it('hvp with a direction of the wrong shape names v and both shapes', () => {
    expect(() => hvp(nll, { mu: 1, sigma: 1 }, { mu: 1 })).toThrowError(ShapeError);
    expect(() => hvp(nll, { mu: 1, sigma: 1 }, { mu: 1 })).toThrowError(/v has \{mu: a scalar\}; expected \{mu: a scalar, sigma: a scalar\}, the shape of x/);
  });
  it('non-scalar f in hessian', () => {
    expect(() => hessian(((x: Scalar[]) => [x[0]!]) as never, [1])).toThrowError(NonScalarOutputError);
  });
});

describe('the tape is recorded once', () => {
  it('hessian calls f exactly once, however many directions it sweeps', () => {
    let calls = 0;
    const x = Array.from({ length: 70 }, (_, i) => Math.sin(i));
    const H = hessian((v: Scalar[]) => {
      calls++;
      return rosenbrock(v);
    }, x);
    expect(calls).toBe(1);
    expectClose(H.data, rosenbrockHessian(x), 1e-13);
  });
});
