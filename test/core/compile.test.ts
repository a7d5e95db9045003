/**
 * compile(f, x0): the generated code must give exactly what a fresh recording gives at the
 * new input — value, gradient and HVP, bit for bit (an exact zero may differ in sign; see
 * compile/codegen.ts) — for every primitive, with loops rolled up, and refuse what it cannot
 * replay. No tolerance appears in this file: the compiled sweeps perform the same
 * floating-point operations in the same order as the interpreted ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BINARY_OPS,
  InputTypeError,
  PRIM,
  RULES,
  ReplayError,
  ShapeError,
  UNARY_OPS,
  add,
  applyPrimitive,
  compile,
  definePrimitive,
  grad,
  hvp,
  lt,
  mul,
  primal,
  record,
  sparseHessian,
  hessian,
  hessianSparsity,
  reroll,
  square,
  Tape,
  sub,
  valueAndGrad,
  where,
  type Item,
  type Scalar,
} from '@dualtape/core';
import { gaussianNLL, mlpGaussianLoss, mlpProblem, rosenbrock } from '@dualtape/zoo';
import { OPERATOR } from '../../packages/core/src/compile/symbolic.js';
import { generate } from '../../packages/core/src/compile/codegen.js';
import { layout } from '../../packages/core/src/compile/layout.js';
import { forwardSubset } from '../../packages/core/src/compile/prelude.js';

/** Equal as doubles: NaN equals NaN, and +0 equals −0 (the one documented difference). */
const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!same(got[i]!, want[i]!)) throw new Error(`${what}[${i}]: compiled ${got[i]} ≠ recorded ${want[i]}`);
}

type Expr = { kind: 'var'; i: number } | { kind: 'const'; v: number } | { kind: 'op'; name: string; args: Expr[] };
const ALL_UNARY = UNARY_OPS.filter((op) => op !== 'exp' && op !== 'sinh' && op !== 'cosh');
const ALL_BINARY = [...BINARY_OPS];
const moderate = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((v) => (Math.abs(v) < 1e-3 ? 0 : v));
const leaf = fc.oneof(
  fc.integer({ min: 0, max: 2 }).map((i): Expr => ({ kind: 'var', i })),
  moderate(-2, 2).map((v): Expr => ({ kind: 'const', v })),
);
const { tree } = fc.letrec<{ tree: Expr }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ name: fc.constantFrom(...ALL_UNARY), a: tie('tree') }).map(({ name, a }): Expr => ({ kind: 'op', name, args: [a] })),
    fc.record({ name: fc.constantFrom(...ALL_BINARY), a: tie('tree'), b: tie('tree') }).map(({ name, a, b }): Expr => ({ kind: 'op', name, args: [a, b] })),
    fc.tuple(tie('tree'), tie('tree'), tie('tree')).map(([c, a, b]): Expr => ({ kind: 'op', name: 'select', args: [c, a, b] })),
  ),
}));

function evalExpr(e: Expr, x: readonly Scalar[]): Scalar {
  if (e.kind === 'var') return x[e.i]!;
  if (e.kind === 'const') return e.v;
  const args = e.args.map((c) => evalExpr(c, x));
  if (e.name === 'select') return where(args[0]!, args[1]!, args[2]!);
  if (e.name === 'powi') return applyPrimitive(PRIM.powi, [args[0]!, 3]);
  return applyPrimitive(PRIM[e.name as keyof typeof PRIM], args);
}

/** A loop over the inputs with a random body: Σᵢ body(xᵢ, xᵢ₊₁, xᵢ₊₂) + xᵢ·xᵢ₊₁ — a tape the compiler rolls back up. */
const looped =
  (e: Expr) =>
  (x: readonly Scalar[]): Scalar => {
    let s: Scalar = 0;
    for (let i = 0; i + 2 < x.length; i++) s = add(s, add(evalExpr(e, [x[i]!, x[i + 1]!, x[i + 2]!]), mul(x[i]!, x[i + 1]!)));
    return s;
  };

const N = 9;
const vec = fc.array(moderate(-1.5, 1.5), { minLength: N, maxLength: N });

