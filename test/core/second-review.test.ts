/**
 * Second review of the batch-flag sweeps (rows not zeroed between batches), the activity
 * analysis (`neededTangents`) and the scratch arrays kept on pooled tapes.
 *
 * The invariants pinned here:
 * - a dense Hessian does not depend on the chunk size, bit for bit (Object.is, so −0/+0 and
 *   NaN count), on random programs with kinks, selects, constants, repeated variables, unused
 *   inputs and non-finite values;
 * - hessianDiagonal, hvp of unit vectors and a reference sweep on fresh buffers without the
 *   activity analysis give the same bits;
 * - results handed to the user never share memory with a tape's scratch arrays.
 */
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  exp,
  grad,
  hessian,
  hessianDiagonal,
  hvp,
  jacrev,
  jvp,
  log,
  max,
  mul,
  record,
  reverseSweep,
  secondPartials,
  sqrt,
  square,
  sub,
  SweepBuffers,
  tangentSweep,
  hvpSweep,
  valueAndGrad,
  vjp,
  where,
  withTape,
  type Scalar,
} from '@dualtape/core';
import * as core from '@dualtape/core';

/** mulberry32: a small deterministic generator for the random programs. */
function generator(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIALS = [0, -0, 1, -1, 2, 0.5, -2, 3, Infinity, -Infinity, NaN, 1e-300, 1e300];
const UNARY = ['neg', 'square', 'exp', 'log', 'sqrt', 'abs', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'log1p', 'expm1', 'floor', 'sign'];
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'atan2', 'lt', 'gt', 'eq'];
type Step = [op: string, args: number[], value?: number];
interface Program {
  readonly n: number;
  readonly steps: Step[];
}

function randomProgram(rnd: () => number, n: number, length: number): Program {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const steps: Step[] = [];
  for (let s = 0; s < length; s++) {
    const ref = (): number => Math.floor(rnd() * (n + s));
    const t = rnd();
    if (t < 0.1) steps.push(['const', [], pick(SPECIALS)]);
    else if (t < 0.45) steps.push([pick(UNARY), [ref()]]);
    else if (t < 0.9) steps.push([pick(BINARY), [ref(), rnd() < 0.2 ? -1 : ref()]]);
    else steps.push(['where', [ref(), ref(), ref()]]);
  }
  return { n, steps };
}

const ops = core as unknown as Record<string, (...a: Scalar[]) => Scalar>;
function runProgram(p: Program, x: readonly Scalar[]): Scalar {
  const v: Scalar[] = [...x];
  for (const [op, args, value] of p.steps) {
    if (op === 'const') v.push(value!);
    else v.push(ops[op]!(...args.map((i) => (i < 0 ? 2 : v[i]!))));
  }
  // a running sum over some intermediate nodes (additions only: the activity analysis skips it)
  let out = v[v.length - 1]!;
  for (let i = p.n; i < v.length - 1; i++) if (i % 3 === 0) out = add(out, mul(0.5, v[i]!));
  return out;
}

/** Column j of the Hessian by a sweep on fresh buffers, with no activity analysis and one direction. */
function referenceColumn(f: (x: Scalar[]) => Scalar, x: number[], j: number): Float64Array {
  const n = x.length;
  return withTape((tape) => {
    const rec = record(tape, f, x, 'reference');
    const out = rec.outNodes[0]!;
    const col = new Float64Array(n);
    if (out < 0) return col;
    const adj = new Float64Array(tape.size);
    adj[out] = 1;
    reverseSweep(tape, adj);
    const buf = new SweepBuffers(tape.size, 1);
    buf.seed(j, 0, 1);
    tangentSweep(tape, buf);
    hvpSweep(tape, adj, secondPartials(tape), buf);
    for (let i = 0; i < n; i++) col[i] = buf.adjointTangent(i, 0);
    return col;
  });
}

