/** Reverse mode (tape.ts, sweeps.ts, api/reverse.ts), structured inputs and errors. */
import { describe, expect, it } from 'vitest';
import {
  InputTypeError,
  NonScalarOutputError,
  ShapeError,
  Tape,
  TracerError,
  add,
  exp,
  grad,
  jacrev,
  jacfwd,
  log,
  mul,
  sin,
  square,
  sum,
  valueAndGrad,
  vjp,
  record,
  type Scalar,
} from '@dualtape/core';
import { rosenbrock, rosenbrockGradient } from '@dualtape/zoo';
import { expectClose } from './helpers.js';

describe('grad', () => {
  it('matches the closed-form gradient of extended Rosenbrock', () => {
    const x = [-1.2, 1, 0.3, 2, -0.7];
    expectClose(grad(rosenbrock, x), rosenbrockGradient(x), 1e-15);
  });
  it('keeps the input structure: number, array, Float64Array, nested array, record', () => {
    expect(grad((x: Scalar) => mul(x, x), 3)).toBe(6);
    expect(grad((x: Scalar[]) => mul(x[0]!, x[1]!), [3, 4])).toEqual([4, 3]);
    const g = grad((x: Scalar[]) => mul(x[0]!, x[1]!), new Float64Array([3, 4]));
    expect(g).toBeInstanceOf(Float64Array);
    expect(Array.from(g)).toEqual([4, 3]);
    expect(grad((m: Scalar[][]) => mul(m[0]![1]!, m[1]![0]!), [[1, 2], [3, 4]])).toEqual([[0, 3], [2, 0]]);
    expect(grad((p: { w: Scalar[]; b: Scalar }) => add(mul(p.w[0]!, p.b), p.w[1]!), { w: [2, 5], b: 7 })).toEqual({ w: [7, 1], b: 2 });
  });
  it('returns the value too', () => {
    const { value, grad: g } = valueAndGrad((x: Scalar[]) => sum(x.map(exp)), [0, 1]);
    expectClose(value, 1 + Math.E);
    expectClose(g, [1, Math.E]);
  });
  it('is zero for a function that ignores its input', () => {
    expect(grad(() => 3, [1, 2])).toEqual([0, 0]);
  });
  it('propagates NaN and ∞ inputs per IEEE rather than throwing', () => {
    const g = grad((x: Scalar[]) => add(mul(x[0]!, x[0]!), log(x[1]!)), [NaN, -1]);
    expect(g[0]).toBeNaN();
    expect(g[1]).toBe(-1); // d/dx log x = 1/x is −1 at −1, although log(−1) is NaN
    expect(grad((x: Scalar) => exp(x), Infinity)).toBe(Infinity);
  });
});

describe('vjp and jacrev', () => {
  const f = (x: Scalar[]) => [mul(x[0]!, x[1]!), sin(x[0]!), square(x[1]!)];
  it('vjp gives ȳᵀJ for any cotangent, reusing one recording', () => {
    const { value, vjp: back } = vjp(f, [2, 3]);
    expectClose(value, [6, Math.sin(2), 9]);
    expectClose(back([1, 0, 0]), [3, 2]);
    expectClose(back([0, 1, 1]), [Math.cos(2), 6]);
    expect(() => back([1, 2])).toThrowError(ShapeError);
  });
  it('jacrev equals jacfwd, with shape [...out, ...in]', () => {
    const Jr = jacrev(f, [2, 3]);
    expect(Jr.shape).toEqual([3, 2]);
    expectClose(Jr.data, jacfwd(f, [2, 3]).data, 1e-15);
  });
});

describe('errors', () => {
  it('non-scalar output from f in grad names the API and the shape', () => {
    expect(() => grad(((x: Scalar[]) => x) as never, [1, 2])).toThrowError(NonScalarOutputError);
    expect(() => grad(((x: Scalar[]) => x) as never, [1, 2])).toThrowError(/grad: f must return one scalar.*shape \[2\]/);
  });
  it('bad inputs name the offending entry', () => {
    expect(() => grad((x: Scalar[]) => x[0]!, [1, 'a' as unknown as number])).toThrowError(InputTypeError);
    expect(() => grad((x: Scalar[]) => x[0]!, [1, 'a' as unknown as number])).toThrowError(/x\[1\] is the string "a"/);
    expect(() => grad((x: Scalar[][]) => x[0]![0]!, [[1, 2], [3]])).toThrowError(/x\[1\] has length 1; expected length 2/);
    expect(() => grad((x: Scalar) => x, undefined as unknown as number)).toThrowError(InputTypeError);
  });
  it('a tracer used after its call returned throws TracerError (like JAX UnexpectedTracerError)', () => {
    let leaked: Scalar = 0;
    grad((x: Scalar) => {
      leaked = x;
      return mul(x, x);
    }, 2);
    expect(() => grad((y: Scalar) => mul(y, leaked), 3)).toThrowError(TracerError);
    expect(() => mul(leaked, 2)).toThrowError(/used after the grad\/hessian\/vjp call that created it returned/);
  });
  it('tracers of two different tapes cannot be mixed (nested grad is reverse-over-reverse, not supported)', () => {
    const nested = () => grad((x: Scalar) => grad((y: Scalar) => mul(x, y), 1), 2);
    expect(nested).toThrowError(TracerError);
    expect(nested).toThrowError(/two different tapes/);
  });
  it('a new recording on a tape kills the tracers of the previous one', () => {
    const a = new Tape();
    a.begin();
    let ta: Scalar = 0;
    record(a, (x: Scalar) => ((ta = x), x), 1, 'test');
    a.begin();
    expect(() => mul(ta, 1)).toThrowError(TracerError);
  });
  it('JavaScript operators on tracers throw instead of dropping the derivative', () => {
    expect(() => grad((x: Scalar) => (x as unknown as number) + 1, 1)).toThrowError(/operators cannot be overloaded/);
    expect(String(grad((x: Scalar) => mul(x, 2), 1))).toBe('2');
  });
});

describe('tape', () => {
  it('grows by doubling and resets in O(1), keeping its arrays', () => {
    const tape = new Tape(4);
    const ops = withTapeCount(tape, 1000);
    expect(ops).toBeGreaterThan(1000);
    expect(tape.op.length).toBeGreaterThanOrEqual(tape.size);
    expect(Math.log2(tape.op.length) % 1).toBe(0);
    const cap = tape.op.length;
    tape.begin();
    expect(tape.size).toBe(0);
    expect(tape.op.length).toBe(cap);
  });
  it('records 9 bytes per node plus 12 per argument', () => {
    const tape = new Tape();
    tape.begin();
    record(tape, (x: Scalar[]) => add(mul(x[0]!, x[1]!), exp(x[0]!)), [1, 2], 'test');
    // 2 inputs, mul (2 args), exp (1 arg), add (2 args)
    expect(tape.size).toBe(5);
    expect(tape.argSize).toBe(5);
    expect(tape.bytesUsed).toBe(5 * 9 + 5 * 12);
    expect(tape.countArgs()).toBe(tape.argSize);
  });
});

function withTapeCount(tape: Tape, n: number): number {
  tape.begin();
  record(tape, (x: Scalar) => {
    let s = x;
    for (let i = 0; i < n; i++) s = add(s, mul(s, 1e-3));
    return s;
  }, 1, 'test');
  return tape.size;
}
