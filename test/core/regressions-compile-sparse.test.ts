/**
 * Regressions from the adversarial review of compile() and sparse Hessians (session 3): one
 * test per bug found, and the behaviour the review checked and pinned down.
 */
import { describe, expect, it } from 'vitest';
import {
  DualtapeError,
  InputTypeError,
  ShapeError,
  SparseHessian,
  SparsityPattern,
  add,
  colourHessian,
  compile,
  div,
  grad,
  hessian,
  hessianSparsity,
  hvp,
  mul,
  sin,
  sparseHessian,
  square,
  type Scalar,
} from '@dualtape/core';

describe('loop-carried chain whose iteration 0 reads the pre-loop node twice', () => {
  // p = x; p = p·x three times (x⁴ by repeated multiplication). The carried adjoint of the
  // chain's first argument was added to w[x]/u[x] after the node's other argument's term, i.e.
  // in a different order than the interpreted sweep, and the last bit differed. Fixed by
  // peeling iteration 0 of the backward loop (codegen.ts, emitIteration).
  it('x⁴ via repeated mul: compiled hvp equals recorded hvp bit for bit', () => {
    const f = (x: Scalar[]) => {
      let p: Scalar = x[0]!;
      for (let k = 0; k < 3; k++) p = mul(p, x[0]!);
      return p;
    };
    const c = compile(f, [1]);
    expect(c.hvp([0.3], [1])[0]).toBe(hvp(f, [0.3], [1])[0]); // 1.08 vs 1.0799999999999998
  });

  it('x / x / x / x via repeated div: compiled grad equals recorded grad bit for bit', () => {
    const f = (x: Scalar[]) => {
      let s: Scalar = x[0]!;
      for (let k = 0; k < 3; k++) s = div(s, x[0]!);
      return s;
    };
    const c = compile(f, [1]);
    expect(c.grad([0.3])[0]).toBe(grad(f, [0.3])[0]); // -74.0740740740741 vs -74.07407407407409
  });
});

describe('bad options, patterns, colourings and functions give typed errors naming the argument', () => {
  const f = (x: Scalar[]) => add(mul(x[0]!, x[1]!), sin(x[2]!));
  const P = hessianSparsity(f, [1, 2, 3]);
  const typed = (fn: () => unknown, name: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err, String(fn)).toBeInstanceOf(DualtapeError);
    expect((err as Error).message).toMatch(name);
  };
  it('each of these throws a DualtapeError naming the argument', () => {
    typed(() => sparseHessian(f, [1, 2, 3], null as never), /options/); // TypeError: Cannot read properties of null
    typed(() => colourHessian(null as never), /pattern/); // TypeError
    typed(() => colourHessian({} as never), /pattern/); // returns { colours: [], count: 0 } silently
    typed(() => colourHessian(P, null as never), /options/); // TypeError
    typed(() => SparsityPattern.fromEntries(1.5, []), /n/); // TypeError: reading 'length'
    typed(() => SparsityPattern.fromEntries(3, [5 as never]), /entries/); // TypeError: not iterable
    typed(() => SparsityPattern.fromEntries(3, 7 as never), /entries/);
    typed(() => new SparseHessian(P, new Float64Array(P.nnz + 1), colourHessian(P)), /values/);
    typed(() => hessian(f, [1, 2, 3], null as never), /options/);
    typed(() => compile(f, [1, 2, 3]).sparseHessian([1, 2, 3], 4 as never), /options/);
    typed(() => compile(f, [1, 2, 3]).source('bogus' as never), /kind/);
    typed(() => compile(3 as never, [1, 2, 3]), /\bf\b/);
    typed(() => grad(5 as never, [1, 2, 3]), /\bf\b/);
    // a colouring whose count is larger than n is refused (it made 5e7 directions)
    const big = { ...colourHessian(P), count: 5e7 };
    typed(() => sparseHessian(f, [1, 2, 3], { pattern: P, colouring: big }), /colouring\.count/);
  });
});

describe('compile: bad inputs give typed errors naming the argument ', () => {
  const c = compile((x: Scalar[]) => add(mul(x[0]!, x[1]!), sin(x[2]!)), [1, 2, 3]);
  it('x and v of the wrong shape or type', () => {
    expect(() => c.value(null as never)).toThrow(InputTypeError);
    expect(() => c.value([1, 2])).toThrow(ShapeError);
    expect(() => c.value(new Float64Array(2) as never)).toThrow(ShapeError);
    expect(() => c.value([1, 2n, 3] as never)).toThrow(/x\[1\]/);
    expect(() => c.value([1, , 3] as never)).toThrow(/x\[1\]/);
    expect(() => c.value([[1], [2], [3]] as never)).toThrow(InputTypeError);
    expect(() => c.hvp([1, 2, 3], [1, 2, '3'] as never)).toThrow(/v\[2\]/);
    expect(() => c.hvp([1, 2, 3], new Float64Array(4) as never)).toThrow(ShapeError);
    expect(() => (c as unknown as { hvp: (x: number[]) => unknown }).hvp([1, 2, 3])).toThrow(InputTypeError);
  });
});

describe('compile: Float64Array and record results are fresh ', () => {
  it('a later call does not change an earlier result', () => {
    const f = (x: Float64Array) => {
      let s: Scalar = 0;
      for (let i = 0; i < x.length; i++) s = add(s, square(sin((x as unknown as Scalar[])[i]!)));
      return s;
    };
    const c = compile(f as never, new Float64Array([1, 2, 3, 4]));
    const g1 = c.grad(new Float64Array([1, 2, 3, 4]) as never) as unknown as Float64Array;
    const copy = Array.from(g1);
    c.grad(new Float64Array([4, 3, 2, 1]) as never);
    expect(Array.from(g1)).toEqual(copy);
  });
});
