/**
 * Property tests (fast-check) on random programs: random expression trees over four inputs,
 * built from the primitives, checked at random points.
 *  - smooth programs: checkGrad in full (forward vs reverse, fast vs readable forward-over-
 *    reverse, forward-over-forward, and both against central differences — tolerances in
 *    core's TOLERANCES, justified there);
 *  - programs with every primitive (kinks, branches, domain edges): the modes against each
 *    other only, since finite differences are meaningless across a kink;
 *  - the Hessian is symmetric, its columns are hvp of unit vectors, and every chunk size
 *    gives the same matrix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PRIM,
  BINARY_OPS,
  UNARY_OPS,
  applyPrimitive,
  add,
  checkGrad,
  div,
  hessian,
  hvp,
  mul,
  square,
  sub,
  where,
  withTape,
  record,
  secondPartials,
  type Scalar,
} from '@dualtape/core';

type Expr = { kind: 'var'; i: number } | { kind: 'const'; v: number } | { kind: 'op'; name: string; args: Expr[] };

const N_VARS = 4;

/** Smooth, bounded-domain building blocks: every one is C∞ on ℝ (or on the range it receives). */
const SMOOTH_UNARY = ['sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'square', 'neg', 'sinh', 'atan'] as const;
const SMOOTH_BINARY = ['add', 'sub', 'mul', 'safediv', 'hypot', 'atan2'] as const;

function evalSmooth(e: Expr, x: readonly Scalar[]): Scalar {
  if (e.kind === 'var') return x[e.i]!;
  if (e.kind === 'const') return e.v;
  const [a, b] = e.args.map((c) => evalSmooth(c, x)) as [Scalar, Scalar];
  switch (e.name) {
    case 'safediv':
      return div(a, add(1.5, square(b))); // denominator ≥ 1.5
    case 'hypot':
      return applyPrimitive(PRIM.sqrt, [add(1, add(square(a), square(b)))]); // argument ≥ 1
    case 'atan': // atan2(a, 2) is smooth in a
      return applyPrimitive(PRIM.atan2, [a, 2]);
    case 'atan2': // keep away from the origin: x-coordinate ≥ 1
      return applyPrimitive(PRIM.atan2, [a, add(1, square(b))]);
    case 'exp': // exp of a bounded argument
      return applyPrimitive(PRIM.exp, [applyPrimitive(PRIM.tanh, [a])]);
    default:
      return applyPrimitive(PRIM[e.name as keyof typeof PRIM], e.args.length === 1 ? [a] : [a, b]);
  }
}

function evalAny(e: Expr, x: readonly Scalar[]): Scalar {
  if (e.kind === 'var') return x[e.i]!;
  if (e.kind === 'const') return e.v;
  const args = e.args.map((c) => evalAny(c, x));
  if (e.name === 'select') return where(args[0]!, args[1]!, args[2]!);
  if (e.name === 'powi') return applyPrimitive(PRIM.powi, [args[0]!, 3]);
  return applyPrimitive(PRIM[e.name as keyof typeof PRIM], args);
}

/**
 * Numbers for inputs and constants: moderate magnitudes, or exactly 0 (the kink of abs, the
 * edge of sqrt and log, the origin of atan2). Tiny non-zero values such as 1e−50 are mapped to
 * 0: at them x/x has local partials of 1e100 that cancel, and no fixed relative tolerance can
 * compare two rounding orders of such a sum — that is conditioning, not a derivative question.
 */
const moderate = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((v) => (Math.abs(v) < 1e-3 ? 0 : v));

const leaf = fc.oneof(
  fc.integer({ min: 0, max: N_VARS - 1 }).map((i): Expr => ({ kind: 'var', i })),
  moderate(-2, 2).map((v): Expr => ({ kind: 'const', v })),
);

function exprArb(unary: readonly string[], binary: readonly string[], ternary: readonly string[] = []): fc.Arbitrary<Expr> {
  const { tree } = fc.letrec<{ tree: Expr }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ name: fc.constantFrom(...unary), a: tie('tree') }).map(({ name, a }): Expr => ({ kind: 'op', name, args: [a] })),
      fc.record({ name: fc.constantFrom(...binary), a: tie('tree'), b: tie('tree') }).map(({ name, a, b }): Expr => ({ kind: 'op', name, args: [a, b] })),
      ...(ternary.length
        ? [fc.tuple(tie('tree'), tie('tree'), tie('tree')).map(([c, a, b]): Expr => ({ kind: 'op', name: 'select', args: [c, a, b] }))]
        : []),
    ),
  }));
  return tree;
}

