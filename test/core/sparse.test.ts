/**
 * Sparse Hessians (api/sparse-hessian.ts, sparse/*): exact patterns and colour counts on known
 * functions, values equal to the dense `hessian` bit for bit (the same sweeps, see
 * api/sparse-hessian.ts), nondifferentiable primitives, reuse of pattern and colouring, errors.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  MemoryBudgetError,
  NonScalarOutputError,
  Random,
  ShapeError,
  SparsityPattern,
  abs,
  add,
  applyPrimitive,
  colourHessian,
  constant,
  definePrimitive,
  floor,
  gt,
  hessian,
  hessianSparsity,
  lt,
  max,
  mul,
  sign,
  sparseHessian,
  square,
  sub,
  sum,
  where,
  type Scalar,
} from '@dualtape/core';
import { gaussianNLL, gaussianNLLHessian, mlpGaussianLoss, mlpProblem, rosenbrock } from '@dualtape/zoo';

/** Bit for bit, NaN equal to NaN (the sparse and dense paths run the same sweeps). */
function expectSameAsDense(f: (x: never) => Scalar, x: unknown, options = {}): ReturnType<typeof sparseHessian> {
  const S = sparseHessian(f as never, x as never, options);
  const D = hessian(f as never, x as never);
  expect(Array.from(S.toDense().data)).toEqual(Array.from(D.data));
  return S;
}

/** The pattern as a sorted list of "i,j" strings. */
const entries = (p: SparsityPattern): string[] => {
  const out: string[] = [];
  for (let i = 0; i < p.n; i++) for (const j of p.row(i)) out.push(`${i},${j}`);
  return out;
};