function compareAt(f: (x: Scalar[]) => Scalar, x0: number[], x1: number[], dir: number[]): void {
  const c = compile(f, x0);
  for (const x of [x1, x0]) {
    const want = valueAndGrad(f, x);
    // grad and hvp first, while the arrays still hold the previous input's values: they run only
    // the part of the forward program their backward program reads (compile/prelude.ts), so a
    // slot that part forgot would hold a stale value here and show up as a difference
    expectSame(c.grad(x), want.grad, 'grad (forward pass pruned)');
    expectSame(c.hvp(x, dir), hvp(f, x, dir), 'hvp (tangent pass pruned)');
    expectSame(c.sparseHessian(x).values, sparseHessian(f, x).values, 'sparse Hessian (compiled HVPs, one per colour)');
    const got = c.valueAndGrad(x);
    expect(same(got.value, want.value), `value ${got.value} vs ${want.value}`).toBe(true);
    expect(same(c.value(x), want.value)).toBe(true);
    expectSame(got.grad, want.grad, 'grad');
    expectSame(c.hvp(x, dir), hvp(f, x, dir), 'hvp');
  }
}

describe('compiled = recorded, on random looped programs with every primitive (kinks, branches, NaN)', () => {
  it('value, gradient and HVP agree bit for bit at a second input (300 programs)', () => {
    fc.assert(
      fc.property(tree, vec, vec, vec, (e, x0, x1, dir) => compareAt(looped(e), x0, x1, dir)),
      { numRuns: 300, seed: 1129 },
    );
  });

  it('loop-carried chains (sums, products, quotients) that start from an input used again in the loop (200 programs)', () => {
    // the chain's adjoint is carried in a local, and iteration 0 must accumulate into the node
    // before the loop in recorded order (the review found x⁴ = ((x·x)·x)·x off by one ulp)
    const ops = ['add', 'sub', 'mul', 'div'] as const;
    const chained =
      (e: Expr, op: (typeof ops)[number]) =>
      (x: readonly Scalar[]): Scalar => {
        let s: Scalar = x[0]!;
        for (let i = 0; i + 2 < x.length; i++) s = applyPrimitive(PRIM[op], [s, evalExpr(e, [x[i]!, x[i + 1]!, x[i + 2]!])]);
        return s;
      };
    fc.assert(
      fc.property(tree, fc.constantFrom(...ops), vec, vec, vec, (e, op, x0, x1, dir) => compareAt(chained(e, op), x0, x1, dir)),
      { numRuns: 200, seed: 2911 },
    );
    // the tightest case: the chain starts at the input recorded just before it, so iteration 0
    // is part of the loop and its other argument is that same input — in every iteration when
    // `fixed` (so that input's adjoint has earlier terms, and their order shows)
    const tight =
      (op: (typeof ops)[number], swap: boolean, fixed: boolean) =>
      (x: readonly Scalar[]): Scalar => {
        let s: Scalar = x[N - 1]!;
        for (let k = 0; k < N - 1; k++) {
          const other = x[fixed ? N - 1 : N - 1 - k]!;
          s = applyPrimitive(PRIM[op], swap ? [other, s] : [s, other]);
        }
        return s;
      };
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.boolean(), fc.boolean(), vec, vec, vec, (op, swap, fixed, x0, x1, dir) => compareAt(tight(op, swap, fixed), x0, x1, dir)),
      { numRuns: 200, seed: 2912 },
    );
  });

  it('rolls the loop up: the code is shorter than the tape', () => {
    const e: Expr = { kind: 'op', name: 'tanh', args: [{ kind: 'op', name: 'mul', args: [{ kind: 'var', i: 0 }, { kind: 'var', i: 2 }] }] };
    const x = Array.from({ length: 40 }, (_, i) => Math.cos(i));
    const c = compile(looped(e), x);
    expect(c.items.some((it) => it.kind === 'loop' && it.count >= 30)).toBe(true);
  });
});