const point = fc.array(moderate(-1.5, 1.5), { minLength: N_VARS, maxLength: N_VARS });
const withInputs = (f: (x: readonly Scalar[]) => Scalar) => (x: Scalar[]) => add(f(x), mul(x[0]!, sub(x[1]!, mul(x[2]!, x[3]!))));

describe('random smooth programs: every mode and finite differences agree (checkGrad)', () => {
  it('holds on 150 random programs', () => {
    fc.assert(
      fc.property(exprArb([...SMOOTH_UNARY, 'exp'], SMOOTH_BINARY), point, (e, x) => {
        const report = checkGrad(withInputs((v) => evalSmooth(e, v)), x, { directions: 2 });
        if (!report.ok) throw new Error(report.summary);
      }),
      { numRuns: 150, seed: 20261129 },
    );
  });
});

describe('random programs with every primitive (kinks, branches, domain edges): the modes agree', () => {
  const unary = UNARY_OPS.filter((op) => op !== 'exp' && op !== 'sinh' && op !== 'cosh'); // keep magnitudes finite
  const binary = BINARY_OPS.filter((op) => op !== 'pow'); // NaN for negative bases is covered in rules tests
  it('holds on 150 random programs', () => {
    fc.assert(
      fc.property(exprArb(unary, binary, ['select']), point, (e, x) => {
        const f = withInputs((v) => evalAny(e, v));
        // Away from singular points only: where some primitive has a non-finite partial (atan2 at
        // the origin, sqrt at 0, …) the derivative does not exist, and forward and reverse mode
        // may legitimately differ (∞·0 is skipped as 0 in one order and NaN in the other).
        fc.pre(isRegularPoint(f, x));
        const report = checkGrad(f, x, { directions: 2, finiteDifferences: false });
        if (!report.ok) throw new Error(report.summary);
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});

/**
 * True when every recorded value, partial and second partial of f at x is finite and at most
 * 1e6 in magnitude. Beyond that, sums of products of partials can cancel catastrophically
 * (or overflow: ∞ − ∞), and the modes' different association orders legitimately differ by
 * more than the mode tolerance, which assumes a cancellation factor ≤ 10² (core TOLERANCES).
 */
function isRegularPoint(f: (x: Scalar[]) => Scalar, x: number[]): boolean {
  return withTape((tape) => {
    record(tape, f, x, 'test');
    const all = [tape.value.subarray(0, tape.size), tape.partial.subarray(0, tape.argSize), secondPartials(tape)];
    return all.every((arr) => arr.every((v) => Math.abs(v) <= 1e6));
  });
}

describe('random programs: Hessian structure', () => {
  it('is symmetric, its columns are hvp of unit vectors, and every chunk size gives the same matrix', () => {
    fc.assert(
      fc.property(exprArb(SMOOTH_UNARY, SMOOTH_BINARY), point, (e, x) => {
        const f = withInputs((v) => evalSmooth(e, v));
        const H = hessian(f, x);
        const scale = Math.max(1, ...Array.from(H.data, Math.abs));
        expect(H.asymmetry()).toBeLessThanOrEqual(1e-12 * scale);
        for (let j = 0; j < N_VARS; j++) {
          const col = hvp(f, x, x.map((_, i) => (i === j ? 1 : 0)));
          expect(col).toEqual([0, 1, 2, 3].map((i) => H.get(i, j)));
        }
        for (const chunk of [1, 2, 3]) expect(Array.from(hessian(f, x, { chunk }).data)).toEqual(Array.from(H.data));
      }),
      { numRuns: 100, seed: 42 },
    );
  });
});