describe('exact patterns and colour counts', () => {
  it('W1 Gaussian NLL over n samples: exactly the 2×2 blocks (μᵢ, σᵢ), 2 colours, values = dense = closed form', () => {
    const rng = new Random(5);
    const n = 9;
    const data = rng.normals(n);
    const at = { mu: Array.from(rng.normals(n)), sigma: Array.from({ length: n }, () => 0.5 + rng.uniform()) };
    const f = (p: { mu: Scalar[]; sigma: Scalar[] }) => gaussianNLL(p, data);
    const P = hessianSparsity(f, at);
    const want = SparsityPattern.fromEntries(
      2 * n,
      Array.from({ length: n }, (_, i) => [[i, i], [i, n + i], [n + i, n + i]] as [number, number][]).flat(),
    );
    expect(entries(P)).toEqual(entries(want));
    expect(P.nnz).toBe(4 * n);
    const S = expectSameAsDense(f as never, at);
    expect(S.colours).toBe(2);
    expect(S.nnz).toBe(4 * n);
    const closed = gaussianNLLHessian(at.mu, at.sigma, data);
    S.toDense().data.forEach((v, k) => expect(Math.abs(v - closed[k]!)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(closed[k]!))));
    expect(S.toDense().block('mu', 'sigma').rows).toBe(n);
    expect(S.get(3, n + 3)).toBe(S.toDense().get(3, n + 3));
    expect(S.get(3, n + 4)).toBe(0);
  });

  it('extended Rosenbrock: tridiagonal, 3 colours with distance-2 whatever n, values = dense', () => {
    for (const n of [2, 3, 10, 200]) {
      const x = Array.from({ length: n }, (_, i) => Math.cos(i));
      const P = hessianSparsity(rosenbrock, x);
      const tri = SparsityPattern.fromEntries(n, Array.from({ length: n }, (_, i) => [i, Math.min(i + 1, n - 1)] as [number, number]).concat(Array.from({ length: n }, (_, i) => [i, i] as [number, number])));
      expect(entries(P)).toEqual(entries(tri));
      const S = expectSameAsDense(rosenbrock as never, x);
      expect(S.colours).toBe(Math.min(n, 3));
      expect(colourHessian(P, { order: 'natural' }).count).toBe(Math.min(n, 3));
    }
  });

  it('separable Σ xᵢ²: diagonal, 1 colour', () => {
    const f = (x: Scalar[]) => sum(x.map((v) => square(v)));
    const x = [1, -2, 3, 0.5, 7];
    expect(entries(hessianSparsity(f, x))).toEqual(['0,0', '1,1', '2,2', '3,3', '4,4']);
    const S = expectSameAsDense(f as never, x);
    expect(S.colours).toBe(1);
    expect(Array.from(S.values)).toEqual([2, 2, 2, 2, 2]);
  });

  it('linear and constant functions: empty pattern, 0 colours, zero Hessian', () => {
    const linear = (x: Scalar[]) => add(sub(mul(3, x[0]!), x[1]!), mul(x[2]!, 2));
    for (const f of [linear, (_x: Scalar[]) => 4, (x: Scalar[]) => x[1]!]) {
      const P = hessianSparsity(f, [1, 2, 3]);
      expect(P.nnz).toBe(0);
      const S = sparseHessian(f, [1, 2, 3]);
      expect(S.nnz).toBe(0);
      expect(S.colours).toBe(0);
      expect(Array.from(S.toDense().data)).toEqual(new Array<number>(9).fill(0));
    }
  });

  it('an MLP loss: a pattern that contains every non-zero of the dense Hessian (here all of them), values = dense', () => {
    const { theta, data } = mlpProblem(12);
    const f = (t: Scalar[]) => mlpGaussianLoss(t, data);
    const P = hessianSparsity(f, theta);
    const D = hessian(f, theta);
    const n = theta.length;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (D.data[i * n + j] !== 0) expect(P.has(i, j)).toBe(true);
    expect(P.nnz).toBe(n * n); // every weight meets every other through the squared output
    const S = expectSameAsDense(f as never, theta);
    expect(S.colours).toBe(n);
  });

  it('a sum of all inputs inside a square: a full pattern (the "full" set), n colours, values = dense', () => {
    const f = (x: Scalar[]) => square(sum(x));
    const x = Array.from({ length: 40 }, (_, i) => i / 7);
    const P = hessianSparsity(f, x);
    expect(P.nnz).toBe(40 * 40);
    expect(expectSameAsDense(f as never, x).colours).toBe(40);
  });

  it('a fused primitive (definePrimitive) couples its arguments through its own second partials', () => {
    // xy·z as one primitive: ∂²/∂a², ∂²/∂b², ∂²/∂c² are the constant 0; the mixed ones are not
    const triple = definePrimitive('sparseTestTriple', {
      arity: 3,
      doc: 'a·b·c',
      value: (a: number, b: number, c: number) => a * b * c,
      d: [(_y, _a, b, c) => mul(b, c), (_y, a, _b, c) => mul(a, c), (_y, a, b) => mul(a, b)],
      dd: [constant(0), (_y, _a, _b, c) => c, (_y, _a, b) => b, constant(0), (_y, a) => a, constant(0)],
    });
    const f = (x: Scalar[]) => add(applyPrimitive(triple, [x[0]!, x[1]!, x[2]!]), square(x[3]!));
    expect(entries(hessianSparsity(f, [1, 2, 3, 4, 5]))).toEqual(['0,1', '0,2', '1,0', '1,2', '2,0', '2,1', '3,3']);
    expectSameAsDense(f as never, [1, 2, 3, 4, 5]);
  });

  it('an arrow matrix: distance-2 needs n colours, star needs 2, both recover the dense Hessian', () => {
    const n = 12;
    const f = (x: Scalar[]) => sum(x.slice(1).map((v) => mul(square(x[0]!), square(v)))); // x₀ couples with all
    const x = Array.from({ length: n }, (_, i) => 0.3 + 0.1 * i);
    const P = hessianSparsity(f, x);
    expect(colourHessian(P).count).toBe(n);
    expect(colourHessian(P, { method: 'star' }).count).toBe(2);
    const S = sparseHessian(f, x, { method: 'star' });
    expect(S.colours).toBe(2);
    const D = hessian(f, x);
    // entries read through the mirror equal the dense transposed entry; this Hessian is exactly symmetric here
    expect(D.asymmetry()).toBe(0);
    expect(Array.from(S.toDense().data)).toEqual(Array.from(D.data));
  });
});

