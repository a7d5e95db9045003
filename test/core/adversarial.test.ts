/**
 * Adversarial regression tests: closed forms derived by hand on awkward functions, nesting,
 * the kink and edge conventions, typed errors on bad input, and the tape's life cycle. Every
 * test here pins behaviour that was verified correct against the README/TSDoc claims.
 */
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  applyPrimitive,
  atan2,
  checkGrad,
  cos,
  definePrimitive,
  derivative,
  div,
  exp,
  grad,
  gt,
  hessian,
  hessianDiagonal,
  hvp,
  InputTypeError,
  jacfwd,
  jacrev,
  jvp,
  log,
  lt,
  Matrix,
  max,
  MemoryBudgetError,
  min,
  mul,
  neg,
  NonScalarOutputError,
  pow,
  powi,
  ShapeError,
  sin,
  sqrt,
  square,
  sub,
  sum,
  TracerError,
  valueAndGrad,
  vjp,
  where,
  type Scalar,
} from '@dualtape/core';
import { expectClose } from './helpers.js';

const any = <T>(x: unknown): T => x as T;

// ------------------------------------------------------------------------------ exactness
describe('exactness against hand-derived closed forms', () => {
  it('x¹⁰⁰⁰ built from 999 multiplications by the same tracer: f′ = 1000x⁹⁹⁹, f″ = 999000x⁹⁹⁸', () => {
    const f = (x: Scalar) => {
      let p: Scalar = x;
      for (let k = 1; k < 1000; k++) p = mul(p, x);
      return p;
    };
    const x = 1.0007;
    // 1000 roundings of relative size ≤ ε each: 1e−11 relative is a wide margin.
    expectClose(grad(f, x), 1000 * x ** 999, 1e-11);
    expectClose(derivative(f, x), 1000 * x ** 999, 1e-11);
    expectClose(hessian(f, x).get(0, 0), 999000 * x ** 998, 1e-11);
    expectClose(derivative((a) => derivative(f, a), x), 999000 * x ** 998, 1e-11);
    expectClose(hvp(f, x, 2), 2 * 999000 * x ** 998, 1e-11);
  });

  it('one variable used 5000 times (Σ x·x) is exact to the bit at x = 0.5', () => {
    const f = (x: Scalar) => {
      let s: Scalar = 0;
      for (let k = 0; k < 5000; k++) s = add(s, mul(x, x));
      return s;
    };
    expect(grad(f, 0.5)).toBe(5000);
    expect(hessian(f, 0.5).get(0, 0)).toBe(10000);
    expect(derivative(f, 0.5)).toBe(5000);
    expect(derivative((a) => derivative(f, a), 0.5)).toBe(10000);
  });

  it('sin composed 200 times: first and second derivatives by the chain rule on numbers', () => {
    const depth = 200;
    const f = (x: Scalar) => {
      let y: Scalar = x;
      for (let k = 0; k < depth; k++) y = sin(y);
      return y;
    };
    // h_{k+1} = sin h_k;  h′_{k+1} = cos(h_k)·h′_k;  h″_{k+1} = cos(h_k)·h″_k − sin(h_k)·h′_k²
    let h = 1.1;
    let d1 = 1;
    let d2 = 0;
    for (let k = 0; k < depth; k++) {
      const c = Math.cos(h);
      const s = Math.sin(h);
      d2 = c * d2 - s * d1 * d1;
      d1 = c * d1;
      h = s;
    }
    expectClose(grad(f, 1.1), d1, 1e-12);
    expectClose(derivative(f, 1.1), d1, 1e-12);
    expectClose(hessian(f, 1.1).get(0, 0), d2, 1e-12);
    expectClose(derivative((a) => derivative(f, a), 1.1), d2, 1e-12);
  });

  it('nested records and nested arrays: gradient, Hessian blocks, diagonal, shapes', () => {
    // f = Σᵢⱼ w[i][j]·c[j]² + s·exp(d),  x = { w: 2×3, b: { c: [3], d }, s }
    type P = { w: Scalar[][]; b: { c: Scalar[]; d: Scalar }; s: Scalar };
    const f = (p: P) => {
      let acc: Scalar = mul(p.s, exp(p.b.d));
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) acc = add(acc, mul(p.w[i]![j]!, square(p.b.c[j]!)));
      return acc;
    };
    const w = [
      [0.5, -1.5, 2],
      [1.25, 0.75, -0.25],
    ];
    const c = [0.3, -0.7, 1.1];
    const x = { w, b: { c, d: 0.4 }, s: 1.7 };
    const g = grad(any<(p: unknown) => Scalar>(f), x) as unknown as { w: number[][]; b: { c: number[]; d: number }; s: number };
    expect(Object.keys(g)).toEqual(['w', 'b', 's']);
    expectClose(g.w.flat(), [c[0]! ** 2, c[1]! ** 2, c[2]! ** 2, c[0]! ** 2, c[1]! ** 2, c[2]! ** 2]);
    expectClose(g.b.c, c.map((cj, j) => 2 * cj * (w[0]![j]! + w[1]![j]!)));
    expectClose(g.b.d, 1.7 * Math.exp(0.4));
    expectClose(g.s, Math.exp(0.4));

    const H = hessian(any<(p: unknown) => Scalar>(f), x);
    expect(H.rows).toBe(11);
    expect(H.shape).toEqual([11, 11]); // a record input has the flat shape
    expect(H.asymmetry()).toBe(0);
    // ∂²f/∂w[i][j]∂c[j] = 2c[j]
    const wc = H.block('w', 'b.c');
    expect([wc.rows, wc.cols]).toEqual([6, 3]);
    expectClose(wc.toArray().flat(), [2 * c[0]!, 0, 0, 0, 2 * c[1]!, 0, 0, 0, 2 * c[2]!, 2 * c[0]!, 0, 0, 0, 2 * c[1]!, 0, 0, 0, 2 * c[2]!]);
    // ∂²f/∂c[j]² = 2(w[0][j] + w[1][j]); ∂²f/∂d² = s·eᵈ; ∂²f/∂d∂s = eᵈ
    expectClose(H.block('b.c', 'b.c').toArray().flat(), [2 * (0.5 + 1.25), 0, 0, 0, 2 * (-1.5 + 0.75), 0, 0, 0, 2 * (2 - 0.25)]);
    expectClose(H.block('b.d', 'b.d').get(0, 0), 1.7 * Math.exp(0.4));
    expectClose(H.block('b.d', 's').get(0, 0), Math.exp(0.4));
    expect(H.block('w', 'w').toArray().flat().every((v) => v === 0)).toBe(true);
    expect(() => H.block('b', 's')).toThrowError(ShapeError);

    const diag = hessianDiagonal(any<(p: unknown) => Scalar>(f), x) as unknown as { w: number[][]; b: { c: number[]; d: number }; s: number };
    expectClose(diag.b.c, [3.5, -1.5, 3.5]);
    expectClose(diag.b.d, 1.7 * Math.exp(0.4));
    expect(diag.s).toBe(0);
    expect(diag.w).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    // every column of H is hvp of a unit vector, given in the structure of x
    const e = { w: [[0, 0, 0], [0, 0, 0]], b: { c: [0, 1, 0], d: 0 }, s: 0 };
    const col = hvp(any<(p: unknown) => Scalar>(f), x, e) as unknown as { w: number[][] };
    expectClose(col.w.flat(), [0, 2 * c[1]!, 0, 0, 2 * c[1]!, 0]);
  });

  it('Float64Array in, Float64Array out; nested arrays keep rank; a scalar input has shape []', () => {
    const f = (x: Scalar[]) => add(mul(x[0]!, x[1]!), mul(square(x[2]!), x[0]!));
    const x = new Float64Array([2, 3, 5]);
    const g = grad(any<(x: unknown) => Scalar>(f), x);
    expect(g).toBeInstanceOf(Float64Array);
    expect(Array.from(g as Float64Array)).toEqual([3 + 25, 2, 20]);
    expect(hvp(any<(x: unknown) => Scalar>(f), x, [1, 0, 0])).toBeInstanceOf(Float64Array);
    expect(hessianDiagonal(any<(x: unknown) => Scalar>(f), x)).toBeInstanceOf(Float64Array);
    const H = hessian(any<(x: unknown) => Scalar>(f), x);
    expect(H.shape).toEqual([3, 3]);
    expect(H.toArray()).toEqual([
      [0, 1, 10],
      [1, 0, 0],
      [10, 0, 4],
    ]);
    const m = hessian((x: Scalar[][]) => mul(mul(x[0]![0]!, x[1]![1]!), x[0]![1]!), [
      [1, 2],
      [3, 4],
    ]);
    expect(m.shape).toEqual([2, 2, 2, 2]);
    expect(m.toArray()).toEqual([
      [0, 4, 0, 2],
      [4, 0, 0, 1],
      [0, 0, 0, 0],
      [2, 1, 0, 0],
    ]);
    const s = hessian((x: Scalar) => powi(x, 3), 2);
    expect(s.shape).toEqual([]);
    expect([s.rows, s.cols, s.get(0, 0)]).toEqual([1, 1, 12]);
  });

  it('jacfwd, jacrev and jvp agree with the closed-form Jacobian of a record → array map', () => {
    // F(p) = [a·b, sin(a)·b², exp(a − b)]
    const F = (p: { a: Scalar; b: Scalar }) => [mul(p.a, p.b), mul(sin(p.a), square(p.b)), exp(sub(p.a, p.b))];
    const a = 0.8;
    const b = -1.3;
    const J = [
      [b, a],
      [Math.cos(a) * b * b, 2 * Math.sin(a) * b],
      [Math.exp(a - b), -Math.exp(a - b)],
    ];
    for (const M of [jacrev(any<(p: unknown) => Scalar[]>(F), { a, b }), jacfwd(any<(p: never) => Scalar[]>(F), { a, b }), jacfwd(any<(p: never) => Scalar[]>(F), { a, b }, { chunk: 1 })]) {
      expect(M).toBeInstanceOf(Matrix);
      expect([M.rows, M.cols]).toEqual([3, 2]);
      expectClose(M.toArray().flat(), J.flat());
    }
    const { tangent } = jvp(F, { a, b }, { a: 2, b: -1 });
    expectClose(tangent as number[], J.map((r) => 2 * r[0]! - r[1]!));
    const { value, vjp: back } = vjp(F, { a, b });
    expectClose(value as number[], [a * b, Math.sin(a) * b * b, Math.exp(a - b)]);
    const ct = back([1, -2, 0.5]) as { a: number; b: number };
    expectClose([ct.a, ct.b], [0, 1].map((j) => J[0]![j]! - 2 * J[1]![j]! + 0.5 * J[2]![j]!));
  });

  it('forward over reverse written by the user: grad of a jvp is H·v', () => {
    // f = z₀²z₁ + sin z₁: H = [[2z₁, 2z₀], [2z₀, −sin z₁]]
    const f = (z: Scalar[]) => add(mul(square(z[0]!), z[1]!), sin(z[1]!));
    const hv = grad((x: Scalar[]) => jvp(f, x, [1, -2]).tangent as Scalar, [1.5, 0.7]);
    expectClose(hv, [2 * 0.7 * 1 + 2 * 1.5 * -2, 2 * 1.5 * 1 - Math.sin(0.7) * -2]);
    expectClose(hv, hvp(f, [1.5, 0.7], [1, -2]));
  });
});

