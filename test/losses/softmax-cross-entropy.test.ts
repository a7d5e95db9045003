import { describe, expect, it } from 'vitest';
import { hessian, grad, type Scalar } from '@dualtape/core';
import { softmaxCrossEntropy } from '@dualtape/losses';
import { conformance, expectClose, flat, TOL, type ConformanceSpec } from './conformance.js';

/** Entries with −0 turned into +0 (toEqual tells them apart). */
const plain = (a: ArrayLike<number>): number[] => Array.from(a, (v) => v + 0);

/** softmax written independently (no shift: only used at moderate logits). */
const softmax = (z: readonly number[]): number[] => {
  const e = z.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

const spec = (K: number): ConformanceSpec => ({
  make: (reduction) => softmaxCrossEntropy({ classes: K, reduction }),
  reference: (z, [c]) => -Math.log(softmax(z)[c!]!),
  atoms: (z) => softmax(z).map((w, k) => ({ w, y: [k] })),
});

describe('softmaxCrossEntropy', () => {
  it('closed forms == AD of composed and fused forms (K = 3)', () => {
    conformance(spec(3), { z: [[0.3, -1, 2], [0, 0, 0], [5, 4.5, -3]], y: [[2], [0], [1]] });
  });
  it('... (K = 2 and K = 5)', () => {
    conformance(spec(2), { z: [[0.3, -1], [8, -8], [0, 0]], y: [[1], [0], [1]] });
    conformance(spec(5), { z: [[0.3, -1, 2, 0.1, -0.4], [1, 2, 3, 4, 5], [-2, 0, 2, 0, -2]], y: [[4], [0], [2]] });
  });
  it('K = 2 at zero logits: Hessian [[¼, −¼], [−¼, ¼]]', () => {
    expect(softmaxCrossEntropy({ classes: 2 }).outputHessian([[0, 0]], [1]).block(0).toArray()).toEqual([
      [0.25, -0.25],
      [-0.25, 0.25],
    ]);
  });
  it('is stable at logits ±1000: closed form, composed and fused forms all finite and exact', () => {
    const loss = softmaxCrossEntropy({ classes: 3 });
    const z = [[1000, -1000, 0], [-1000, -1000, 1000]];
    const y = [1, 2];
    // sample 0: logsumexp = 1000 (+ e^{−1000}), loss = 1000 − (−1000) = 2000; sample 1: loss 0 (+ 2e^{−2000})
    expect(loss.value(z, y)).toBe(2000);
    expect(loss.fused(z, y)).toBe(2000);
    expect(plain(loss.gradient(z, y))).toEqual([1, -1, 0, 0, 0, 0]);
    const Hc = hessian((u: Scalar[][]) => loss.composed(u, y), z);
    const Hf = hessian((u: Scalar[][]) => loss.fused(u, y), z);
    // p is one-hot up to e^{−1000}, which underflows: every Hessian entry is 0 (exact in double precision)
    expect(Array.from(loss.outputHessian(z, y).toDense().data).every((v) => v === 0)).toBe(true);
    expect(Array.from(Hc.data).every((v) => Object.is(Math.abs(v), 0))).toBe(true);
    expect(Array.from(Hf.data).every((v) => Object.is(Math.abs(v), 0))).toBe(true);
    expect(plain(flat(grad((u: Scalar[][]) => loss.fused(u, y), z)))).toEqual([1, -1, 0, 0, 0, 0]);
    expect(plain(flat(grad((u: Scalar[][]) => loss.composed(u, y), z)))).toEqual([1, -1, 0, 0, 0, 0]);
  });
  it('at logits ±1000 with a tie, the curvature survives: [1000, 1000, −1000]', () => {
    const loss = softmaxCrossEntropy({ classes: 3 });
    const z = [[1000, 1000, -1000]];
    const H = loss.outputHessian(z, [0]).toDense().data;
    expect(plain(H)).toEqual([0.25, -0.25, 0, -0.25, 0.25, 0, 0, 0, 0]);
    expectClose(hessian((u: Scalar[][]) => loss.composed(u, [0]), z).data, H, TOL.closedVsAD, 'composed at ±1000');
    expectClose(hessian((u: Scalar[][]) => loss.fused(u, [0]), z).data, H, TOL.closedVsAD, 'fused at ±1000');
  });
  it('the Hessian is singular along the all-ones direction (shift invariance) and PSD', () => {
    const loss = softmaxCrossEntropy({ classes: 4 });
    const H = loss.outputHessian([[0.2, -1, 3, 0.5]], [2]);
    const ones = H.matvec([1, 1, 1, 1]);
    for (const v of ones) expect(Math.abs(v)).toBeLessThan(1e-16);
    expect(loss.isHessianPSD).toBe(true);
  });
});

describe('softmaxCrossEntropy precision', () => {
  it('a confident correct prediction keeps relative precision in value, gradient and Hessian', () => {
    const loss = softmaxCrossEntropy({ classes: 3 });
    const z = [[40, 0, 0]];
    const e = Math.exp(-40);
    const loss0 = Math.log1p(2 * e); // exact: −log(1/(1 + 2e^{−40}))
    const q = e / (1 + 2 * e); // p₁ = p₂
    const p0 = 1 / (1 + 2 * e);
    expectClose([loss.value(z, [0])], [loss0], 1e-15, 'value');
    expectClose([loss.fused(z, [0]) as number], [loss0], 1e-15, 'fused value');
    const want = [-2 * q, q, q];
    for (const [name, g] of [
      ['closed', loss.gradient(z, [0])],
      ['composed', flat(grad((u: Scalar[][]) => loss.composed(u, [0]), z))],
      ['fused', flat(grad((u: Scalar[][]) => loss.fused(u, [0]), z))],
    ] as const) {
      expectClose([g[0]!], [want[0]!], 1e-14, `${name} ∂/∂z₀ = −(1 − p₀)`);
    }
    const H00 = p0 * 2 * q;
    expectClose([loss.outputHessian(z, [0]).data[0]!], [H00], 1e-14, 'closed H₀₀ = p₀(1 − p₀)');
    expectClose([hessian((u: Scalar[][]) => loss.fused(u, [0]), z).data[0]!], [H00], 1e-14, 'fused H₀₀');
    expectClose([hessian((u: Scalar[][]) => loss.composed(u, [0]), z).data[0]!], [H00], 1e-14, 'composed H₀₀');
  });
});