describe('the workloads compile to loops and agree with the tape', () => {
  const depth = (its: readonly Item[]): number => Math.max(0, ...its.map((it) => (it.kind === 'loop' ? 1 + depth(it.body) : 0)));

  it('Rosenbrock: one loop of n − 2 iterations of 8 operations after the first term', () => {
    const x = Array.from({ length: 50 }, (_, i) => 1 + 0.3 * Math.sin(i));
    const c = compile(rosenbrock, x);
    const loops = c.items.filter((it) => it.kind === 'loop');
    expect(loops).toHaveLength(1);
    expect(loops[0]!.kind === 'loop' && [loops[0]!.count, loops[0]!.nodesPerIteration]).toEqual([48, 8]);
    const x1 = x.map((v, i) => v - 0.01 * i);
    expectSame(c.grad(x1), grad(rosenbrock, x1), 'grad');
    expectSame(c.hvp(x1, x), hvp(rosenbrock, x1, x), 'hvp');
  });

  it('Gaussian NLL over a record {mu, sigma}: structure kept, results equal', () => {
    const data = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i));
    const f = (p: { mu: Scalar[]; sigma: Scalar[] }) => gaussianNLL(p, data);
    const p0 = { mu: Array.from({ length: 30 }, () => 0), sigma: Array.from({ length: 30 }, () => 1) };
    const p1 = { mu: Array.from({ length: 30 }, (_, i) => 0.1 * i), sigma: Array.from({ length: 30 }, (_, i) => 0.5 + 0.05 * i) };
    const c = compile(f, p0);
    const got = c.valueAndGrad(p1);
    const want = valueAndGrad(f, p1);
    expect(got.value).toBe(want.value);
    expectSame(got.grad.mu, want.grad.mu, 'mu');
    expectSame(got.grad.sigma, want.grad.sigma, 'sigma');
    const h = c.hvp(p1, p0);
    const hw = hvp(f, p1, p0);
    expectSame([...h.mu, ...h.sigma], [...hw.mu, ...hw.sigma], 'hvp');
  });

  it('MLP (W4 shape): loops nest three deep (samples, units, dot products)', () => {
    const { theta, data } = mlpProblem(12);
    const f = (t: Scalar[]) => mlpGaussianLoss(t, data);
    const c = compile(f, theta);
    expect(depth(c.items)).toBeGreaterThanOrEqual(3);
    const t1 = theta.map((v, i) => v * (1 + 0.01 * Math.sin(i)));
    const dir = theta.map((_, i) => Math.cos(i));
    expectSame(c.grad(t1), grad(f, t1), 'grad');
    expectSame(c.hvp(t1, dir), hvp(f, t1, dir), 'hvp');
  });
});

describe('fast programs first, guarded ones on NaN', () => {
  it('a NaN partial in the branch not taken: the fast program gives NaN, the result is the guarded one', () => {
    // d/dx sqrt(x) at x = −1 is NaN, but where() sends it a zero adjoint: the recorded sweep
    // skips 0·NaN, the fast program computes it, sees a NaN gradient and runs the guarded one
    const f = (x: Scalar[]) => add(where(lt(x[0]!, 0), square(x[0]!), applyPrimitive(PRIM.sqrt, [x[0]!])), mul(x[0]!, x[1]!));
    const c = compile(f, [4, 1]);
    expect(c.source('reverse', false)).not.toMatch(/!== 0/);
    expect(c.source('reverse', true)).toMatch(/!== 0/);
    for (const x of [[-1, 2], [4, 1], [-3, 0.5]]) {
      const g = c.grad(x);
      expect(g.every((v) => !Number.isNaN(v)), `grad at ${x} has no NaN`).toBe(true);
      expectSame(g, grad(f, x), `grad at ${x}`);
      expectSame(c.hvp(x, [1, 1]), hvp(f, x, [1, 1]), `hvp at ${x}`);
    }
  });

  it('a genuine NaN gradient stays NaN (both programs run and agree)', () => {
    const f = (x: Scalar[]) => mul(applyPrimitive(PRIM.sqrt, [x[0]!]), x[1]!);
    const c = compile(f, [4, 1]);
    expectSame(c.grad([-1, 2]), grad(f, [-1, 2]), 'grad');
    expect(Number.isNaN(c.grad([-1, 2])[0]!)).toBe(true);
  });
});

describe('inputs: a record of Float64Arrays takes the copy-only path, anything else the checked one', () => {
  it('same results as the same record of plain arrays; wrong lengths and keys still throw ShapeError', () => {
    const n = 7;
    const data = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const f = (p: { mu: Scalar[]; sigma: Scalar[] }) => gaussianNLL(p, data);
    const mu = Float64Array.from({ length: n }, (_, i) => 0.2 * i);
    const sigma = Float64Array.from({ length: n }, (_, i) => 1 + 0.1 * i);
    const c = compile(f, { mu: Array.from(mu), sigma: Array.from(sigma) });
    const typed = c.valueAndGrad({ mu, sigma } as never);
    const plain = c.valueAndGrad({ mu: Array.from(mu), sigma: Array.from(sigma) });
    expect(typed.value).toBe(plain.value);
    expectSame([...typed.grad.mu, ...typed.grad.sigma], [...plain.grad.mu, ...plain.grad.sigma], 'grad');
    const h = c.hvp({ mu, sigma } as never, { mu: sigma, sigma: mu } as never);
    const hp = hvp(f, { mu: Array.from(mu), sigma: Array.from(sigma) }, { mu: Array.from(sigma), sigma: Array.from(mu) });
    expectSame([...h.mu, ...h.sigma], [...hp.mu, ...hp.sigma], 'hvp');
    expect(() => c.grad({ mu: mu.subarray(1), sigma } as never)).toThrow(ShapeError);
    expect(() => c.grad({ sigma, mu } as never)).toThrow(ShapeError);
    expect(() => c.grad({ mu, sigma, tau: sigma } as never)).toThrow(ShapeError);
  });
});