// ------------------------------------------------------------------------------ nesting
describe('nesting (perturbation confusion)', () => {
  it('four nested derivatives of sin give sin, exactly', () => {
    const d4 = derivative((a) => derivative((b) => derivative((c) => derivative(sin, c), b), a), 0.7);
    expect(d4).toBe(Math.sin(0.7));
  });
  it('a closure that calls derivative, applied inside another derivative', () => {
    // g(x)(y) = d/dz [x·z·y] at z = 1 = x·y
    const g = (x: Scalar) => (y: Scalar) => derivative((z) => mul(mul(x, z), y), 1);
    expect(derivative((x) => g(x)(x), 3)).toBe(6); // d/dx x² = 2x
    expect(derivative((y) => g(2)(y), 5)).toBe(2);
    expect(derivative((x) => derivative((y) => g(x)(y), 7), 3)).toBe(1); // ∂²(xy)/∂x∂y
    // d/dx [x · d/dy (x·y·y) at y = x] = d/dx [x · 2x²] = 6x²
    expect(derivative((x) => mul(x, derivative((y) => mul(mul(x, y), y), x)), 2)).toBe(24);
  });
  it('derivative inside the f of hessian and of grad (forward inside reverse)', () => {
    // d/dy [x² e^{xy}] at y = 0 is x³: second derivative 6x, third (via two nestings) 6
    expect(hessian((x: Scalar) => derivative((y) => mul(square(x), exp(mul(x, y))), 0), 1.5).get(0, 0)).toBe(9);
    expect(grad((x: Scalar) => derivative((y) => mul(y, y), x), 3)).toBe(2);
    expect(hessian((x: Scalar) => derivative((y) => powi(y, 4), x), 1.5).get(0, 0)).toBe(36); // 24x
    expect(hessian((x: Scalar) => derivative((y) => derivative((z) => powi(z, 6), y), x), 1.5).get(0, 0)).toBe(810); // 360x²
  });
  it('a grad whose result does not depend on the outer perturbation is a constant for it', () => {
    // grad_y where(x > 0, y², y) at y = 3 is 6 for x = 2, so d/dx [x · 6] = 6
    expect(derivative((x) => mul(x, grad((y: Scalar) => where(gt(x, 0), mul(y, y), y), 3)), 2)).toBe(6);
  });
  it('reverse over forward and reverse inside forward fail loudly, never with a wrong number', () => {
    expect(() => derivative((x) => grad((y: Scalar) => mul(x, y), 1), 2)).toThrowError(TracerError);
    expect(() => derivative((x) => hessian((y: Scalar) => mul(x, square(y)), 1).get(0, 0), 2)).toThrowError(TracerError);
    expect(() => derivative((x) => jacfwd((y: Scalar[]) => [mul(x, y[0]!)], [1]).get(0, 0), 2)).toThrowError(TracerError);
    expect(() => derivative((x) => hvp((y: Scalar) => mul(x, square(y)), 1, 1), 2)).toThrowError(TracerError);
  });
  it('a grad inside grad that mixes tracers of the two tapes throws TracerError', () => {
    expect(() => grad((x: Scalar) => mul(x, grad((y: Scalar) => mul(y, x), 1)), 2)).toThrowError(/two different tapes/);
    expect(() => grad((x: Scalar) => mul(x, grad(() => x, 1)), 2)).toThrowError(TracerError);
  });
});

