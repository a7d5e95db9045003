/**
 * Sparse Hessians, properties (fast-check):
 *  - random straight-line programs over 8 inputs with every primitive (kinks, branches,
 *    comparisons, NaN and ∞): the pattern detected at one point contains every non-zero (NaN
 *    included) of the dense Hessian at other points, and sparseHessian with that pattern
 *    reused equals the dense `hessian` there bit for bit (the same sweeps; a colour's
 *    directions never meet in a row, so only exact zeros are added to each entry);
 *  - random symmetric patterns: a distance-2 colouring never gives two columns that share a
 *    row the same colour, a star colouring is a distance-1 colouring without two-coloured paths
 *    on four vertices, and recovery from a hand-built H·S is exact for both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BINARY_OPS,
  PRIM,
  SparsityPattern,
  UNARY_OPS,
  add,
  applyPrimitive,
  colourHessian,
  hessian,
  hessianSparsity,
  recoveryPlan,
  sparseHessian,
  where,
  type Scalar,
} from '@dualtape/core';

const N = 8;

/** One instruction of a random program: an operation on earlier values (inputs, then results) or constants. */
interface Instr {
  readonly op: string;
  /** A non-negative number picks an earlier value (modulo how many there are); a negative one, the constant −arg/4. */
  readonly args: readonly number[];
  /** Whether the result is added to the output. */
  readonly out: boolean;
}
const OPS = [...UNARY_OPS, ...BINARY_OPS, 'select'];
const arity = (op: string): number => (op === 'select' ? 3 : (UNARY_OPS as readonly string[]).includes(op) ? 1 : 2);
const instr = fc
  .record({ op: fc.constantFrom(...OPS), args: fc.array(fc.integer({ min: -8, max: 60 }), { minLength: 3, maxLength: 3 }), out: fc.boolean() })
  .map(({ op, args, out }): Instr => ({ op, args: args.slice(0, arity(op)), out }));
const program = fc.array(instr, { minLength: 1, maxLength: 14 });

function run(prog: readonly Instr[], x: readonly Scalar[]): Scalar {
  const vals: Scalar[] = [...x];
  let s: Scalar = 0;
  prog.forEach((ins, k) => {
    const args = ins.args.map((a) => (a < 0 ? -a / 4 : vals[a % vals.length]!));
    const y =
      ins.op === 'select' ? where(args[0]!, args[1]!, args[2]!)
      : ins.op === 'powi' ? applyPrimitive(PRIM.powi, [args[0]!, 3])
      : applyPrimitive(PRIM[ins.op as keyof typeof PRIM], args);
    vals.push(y);
    if (ins.out || k === prog.length - 1) s = add(s, y);
  });
  return s;
}

const moderate = fc.double({ min: -1.5, max: 1.5, noNaN: true }).map((v) => (Math.abs(v) < 1e-3 ? 0 : v));
const point = fc.array(moderate, { minLength: N, maxLength: N });

/** Equal as doubles, NaN equal to NaN. */
const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('random programs with every primitive: the pattern is global and the values are the dense ones', () => {
  it('pattern at x0 ⊇ non-zeros of the dense Hessian at x1, x2; sparse (pattern reused) = dense bit for bit (300 programs)', () => {
    fc.assert(
      fc.property(program, point, point, point, (prog, x0, x1, x2) => {
        const f = (x: Scalar[]) => run(prog, x);
        const pattern = hessianSparsity(f, x0);
        for (const method of ['distance2', 'star'] as const) {
          const colouring = colourHessian(pattern, { method });
          for (const x of [x1, x2, x0]) {
            const dense = hessian(f, x).data;
            for (let i = 0; i < N; i++) {
              for (let j = 0; j < N; j++) {
                const v = dense[i * N + j]!;
                if (v !== 0 && !pattern.has(i, j)) throw new Error(`H[${i}, ${j}] = ${v} at ${x.join(', ')} is outside the pattern\n${pattern.toString()}`);
              }
            }
            const sparse = sparseHessian(f, x, { pattern, colouring }).toDense().data;
            for (let i = 0; i < N; i++) {
              for (let j = 0; j < N; j++) {
                // star colouring reads some entries from the mirror: it equals dense H[j, i]
                const alt = dense[j * N + i]!;
                const want = dense[i * N + j]!;
                const ok = same(sparse[i * N + j]!, want) || (method === 'star' && same(sparse[i * N + j]!, alt));
                if (!ok) throw new Error(`${method}: sparse H[${i}, ${j}] = ${sparse[i * N + j]} ≠ dense ${want}`);
              }
            }
          }
        }
        // detection at another point gives the same pattern (the recorded operations are the same)
        const again = hessianSparsity(f, x1);
        expect(Array.from(again.colIdx)).toEqual(Array.from(pattern.colIdx));
        expect(Array.from(again.rowPtr)).toEqual(Array.from(pattern.rowPtr));
      }),
      { numRuns: 300, seed: 2024 },
    );
  });
});