describe('nondifferentiable primitives do not create couplings, and every true non-zero is kept', () => {
  it('where(cond, a, b) and comparisons: the condition does not couple', () => {
    // cond depends on x0, x1; the branches are x2·x3 and x4²
    const f = (x: Scalar[]) => where(gt(x[0]!, x[1]!), mul(x[2]!, x[3]!), square(x[4]!));
    const P = hessianSparsity(f, [1, 0, 1, 1, 1]);
    expect(entries(P)).toEqual(['2,3', '3,2', '4,4']); // both branches: the pattern is global
    expectSameAsDense(f as never, [1, 0, 1.5, 2, 3]);
    expectSameAsDense(f as never, [0, 1, 1.5, 2, 3]);
  });

  it('floor, sign and comparisons cut dependence; abs and max add none of their own', () => {
    const x = [0.7, -1.2, 2.5];
    const cases: [string, (x: Scalar[]) => Scalar, string[]][] = [
      ['floor(x0)·x1', (v) => mul(floor(v[0]!), v[1]!), []],
      ['sign(x0)·x1²', (v) => mul(sign(v[0]!), square(v[1]!)), ['1,1']],
      ['lt(x0, x1)·x2', (v) => mul(lt(v[0]!, v[1]!), v[2]!), []],
      ['|x0·x1|', (v) => abs(mul(v[0]!, v[1]!)), ['0,1', '1,0']],
      ['max(x0², x1)', (v) => max(square(v[0]!), v[1]!), ['0,0']],
      ['max(x0, x1)·x2', (v) => mul(max(v[0]!, v[1]!), v[2]!), ['0,2', '1,2', '2,0', '2,1']],
    ];
    for (const [what, f, want] of cases) {
      expect(entries(hessianSparsity(f, x)), what).toEqual(want);
      expectSameAsDense(f as never, x);
    }
  });
});

describe('reuse and options', () => {
  it('pattern and colouring computed once serve other points (a Newton loop)', () => {
    const n = 30;
    const x0 = Array.from({ length: n }, (_, i) => Math.sin(i));
    const pattern = hessianSparsity(rosenbrock, x0);
    const colouring = colourHessian(pattern);
    for (let t = 1; t <= 3; t++) {
      const x = x0.map((v, i) => v + 0.1 * t * Math.cos(i));
      const S = expectSameAsDense(rosenbrock as never, x, { pattern, colouring });
      expect(S.pattern).toBe(pattern);
      expect(S.colouring).toBe(colouring);
    }
  });

  it('chunk sizes do not change the values', () => {
    const x = Array.from({ length: 20 }, (_, i) => Math.cos(i));
    for (const chunk of [1, 2, 3, 7]) expectSameAsDense(rosenbrock as never, x, { chunk });
  });
});

describe('errors', () => {
  it('a pattern of the wrong size: ShapeError naming options.pattern, its n and the expected n', () => {
    const pattern = SparsityPattern.empty(3);
    expect(() => sparseHessian(rosenbrock, [1, 2, 3, 4], { pattern })).toThrow(ShapeError);
    expect(() => sparseHessian(rosenbrock, [1, 2, 3, 4], { pattern })).toThrow(/options\.pattern has n = 3; expected n = 4/);
  });

  it('a colouring that does not fit the pattern: ArgumentError naming options.colouring', () => {
    const x = [1, 2, 3, 4];
    const pattern = hessianSparsity(rosenbrock, x);
    const bad = { colours: new Int32Array(4), count: 1, method: 'distance2' as const };
    expect(() => sparseHessian(rosenbrock, x, { pattern, colouring: bad })).toThrow(ArgumentError);
    expect(() => sparseHessian(rosenbrock, x, { pattern, colouring: bad })).toThrow(/options\.colouring/);
    expect(() => sparseHessian(rosenbrock, x, { colouring: { ...bad, colours: new Int32Array(2) } })).toThrow(/options\.colouring\.colours is length 2/);
  });

  it('non-scalar output: NonScalarOutputError from both functions', () => {
    const f = (x: Scalar[]) => [x[0]!, x[1]!] as unknown as Scalar;
    expect(() => hessianSparsity(f, [1, 2])).toThrow(NonScalarOutputError);
    expect(() => sparseHessian(f, [1, 2])).toThrow(NonScalarOutputError);
  });

  it('toDense respects the memory budget; the sparse result itself does not need n²', () => {
    const n = 20_000; // dense: 3.2 GB
    const f = (x: Scalar[]) => sum(x.map((v) => square(v)));
    const S = sparseHessian(f, new Float64Array(n));
    expect(S.nnz).toBe(n);
    expect(S.get(n - 1, n - 1)).toBe(2);
    expect(() => S.toDense()).toThrow(MemoryBudgetError);
    expect(() => sparseHessian(f, [1, 2, 3]).toDense(64)).toThrow(MemoryBudgetError);
  });

  it('a hand-built pattern must be symmetric CSR', () => {
    expect(() => new SparsityPattern(2, Int32Array.of(0, 1, 1), Int32Array.of(1))).toThrow(/symmetric/);
    expect(() => SparsityPattern.fromEntries(2, [[0, 2]])).toThrow(ShapeError);
  });
});