// ------------------------------------------------------------------------------ conventions
describe('kinks and edges, in every mode', () => {
  const modes = (f: (x: Scalar) => Scalar, x: number) => ({
    grad: grad(f, x),
    derivative: derivative(f, x),
    hessian: hessian(f, x).get(0, 0),
    hvp: hvp(f, x, 1),
    fof: derivative((a) => derivative(f, a), x),
    jacfwd: jacfwd(any<(x: never) => Scalar>(f), x).get(0, 0),
    jacrev: jacrev(f, x).get(0, 0),
  });

  it('|x| at 0: derivative 0, second derivative 0', () => {
    expect(modes(abs, 0)).toEqual({ grad: 0, derivative: 0, hessian: 0, hvp: 0, fof: 0, jacfwd: 0, jacrev: 0 });
    expect(modes((x) => mul(x, abs(x)), 0)).toEqual({ grad: 0, derivative: 0, hessian: 0, hvp: 0, fof: 0, jacfwd: 0, jacrev: 0 });
  });
  it('max/min at a tie give ½ to each argument; max(x, x) has derivative 1', () => {
    expect(grad((p: Scalar[]) => max(p[0]!, p[1]!), [2, 2])).toEqual([0.5, 0.5]);
    expect(grad((p: Scalar[]) => min(p[0]!, p[1]!), [2, 2])).toEqual([0.5, 0.5]);
    expect(jvp((p: Scalar[]) => max(p[0]!, p[1]!), [2, 2], [1, 0]).tangent).toBe(0.5);
    expect(modes((x) => max(x, x), 1.5)).toEqual({ grad: 1, derivative: 1, hessian: 0, hvp: 0, fof: 0, jacfwd: 1, jacrev: 1 });
    expect(modes((x) => min(x, 0), 0)).toEqual({ grad: 0.5, derivative: 0.5, hessian: 0, hvp: 0, fof: 0, jacfwd: 0.5, jacrev: 0.5 });
  });
  it('pow at base 0: one-sided limits in the base, 0 in the exponent', () => {
    expect(grad((p: Scalar[]) => pow(p[0]!, p[1]!), [0, 2])).toEqual([0, 0]);
    expect(grad((p: Scalar[]) => pow(p[0]!, p[1]!), [0, 1])).toEqual([1, 0]);
    expect(grad((p: Scalar[]) => pow(p[0]!, p[1]!), [0, 0.5])).toEqual([Infinity, 0]);
    expect(grad((p: Scalar[]) => pow(p[0]!, p[1]!), [0, 0])).toEqual([0, 0]);
    expect(modes((x) => pow(x, 2), 0)).toEqual({ grad: 0, derivative: 0, hessian: 2, hvp: 2, fof: 2, jacfwd: 0, jacrev: 0 });
    expect(modes((x) => pow(x, 3), 0)).toEqual({ grad: 0, derivative: 0, hessian: 0, hvp: 0, fof: 0, jacfwd: 0, jacrev: 0 });
    expect(modes((x) => pow(2, x), 0).grad).toBe(Math.LN2);
    expect(modes((x) => pow(0, x), 2)).toEqual({ grad: 0, derivative: 0, hessian: 0, hvp: 0, fof: 0, jacfwd: 0, jacrev: 0 });
  });
  it('atan2 at the origin has NaN partials; elsewhere its closed form', () => {
    const g = grad((p: Scalar[]) => atan2(p[0]!, p[1]!), [0, 0]) as number[];
    expect(g.map(Number.isNaN)).toEqual([true, true]);
    expect(grad((p: Scalar[]) => atan2(p[0]!, p[1]!), [3, 4])).toEqual([4 / 25, -3 / 25]);
    expectClose(hessian((p: Scalar[]) => atan2(p[0]!, p[1]!), [3, 4]).toArray().flat(), [-24 / 625, -7 / 625, -7 / 625, 24 / 625]);
  });
  it('sqrt at +0: derivative +∞, second derivative −∞', () => {
    const m = modes(sqrt, 0);
    expect([m.grad, m.derivative, m.jacfwd, m.jacrev]).toEqual([Infinity, Infinity, Infinity, Infinity]);
    expect([m.hessian, m.hvp]).toEqual([-Infinity, -Infinity]);
  });
  it('where never leaks NaN or ∞ from the branch not taken, in any mode', () => {
    const fs: [string, (x: Scalar) => Scalar, number, number, number][] = [
      // name, f, x, f′(x), f″(x)
      ['sqrt guarded at 0', (x) => where(gt(x, 0), sqrt(x), 0), 0, 0, 0],
      ['x log x guarded at 0', (x) => where(gt(x, 0), mul(x, log(x)), square(x)), 0, 0, 2],
      ['log of negative not taken', (x) => where(lt(x, 0), mul(3, x), log(x)), -2, 3, 0],
      ['1/x not taken at 0', (x) => where(gt(x, 0), div(1, x), sin(x)), 0, 1, 0],
      ['nested where', (x) => where(gt(x, 0), where(gt(x, 1), log(sub(x, 1)), sqrt(neg(x))), exp(x)), 0, 1, 1],
    ];
    for (const [name, f, x, d1, d2] of fs) {
      const m = modes(f, x);
      expect({ name, ...m }).toEqual({ name, grad: d1, derivative: d1, hessian: d2, hvp: d2, fof: d2, jacfwd: d1, jacrev: d1 });
    }
    // two variables, the NaN in the other variable's branch: Hessian over (x, y) is exact
    const f = (p: Scalar[]) => where(gt(p[1]!, 0), mul(p[0]!, log(p[1]!)), square(p[0]!));
    expect(hessian(f, [3, 0]).toArray()).toEqual([
      [2, 0],
      [0, 0],
    ]);
    expect(hvp(f, [3, 0], [1, 1])).toEqual([2, 0]);
  });
  it('the zero skipping never drops a non-zero term: Hessian of xᵀAx at 0 and of (x·y)·z at 0', () => {
    const A = [
      [1, 2, -3],
      [4, 0, 5],
      [-6, 7, 8],
    ];
    const q = (x: Scalar[]) => {
      let s: Scalar = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s = add(s, mul(mul(A[i]![j]!, x[i]!), x[j]!));
      return s;
    };
    expect(hessian(q, [0, 0, 0]).toArray()).toEqual(A.map((r, i) => r.map((aij, j) => aij + A[j]![i]!)));
    const t = (x: Scalar[]) => exp(mul(mul(x[0]!, x[1]!), x[2]!));
    expect(hessian(t, [0, 0, 0]).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(hessian(t, [0, 0, 1]).toArray()).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
  });
});

// ------------------------------------------------------------------------------ errors
describe('bad input gives a typed error that names the argument', () => {
  const f2 = (p: Scalar[]) => mul(p[0]!, p[1]!);
  const rec = (p: { a: Scalar; b: Scalar }) => mul(p.a, p.b);

  it('bad x', () => {
    const cases: [unknown, RegExp, new (...a: never[]) => Error][] = [
      [undefined, /grad: x is a value of type undefined; expected a number/, InputTypeError],
      [null, /grad: x is null/, InputTypeError],
      ['3', /grad: x is the string "3"/, InputTypeError],
      [1n, /x is a value of type bigint/, InputTypeError],
      [true, /x is a value of type boolean/, InputTypeError],
      [[1, , 3], /x\[1\] is a value of type undefined; expected a number/, InputTypeError],
      [new Array(2), /x\[0\] is a value of type undefined/, InputTypeError],
      [[[1, 2], [3]], /x\[1\] has length 1; expected length 2 \(a rectangular array of shape \[2, 2\]\)/, ShapeError],
      [[[1, 2], 3], /x\[1\] has the number 3; expected length 2/, ShapeError],
      [[1, [2]], /x\[1\] is an array of length 1; expected a number/, InputTypeError],
      [{ a: { b: undefined } }, /x\.a\.b is a value of type undefined/, InputTypeError],
      [new (class Thing { a = 1 })(), /x is an instance of Thing; expected a number, an array of numbers, a typed array or a record of those/, InputTypeError],
      [new Date(0), /x is an instance of Date/, InputTypeError],
      [new DataView(new ArrayBuffer(8)), /x is a DataView/, InputTypeError],
    ];
    for (const [x, message, type] of cases) {
      const call = () => grad(any<(x: unknown) => Scalar>((p: unknown) => (Array.isArray(p) ? (p[0] as Scalar) : 0)), any<number>(x));
      expect(call, String(message)).toThrowError(type);
      expect(call, String(message)).toThrowError(message);
    }
  });

  it('bad directions and cotangents', () => {
    expect(() => hvp(f2, [1, 2], undefined)).toThrowError(/hvp: v is a value of type undefined/);
    expect(() => hvp(f2, [1, 2], null)).toThrowError(InputTypeError);
    expect(() => hvp(f2, [1, 2], [1])).toThrowError(/hvp: v has shape \[1\]; expected shape \[2\], the shape of x/);
    expect(() => hvp(f2, [1, 2], [1, ,])).toThrowError(/v\[1\] is a value of type undefined/);
    expect(() => hvp(f2, [1, 2], [1n, 2n])).toThrowError(/v\[0\] is a value of type bigint/);
    // typed arrays other than Float64Array are read as arrays of numbers
    expect(hvp(f2, [1, 2], new Float32Array(2))).toEqual(hvp(f2, [1, 2], [0, 0]));
    expect(() => hvp(rec, { a: 1, b: 2 }, { a: 1, c: 2 })).toThrowError(/v has \{a: a scalar, c: a scalar\}; expected \{a: a scalar, b: a scalar\}, the shape of x/);
    expect(() => hvp(rec, { a: 1, b: 2 }, { a: 1, b: 2, c: 3 })).toThrowError(ShapeError);
    expect(() => hvp(rec, { a: 1, b: 2 }, { a: [1], b: 2 })).toThrowError(ShapeError);
    expect(() => jvp(rec, { a: 1, b: 2 }, { a: 1, b: 'z' })).toThrowError(/jvp: v\.b is the string "z"/);
    expect(() => hvp((p: Scalar[][]) => p[0]![0]!, [[1], [2]], [[1], [2, 3]])).toThrowError(/v\[1\] has length 2; expected length 1/);
    // a flat direction of the right total length is accepted, in flat order
    expect(hvp(rec, { a: 1, b: 2 }, [1, 0])).toEqual({ a: 0, b: 1 });
    const back = vjp((x: Scalar) => [x, mul(x, 2)], 1).vjp;
    expect(() => back(any([1]))).toThrowError(/vjp: cotangent has shape \[1\]; expected shape \[2\], the shape of f\(x\)/);
    expect(() => back(any(undefined))).toThrowError(InputTypeError);
  });

  it('non-scalar outputs and bad options', () => {
    expect(() => grad(any<(x: Scalar) => Scalar>((x: Scalar) => [x]), 1)).toThrowError(/grad: f must return one scalar .* an array of shape \[1\]/);
    expect(() => hessian(any<(x: Scalar) => Scalar>((x: Scalar) => ({ a: x })), 1)).toThrowError(NonScalarOutputError);
    expect(() => hessianDiagonal(any<(x: Scalar) => Scalar>((x: Scalar) => [x, x]), 1)).toThrowError(NonScalarOutputError);
    expect(() => hvp(any<(x: Scalar) => Scalar>((x: Scalar) => [x]), 1, 1)).toThrowError(NonScalarOutputError);
    expect(() => grad(any<(x: Scalar) => Scalar>(() => undefined), 1)).toThrowError(/f\(x\) is a value of type undefined/);
    expect(() => hessian(f2, new Float64Array(100), { maxBytes: 1000 })).toThrowError(MemoryBudgetError);
    expect(() => hessian(f2, new Float64Array(100), { maxBytes: 1000 })).toThrowError(/needs 78\.1 KiB, over the budget of 1000 B .*hvp.*hessianDiagonal/);
    expect(() => hessian(f2, [1, 2], { chunk: 0 })).toThrowError(/options\.chunk is the number 0; expected a positive integer/);
    expect(() => hessian(f2, [1, 2], { chunk: 1.5 })).toThrowError(InputTypeError);
    expect(() => powi(2, 0.5)).toThrowError(/powi: n is the number 0\.5; expected an integer/);
  });

  it('operations on non-scalars', () => {
    expect(() => grad((x: Scalar) => add(x, any('1')), 1)).toThrowError(/add: argument is the string "1"; expected a number or a scalar of dualtape/);
    expect(() => grad((x: Scalar) => mul(x, any(undefined)), 1)).toThrowError(InputTypeError);
    expect(() => grad((x: Scalar) => mul(x, any([1])), 1)).toThrowError(/an array of length 1/);
    expect(() => grad((x: Scalar) => mul(x, any(1n)), 1)).toThrowError(/bigint/);
    expect(() => exp(any('a'))).toThrowError(InputTypeError);
    expect(() => where(any(null), 1, 2)).toThrowError(InputTypeError);
    expect(() => derivative((x) => mul(x, any('2')), 1)).toThrowError(InputTypeError);
  });

  it('JavaScript operators and conversions on tracers and duals throw TracerError', () => {
    const ops: ((x: unknown) => unknown)[] = [
      (x) => (x as number) * 2,
      (x) => (x as number) + 1,
      (x) => '' + (x as string),
      (x) => (x as number) < 1,
      (x) => (x as number) == 1,
      (x) => Math.exp(x as number),
      (x) => Math.max(x as number, 0),
      (x) => Number(x),
      (x) => -(x as number),
      (x) => isNaN(x as number),
    ];
    for (const op of ops) {
      expect(() => grad((x: Scalar) => (op(x), x), 1), String(op)).toThrowError(TracerError);
      expect(() => derivative((x) => (op(x), x), 1), String(op)).toThrowError(TracerError);
      expect(() => hessian((x: Scalar) => (op(x), x), 1), String(op)).toThrowError(TracerError);
    }
    // string conversion is allowed
    expect(grad((x: Scalar) => mul(x, `${x}`.length), 1)).toBe('Tracer(1)'.length);
  });

  it('leaked tracers are dead: as operand, as output, in forward mode', () => {
    let leaked: Scalar = 0;
    grad((x: Scalar) => ((leaked = x), x), 1);
    expect(() => grad(() => leaked, 2)).toThrowError(/a leaked tracer/);
    expect(() => grad((x: Scalar) => mul(x, leaked), 2)).toThrowError(TracerError);
    expect(() => hessian((x: Scalar) => add(leaked, x), 2)).toThrowError(TracerError);
    expect(() => derivative((z) => mul(z, leaked), 1)).toThrowError(/used after the grad\/hessian\/vjp call that created it returned/);
    expect(() => jvp((z: Scalar) => mul(z, z), leaked, 1)).toThrowError(TracerError);
    expect(() => sin(leaked)).toThrowError(TracerError);
  });
});

// ------------------------------------------------------------------------------ the tape
describe('the tape: growth, reuse, reentrancy, exceptions', () => {
  it('records more than 10⁶ nodes and stays exact', () => {
    const n = 400_000; // 3 nodes per entry (const, mul, add) + the square: > 1.6·10⁶ nodes
    const x = new Float64Array(n).map((_, i) => (i % 7) - 3);
    const f = (v: Scalar[]) => {
      let s: Scalar = 0;
      for (let i = 0; i < n; i++) s = add(s, mul(i % 5, square(v[i]!)));
      return s;
    };
    const { value, grad: g } = valueAndGrad(any<(x: unknown) => Scalar>(f), x);
    let expected = 0;
    for (let i = 0; i < n; i++) expected += (i % 5) * x[i]! ** 2;
    expect(value).toBe(expected);
    const gf = g as Float64Array;
    for (let i = 0; i < n; i += 9973) expect(gf[i]! + 0).toBe(2 * (i % 5) * x[i]! + 0); // + 0: ±0 alike
    const hv = hvp(any<(x: unknown) => Scalar>(f), x, x) as Float64Array;
    for (let i = 0; i < n; i += 9973) expect(hv[i]! + 0).toBe(2 * (i % 5) * x[i]! + 0);
    // the (larger) pooled tape is reused for a small function afterwards
    expect(grad((y: Scalar) => mul(y, y), 3)).toBe(6);
  });

  it('a grad of an unrelated function inside f (reentrancy) leaves the outer recording intact', () => {
    const f = (x: Scalar[]) => {
      const inner = grad((y: Scalar[]) => mul(mul(y[0]!, y[0]!), y[1]!), [2, 5]) as number[]; // [20, 4]
      const h = hessian((y: Scalar) => powi(y, 3), 2).get(0, 0); // 12
      return add(mul(inner[0]!, x[0]!), mul(mul(inner[1]! + h, x[1]!), x[1]!));
    };
    expect(grad(f, [1, 3])).toEqual([20, 2 * 16 * 3]);
    expect(hessian(f, [1, 3]).toArray()).toEqual([
      [0, 0],
      [0, 32],
    ]);
  });

  it('an exception thrown by f mid-recording kills its tracers; the next call works', () => {
    let leaked: Scalar = 0;
    const boom = (x: Scalar) => {
      leaked = mul(x, x);
      throw new RangeError('boom');
    };
    expect(() => grad(boom, 1)).toThrowError(RangeError);
    expect(() => add(leaked, 1)).toThrowError(TracerError);
    expect(grad((x: Scalar) => mul(x, x), 4)).toBe(8);
    expect(() => grad((x: Scalar) => mul(x, leaked), 4)).toThrowError(TracerError);
    expect(() => hessian(boom, 1)).toThrowError(RangeError);
    expect(hessian((x: Scalar) => powi(x, 4), 1).get(0, 0)).toBe(12);
    // an inner grad that throws, caught by the outer f
    const g = grad((x: Scalar) => {
      try {
        grad(boom, 2);
      } catch {
        /* ignored */
      }
      return mul(x, x);
    }, 5);
    expect(g).toBe(10);
  });

  it('a vjp closure stays valid while other calls reuse the pool', () => {
    const { vjp: back } = vjp((x: Scalar[]) => [mul(x[0]!, x[1]!), sin(x[0]!)], [2, 3]);
    for (let k = 0; k < 5; k++) grad((y: Scalar) => exp(y), k);
    expect(back([1, 0])).toEqual([3, 2]);
    expect(back([0, 1])).toEqual([Math.cos(2), 0]);
  });

  it('a function that ignores its input, or returns its input, or a constant', () => {
    expect(grad(() => 3, [1, 2])).toEqual([0, 0]);
    expect(hessian(() => 3, [1, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(grad((x: Scalar) => x, 7)).toBe(1);
    expect(hessian((x: Scalar) => x, 7).get(0, 0)).toBe(0);
    expect(jacrev((x: Scalar[]) => [x[1]!, x[0]!, 4], [1, 2]).toArray()).toEqual([
      [0, 1],
      [1, 0],
      [0, 0],
    ]);
    expect(grad((x: Scalar[]) => sum(x), [])).toEqual([]);
    expect(hessian((x: Scalar[]) => sum(x), []).rows).toBe(0);
  });
});

// ------------------------------------------------------------------------------ checkGrad
describe('checkGrad has teeth and no false alarms on smooth functions', () => {
  it('catches a wrong partial with respect to the second argument of a binary primitive', () => {
    // a/b with ∂/∂b = +a/b² (sign wrong), second partials consistent with the wrong first
    const badDiv = definePrimitive('adv_bad_div', {
      arity: 2,
      doc: 'a/b with a wrong ∂/∂b',
      value: (a, b) => a / b,
      d: [(_y, _a, b) => div(1, b), (y, _a, b) => div(y, b)],
      dd: [() => 0, (_y, _a, b) => div(1, square(b)), (y, _a, b) => div(mul(2, y), square(b))],
    });
    const r = checkGrad((x: Scalar[]) => applyPrimitive(badDiv, [x[0]!, x[1]!]), [0.7, 1.9]);
    expect(r.ok).toBe(false);
    expect(r.worst['gradient: reverse vs central difference']!.ok).toBe(false);
  });
  it('catches a wrong mixed second partial (first partials right)', () => {
    const badMul = definePrimitive('adv_bad_mul', {
      arity: 2,
      doc: 'a·b with ∂²/∂a∂b = 2',
      value: (a, b) => a * b,
      d: [(_y, _a, b) => b, (_y, a) => a],
      dd: [() => 0, () => 2, () => 0],
    });
    const r = checkGrad((x: Scalar[]) => applyPrimitive(badMul, [x[0]!, x[1]!]), [0.7, 1.9]);
    expect(r.ok).toBe(false);
    expect(r.worst['gradient: reverse vs central difference']!.ok).toBe(true);
    expect(r.worst['hvp: fast sweep vs dual-number sweep']!.ok).toBe(false);
  });
  it('catches a value function inconsistent with its partials', () => {
    const badExp = definePrimitive('adv_bad_exp', {
      arity: 1,
      doc: '2eᵃ with the partials of eᵃ',
      value: (a) => 2 * Math.exp(a),
      d: [(_y, a) => exp(a)],
      dd: [(_y, a) => exp(a)],
    });
    expect(checkGrad((x: Scalar) => applyPrimitive(badExp, [x]), 0.3).ok).toBe(false);
  });
  it('catches a wrong ternary primitive (∂/∂c off)', () => {
    const badFma = definePrimitive('adv_bad_fma', {
      arity: 3,
      doc: 'a·b + c with ∂/∂c = 2',
      value: (a, b, c) => a * b + c,
      d: [(_y, _a, b) => b, (_y, a) => a, () => 2],
      dd: [() => 0, () => 1, () => 0, () => 0, () => 0, () => 0],
    });
    expect(checkGrad((x: Scalar[]) => applyPrimitive(badFma, [x[0]!, x[1]!, x[2]!]), [0.3, -0.4, 1.2]).ok).toBe(false);
  });
  it('passes on a correct fused primitive and on awkward smooth functions', () => {
    const fma = definePrimitive('adv_fma', {
      arity: 3,
      doc: 'a·b + c',
      value: (a, b, c) => a * b + c,
      d: [(_y, _a, b) => b, (_y, a) => a, () => 1],
      dd: [() => 0, () => 1, () => 0, () => 0, () => 0, () => 0],
    });
    const fns: [string, (x: Scalar[]) => Scalar, number[]][] = [
      ['fused', (x) => mul(applyPrimitive(fma, [x[0]!, x[1]!, x[2]!]), exp(x[2]!)), [0.3, -0.4, 1.2]],
      ['deep', (x) => { let y: Scalar = x[0]!; for (let k = 0; k < 50; k++) y = sin(add(y, x[1]!)); return y; }, [0.4, 0.2]],
      ['atan2·log', (x) => mul(atan2(x[0]!, x[1]!), log(add(square(x[0]!), square(x[1]!)))), [0.6, -0.9]],
      ['pow real', (x) => pow(x[0]!, x[1]!), [1.7, 2.3]],
      ['rational', (x) => div(sub(x[0]!, x[1]!), add(1, square(x[2]!))), [1.5, -2, 0.25]],
      ['with inner derivative', (x) => derivative((t) => mul(exp(mul(t, x[0]!)), cos(x[1]!)), 0.5), [0.3, 0.8]],
    ];
    for (const [name, f, x] of fns) {
      const r = checkGrad(f, x);
      expect(r.ok, `${name}\n${r.summary}`).toBe(true);
    }
  });
});