describe('compiled sparse Hessians', () => {
  it('W1 and Rosenbrock: 2 and 3 compiled HVPs give the whole Hessian, equal to the dense one', () => {
    const n = 40;
    const data = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const g = (p: { mu: Scalar[]; sigma: Scalar[] }) => gaussianNLL(p, data);
    const p1 = { mu: Array.from({ length: n }, (_, i) => 0.1 * i), sigma: Array.from({ length: n }, (_, i) => 0.5 + 0.05 * i) };
    const cg = compile(g, { mu: Array.from({ length: n }, () => 0), sigma: Array.from({ length: n }, () => 1) });
    const Hg = cg.sparseHessian(p1);
    expect([Hg.colours, Hg.nnz]).toEqual([2, 4 * n]);
    expectSame(Hg.toDense().data, hessian(g, p1).data, 'W1');
    expect(Hg.toDense().block('mu', 'sigma').rows).toBe(n);
    const x = Array.from({ length: n }, (_, i) => 1 + 0.3 * Math.sin(i));
    const cr = compile(rosenbrock, x);
    const x1 = x.map((v) => -v);
    const Hr = cr.sparseHessian(x1);
    expect([Hr.colours, Hr.nnz]).toEqual([3, 3 * n - 2]);
    expectSame(Hr.toDense().data, hessian(rosenbrock, x1).data, 'Rosenbrock');
    // a pattern passed in is used as given, and checked for size
    const pattern = hessianSparsity(rosenbrock, x);
    expectSame(cr.sparseHessian(x, { pattern }).values, sparseHessian(rosenbrock, x).values, 'given pattern');
    expect(() => cr.sparseHessian(x, { pattern: hessianSparsity(rosenbrock, [1, 2, 3]) })).toThrow(ShapeError);
    expect(() => cr.sparseHessian(x, { pattern: 'dense' as never })).toThrow(InputTypeError);
  });
});

describe('pruned forward passes (compile/prelude.ts)', () => {
  it("Rosenbrock's gradient needs only the first term's forward pass: the loop recomputes what it reads", () => {
    const x = Array.from({ length: 50 }, (_, i) => 1 + 0.3 * Math.sin(i));
    const tape = new Tape();
    tape.begin();
    const rec = record(tape, rosenbrock as (x: never) => Scalar, x, 'test');
    const lay = layout(tape, reroll(tape), rec.outNodes[0]!);
    expect(lay.slots).toBeLessThan(tape.size / 2); // iteration-local nodes have no slot
    for (const kind of ['reverse', 'hvp'] as const) {
      const { reads } = generate(kind, lay, false);
      const kept = forwardSubset(lay.items, reads, lay.slots);
      expect(kept.length, kind).toBeGreaterThan(0);
      expect(kept.every((it) => it.kind === 'node') && kept.length <= 8, `${kind}: ${kept.length} items`).toBe(true);
    }
  });
});