/** The first entry where two arrays differ as bits (Object.is), or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('batch flags and activity analysis: random programs, bit for bit', () => {
  const rnd = generator(20261129);
  const cases: { p: Program; x: number[] }[] = [];
  for (let c = 0; c < 250; c++) {
    const n = 1 + Math.floor(rnd() * 8);
    const p = randomProgram(rnd, n, 3 + Math.floor(rnd() * 20));
    const x = Array.from({ length: n }, () => (rnd() < 0.3 ? SPECIALS[Math.floor(rnd() * SPECIALS.length)]! : (rnd() - 0.5) * 4));
    cases.push({ p, x });
  }

  it('hessian is the same for every chunk 1…n, hessianDiagonal is its diagonal, hvp(e_j) its columns, and a fresh-buffer sweep without the activity analysis agrees', () => {
    for (const { p, x } of cases) {
      const n = x.length;
      const f = (xs: Scalar[]): Scalar => runProgram(p, xs);
      const where_ = `program ${JSON.stringify(p)} at x = [${x.join(', ')}]`;
      const H1 = hessian(f, x, { chunk: 1 }).data;
      for (let k = 2; k <= n; k++) expect(firstDifference(hessian(f, x, { chunk: k }).data, H1), `chunk ${k}, ${where_}`).toBe(-1);
      expect(firstDifference(hessian(f, x).data, H1), `default chunk, ${where_}`).toBe(-1);
      const diag = hessianDiagonal(f, x) as number[];
      expect(firstDifference(diag, Array.from({ length: n }, (_, i) => H1[i * n + i]!)), `diagonal, ${where_}`).toBe(-1);
      for (let j = 0; j < n; j++) {
        const col = Array.from({ length: n }, (_, i) => H1[i * n + j]!);
        const e = Array.from({ length: n }, (_, i) => (i === j ? 1 : 0));
        expect(firstDifference(hvp(f, x, e) as number[], col), `hvp(e_${j}), ${where_}`).toBe(-1);
        expect(firstDifference(referenceColumn(f, x, j), col), `reference column ${j}, ${where_}`).toBe(-1);
      }
    }
  });
});

describe('batch flags: targeted cases', () => {
  const chunks = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

  it('∞ partials (sqrt and log at 0) do not turn an unseeded direction into NaN, for every chunk', () => {
    const f = (x: Scalar[]): Scalar => add(add(sqrt(x[0]!), log(x[3]!)), add(square(x[1]!), mul(x[1]!, x[2]!)));
    for (const chunk of chunks(4)) {
      const H = hessian(f, [0, 1, 2, 0], { chunk }).toArray();
      expect(H[0]![0]).toBe(-Infinity);
      expect(H[3]![3]).toBe(-Infinity);
      expect(H[1]).toEqual([0, 2, 1, 0]);
      expect(H[2]).toEqual([0, 1, 0, 0]);
      expect(H[0]![1]).toBe(0);
      expect(Object.is(H[0]![1], 0)).toBe(true);
    }
  });

  it('where with NaN in the branch not taken, abs and max kinks, a repeated variable and an unused input', () => {
    const f = (x: Scalar[]): Scalar =>
      add(
        where(x[0]!, mul(x[1]!, x[1]!), log(sub(0, abs(x[1]!)))), // log(−|x1|) is NaN, not taken
        add(mul(max(x[2]!, 0), x[2]!), mul(mul(x[3]!, x[3]!), x[3]!)),
      );
    const x = [1, 3, 2, -1, 5];
    const expected = [
      [0, 0, 0, 0, 0],
      [0, 2, 0, 0, 0],
      [0, 0, 2, 0, 0],
      [0, 0, 0, -6, 0],
      [0, 0, 0, 0, 0],
    ];
    for (const chunk of chunks(5)) expect(hessian(f, x, { chunk }).toArray()).toEqual(expected);
    expect(Array.from(hessianDiagonal(f, x) as number[])).toEqual([0, 2, 2, -6, 0]);
  });

  it('a batch after a batch with live rows reads no stale numbers (second call on the same pooled tape too)', () => {
    // columns 0..2 touch a long chain; columns 3..5 only a short one: the long chain's rows are
    // stale in the second batch and must read as zero.
    const f = (x: Scalar[]): Scalar => {
      let chain: Scalar = mul(x[0]!, x[1]!);
      for (let i = 0; i < 20; i++) chain = mul(chain, add(x[2]!, 0.01 * i));
      return add(chain, add(mul(x[3]!, x[4]!), square(x[5]!)));
    };
    const x = [0.5, 1.5, 0.9, 2, 3, 4];
    const dense = hessian(f, x, { chunk: 6 }).data;
    for (let round = 0; round < 2; round++) {
      expect(firstDifference(hessian(f, x, { chunk: 3 }).data, dense)).toBe(-1);
      expect(firstDifference(hessian(f, x, { chunk: 2 }).data, dense)).toBe(-1);
    }
    const H = hessian(f, x, { chunk: 3 }).toArray();
    expect(H[3]).toEqual([0, 0, 0, 0, 1, 0]);
    expect(H[5]).toEqual([0, 0, 0, 0, 0, 2]);
  });

  it('the activity analysis (a loss-like running sum) agrees with central differences of grad', () => {
    const n = 40; // > 32: two batches of 20
    const f = (x: Scalar[]): Scalar => {
      let s: Scalar = 0;
      for (let i = 0; i + 1 < n; i++) s = add(s, log(add(1, exp(mul(x[i]!, x[i + 1]!)))));
      for (let i = 0; i < n; i++) s = add(s, mul(0.1 * (i + 1), square(x[i]!)));
      return s;
    };
    const x = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const H = hessian(f, x);
    const h = 1e-5;
    for (const j of [0, 7, 19, 20, 33, 39]) {
      const xp = x.slice();
      const xm = x.slice();
      xp[j]! += h;
      xm[j]! -= h;
      const gp = grad(f, xp) as number[];
      const gm = grad(f, xm) as number[];
      for (let i = 0; i < n; i++) {
        const fd = (gp[i]! - gm[i]!) / (2 * h);
        expect(Math.abs(H.get(i, j) - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});

describe('scratch arrays on pooled tapes: no aliasing', () => {
  const f = (x: Scalar[]): Scalar => add(mul(mul(x[0]!, x[1]!), x[2]!), add(square(x[0]!), exp(x[1]!)));
  const g = (x: Scalar[]): Scalar => add(mul(x[0]!, 10), square(x[2]!));
  const snap = (r: unknown): string => JSON.stringify(Array.from(((r as { data?: ArrayLike<number> }).data ?? r) as ArrayLike<number>));
  const calls: [string, (h: (x: Scalar[]) => Scalar, x: number[]) => unknown][] = [
    ['grad', (h, x) => grad(h, x)],
    ['grad of a Float64Array', (h, x) => grad(h, Float64Array.from(x))],
    ['valueAndGrad', (h, x) => valueAndGrad(h, x).grad],
    ['hvp', (h, x) => hvp(h, x, [1, 2, 3])],
    ['hessian', (h, x) => hessian(h, x)],
    ['hessianDiagonal', (h, x) => hessianDiagonal(h, x)],
    ['jacrev', (h, x) => jacrev(h, x)],
    ['vjp', (h, x) => vjp(h, x).vjp(1)],
  ];
  for (const [name, call] of calls) {
    it(`${name}: a result does not change on the next calls`, () => {
      const first = call(f, [1, 2, 3]);
      const before = snap(first);
      call(g, [4, 5, 6]);
      call(f, [7, 8, 9]);
      expect(snap(first)).toBe(before);
    });
  }

  it('hessian after f threw mid-recording, and hessian/grad/jvp nested inside f', () => {
    expect(() =>
      hessian((x: Scalar[]) => {
        mul(x[0]!, x[1]!);
        throw new Error('boom');
      }, [1, 2]),
    ).toThrow('boom');
    expect(hessian(f, [1, 2, 3]).toArray()).toEqual([
      [2, 3, 2],
      [3, Math.exp(2), 1],
      [2, 1, 0],
    ]);
    const nested = (x: Scalar[]): Scalar => {
      const H = hessian(f, [1, 2, 3]);
      const gg = grad(g, [1, 1, 1]) as number[];
      const t = jvp((y: Scalar) => mul(y, y), x[0]!, 1).tangent as Scalar; // 2·x0
      return add(mul(add(x[0]!, H.get(0, 0)), add(x[1]!, gg[0]!)), mul(t, x[1]!));
    };
    expect(hessian(nested, [1, 2]).toArray()).toEqual([
      [0, 3],
      [3, 0],
    ]);
  });

  it('inputs whose work arrays exceed the 8 MiB keep limit, then small ones on the same pool', () => {
    const n = 1_100_000; // adj: 8.8 MB per node array > 8 MiB
    const x = Float64Array.from({ length: n }, (_, i) => (i % 7) / 7);
    const sumSquares = (xs: Scalar[]): Scalar => {
      let s: Scalar = 0;
      for (let i = 0; i < xs.length; i++) s = add(s, square(xs[i]!));
      return s;
    };
    const g1 = grad(sumSquares, x) as Float64Array;
    const g2 = grad(sumSquares, x.map((v) => v + 1)) as Float64Array;
    expect(g1[12345]).toBe((2 * (12345 % 7)) / 7);
    expect(g2[12345]).toBe(2 * ((12345 % 7) / 7 + 1));
    expect(g1.length).toBe(n);
    expect(grad(f, [1, 2, 3])).toEqual([2 * 1 + 6, 3 + Math.exp(2), 2]);
  });
});