/** A random symmetric pattern of size 1…24 with a random density. */
const randomPattern = fc
  .record({ n: fc.integer({ min: 1, max: 24 }), density: fc.double({ min: 0, max: 0.5, noNaN: true }), seed: fc.integer() })
  .map(({ n, density, seed }) => {
    let s = seed >>> 0 || 1;
    const rand = (): number => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32;
    const entries: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) if (rand() < density) entries.push([i, j]);
    return { pattern: SparsityPattern.fromEntries(n, entries), rand };
  });

/** H·S by hand: (H·S)[i, c] = Σ_{colour(l) = c} H[i, l]. */
function compress(H: Float64Array, n: number, colours: Int32Array, K: number): Float64Array {
  const HS = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < n; l++) {
      const c = colours[l]!;
      if (c >= 0) HS[i * K + c] = HS[i * K + c]! + H[i * n + l]!; // −1: a column with no entries
    }
  }
  return HS;
}

describe('colourings of random symmetric patterns', () => {
  it('distance-2: no row has two columns of one colour; recovery is exact', () => {
    fc.assert(
      fc.property(randomPattern, fc.constantFrom('natural', 'largest-first' as const), ({ pattern, rand }, order) => {
        const { n } = pattern;
        const { colours, count } = colourHessian(pattern, { order });
        for (let i = 0; i < n; i++) {
          const seen = new Set<number>();
          for (const j of pattern.row(i)) {
            expect(seen.has(colours[j]!), `row ${i}: two columns of colour ${colours[j]}`).toBe(false);
            seen.add(colours[j]!);
          }
        }
        checkRecovery(pattern, { colours, count, method: 'distance2' }, rand);
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('star: distance-1, every path on four vertices has three colours, recovery is exact', () => {
    fc.assert(
      fc.property(randomPattern, ({ pattern, rand }) => {
        const { n } = pattern;
        const star = colourHessian(pattern, { method: 'star', order: 'natural' });
        const c = star.colours;
        const adj = (a: number, b: number): boolean => a !== b && pattern.has(a, b);
        for (let a = 0; a < n; a++) {
          for (const b of pattern.row(a)) {
            if (b === a) continue;
            expect(c[a], `adjacent ${a}, ${b}`).not.toBe(c[b]);
            for (const d of pattern.row(b)) {
              if (!adj(b, d) || d === a || c[d] !== c[a]) continue;
              for (const e of pattern.row(d)) {
                if (adj(d, e) && e !== b && e !== a && c[e] === c[b]) throw new Error(`two-coloured path ${a}–${b}–${d}–${e}`);
              }
            }
          }
        }
        checkRecovery(pattern, star, rand);
      }),
      { numRuns: 400, seed: 8 },
    );
  });
});

/** Random symmetric values on the pattern; recover them from a hand-made H·S with the plan. */
function checkRecovery(pattern: SparsityPattern, colouring: { colours: Int32Array; count: number; method: 'distance2' | 'star' }, rand: () => number): void {
  const { n } = pattern;
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (const j of pattern.row(i)) if (j >= i) H[i * n + j] = H[j * n + i] = rand() - 0.5;
  const HS = compress(H, n, colouring.colours, colouring.count);
  const plan = recoveryPlan(pattern, colouring);
  for (let i = 0; i < n; i++) {
    for (let p = pattern.rowPtr[i]!; p < pattern.rowPtr[i + 1]!; p++) {
      expect(HS[plan[p]!], `entry (${i}, ${pattern.colIdx[p]})`).toBe(H[i * n + pattern.colIdx[p]!]);
    }
  }
}