describe('what the generated source may contain', () => {
  it('never a tape value: inputs and the constants f closes over stay in arrays', () => {
    const secret = 0.123456789123;
    const f = (x: Scalar[]) => add(mul(secret, square(x[0]!)), mul(x[1]!, 98765.4321));
    const c = compile(f, [0.5555555555, 0.7777777777]);
    for (const kind of ['forward', 'reverse', 'tangent', 'hvp'] as const) {
      const src = c.source(kind);
      expect(src).not.toMatch(/123456789|98765|5555555555|7777777777/);
      // only indices, opcodes' expressions and the rule table's literals: no quotes, no template strings
      expect(src).not.toMatch(/["'`]/);
    }
  });

  it('operators used for built-in primitives equal the rule table bit for bit', () => {
    const specials = [0, -0, 1, -1, 0.1, 1e308, -1e-308, 5e-324, Infinity, -Infinity, NaN, Math.PI];
    for (const [name, op] of Object.entries(OPERATOR)) {
      const rule = RULES[name as keyof typeof RULES];
      const fn = new Function('a', 'b', `return ${op('a', 'b')};`) as (a: number, b: number) => number;
      for (const a of specials) for (const b of specials) expect(Object.is(fn(a, b), (rule.value as (a: number, b: number) => number)(a, b)), `${name}(${a}, ${b})`).toBe(true);
    }
  });
});

describe('safe replay', () => {
  it('refuses f that reads a traced value (a JavaScript branch could depend on it)', () => {
    const f = (x: Scalar[]) => (primal(x[0]!) > 0 ? square(x[0]!) : x[1]!);
    expect(() => compile(f, [1, 2])).toThrow(ReplayError);
    const g = (x: Scalar[]) => ((x[0] as unknown as { value: number }).value > 0 ? square(x[0]!) : x[1]!);
    expect(() => compile(g, [1, 2])).toThrow(/read the value of a traced scalar/);
  });

  it('replays branches written with where: both sides at inputs that switch the branch', () => {
    const f = (x: Scalar[]) => where(lt(x[0]!, 0), mul(x[0]!, x[1]!), square(sub(x[0]!, x[1]!)));
    const c = compile(f, [1, 2]);
    for (const x of [[-1, 3], [2, 5], [0, 0]]) {
      expectSame(c.grad(x), grad(f, x), `grad at ${x}`);
      expectSame(c.hvp(x, [1, -1]), hvp(f, x, [1, -1]), `hvp at ${x}`);
    }
  });

  it('a fused primitive from definePrimitive compiles too (its value and partials called or inlined)', () => {
    const cube = definePrimitive('compileTestCube', {
      arity: 1,
      doc: 'a³',
      value: (a: number) => a * a * a,
      d: [(_y, a) => mul(3, square(a))],
      dd: [(_y, a) => mul(6, a)],
    });
    const f = (x: Scalar[]) => add(applyPrimitive(cube, [x[0]!]), mul(applyPrimitive(cube, [x[1]!]), 2));
    const c = compile(f, [1, 2]);
    expectSame(c.grad([0.5, -3]), grad(f, [0.5, -3]), 'grad');
    expectSame(c.hvp([0.5, -3], [1, 1]), [3, 2 * 6 * -3], 'hvp = closed form 6a, 2·6b');
  });
});

describe('edge cases and bad input', () => {
  it('an output that is an input, or a constant', () => {
    const id = compile((x: Scalar[]) => x[1]!, [1, 2, 3]);
    expect(id.valueAndGrad([4, 5, 6])).toEqual({ value: 5, grad: [0, 1, 0] });
    const k = compile(() => 7, [1, 2]);
    expect(k.valueAndGrad([3, 4])).toEqual({ value: 7, grad: [0, 0] });
    expect(k.hvp([3, 4], [1, 1])).toEqual([0, 0]);
  });

  it('inputs of another shape or type give a typed error naming the argument', () => {
    const c = compile(rosenbrock, [1, 2, 3]);
    expect(() => c.grad([1, 2])).toThrow(ShapeError);
    expect(() => c.grad([1, 2])).toThrow(/x/);
    expect(() => c.grad([1, '2', 3] as unknown as number[])).toThrow(InputTypeError);
    expect(() => c.hvp([1, 2, 3], [1, 2])).toThrow(ShapeError);
  });

  it('results are fresh arrays: a later call does not change an earlier result', () => {
    const c = compile(rosenbrock, [1, 2, 3]);
    const g1 = c.grad([1, 2, 3]);
    const copy = [...g1];
    c.grad([3, 2, 1]);
    expect(g1).toEqual(copy);
  });
});

describe('regressions from the adversarial review of compile', () => {
  it('an argument that reaches a different node of its own iteration each time (not a fixed link) is read from memory', () => {
    const f = (x: Scalar[]) => {
      let s: Scalar = x[3]!;
      for (let k = 0; k < 3; k++) {
        const ts = [applyPrimitive(PRIM.sin, [x[k]!]), applyPrimitive(PRIM.cos, [x[k]!]), applyPrimitive(PRIM.tanh, [x[k]!])];
        s = add(s, mul(ts[2 - k]!, x[k]!));
      }
      return s;
    };
    compareAt(f, [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], [1, 1, 1, 1]);
  });

  it('a fused primitive whose partials use JavaScript operators is called at run time, not misread as code', () => {
    const cubeJs = definePrimitive('compileTestCubeJs', {
      arity: 1,
      doc: 'a³ with number-only partials',
      value: (a: number) => a * a * a,
      d: [(_y, a) => 3 * (a as number) * (a as number)],
      dd: [(_y, a) => ((a as number) > 0 ? 6 * (a as number) : 6 * (a as number))],
    });
    const f = (x: Scalar[]) => applyPrimitive(cubeJs, [x[0]!]);
    const c = compile(f, [1.3]);
    expectSame(c.grad([1.3]), grad(f, [1.3]), 'grad');
    expectSame(c.hvp([-0.7], [1]), hvp(f, [-0.7], [1]), 'hvp');
  });
});
