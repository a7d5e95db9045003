/** The CLI's small linear algebra: Jacobi eigenvalues, definiteness, Cholesky inverse. */
import { describe, expect, it } from 'vitest';
import { Random } from '@dualtape/core';
import { cholesky, definiteness, inverseSPD, relativeFrobenius, symmetricEigenvalues } from '../../packages/cli/src/linalg.js';

/** Q·diag(λ)·Qᵀ with Q a product of random Givens rotations: a symmetric matrix with known eigenvalues. */
function withEigenvalues(lambda: number[], rng: Random): Float64Array {
  const n = lambda.length;
  const A = new Float64Array(n * n);
  lambda.forEach((l, i) => (A[i * n + i] = l));
  for (let k = 0; k < 4 * n * n; k++) {
    const p = Math.floor(rng.uniform() * n);
    const q = (p + 1 + Math.floor(rng.uniform() * (n - 1))) % n;
    const t = 2 * Math.PI * rng.uniform();
    const c = Math.cos(t);
    const s = Math.sin(t);
    for (let j = 0; j < n; j++) {
      const a = A[p * n + j]!;
      const b = A[q * n + j]!;
      A[p * n + j] = c * a - s * b;
      A[q * n + j] = s * a + c * b;
    }
    for (let i = 0; i < n; i++) {
      const a = A[i * n + p]!;
      const b = A[i * n + q]!;
      A[i * n + p] = c * a - s * b;
      A[i * n + q] = s * a + c * b;
    }
  }
  return A;
}

describe('symmetricEigenvalues (cyclic Jacobi)', () => {
  it('a 2×2 matrix: the closed form (t ± √(t² − 4 det))/2', () => {
    const [a, b, d] = [1.5625, 4.296875, 7.2998046875];
    const t = a + d;
    const det = a * d - b * b;
    const e = symmetricEigenvalues([a, b, b, d], 2);
    expect(e[0]).toBeCloseTo((t - Math.sqrt(t * t - 4 * det)) / 2, 13);
    expect(e[1]).toBeCloseTo((t + Math.sqrt(t * t - 4 * det)) / 2, 13);
  });

  it.each([3, 6, 12])('recovers known eigenvalues of a rotated %i×%i diagonal matrix to ~1e-13·‖A‖', (n) => {
    const rng = new Random(n);
    const lambda = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.01 + 100 * rng.uniform()));
    const A = withEigenvalues(lambda, rng);
    const e = symmetricEigenvalues(A, n);
    const want = [...lambda].sort((x, y) => x - y);
    const scale = Math.max(...lambda.map(Math.abs));
    want.forEach((w, i) => expect(Math.abs(e[i]! - w)).toBeLessThanOrEqual(1e-13 * scale));
  });

  it('diagonal, zero and non-finite matrices', () => {
    expect(Array.from(symmetricEigenvalues([3, 0, 0, -2], 2))).toEqual([-2, 3]);
    expect(Array.from(symmetricEigenvalues([0, 0, 0, 0], 2))).toEqual([0, 0]);
    expect(Array.from(symmetricEigenvalues([1, NaN, NaN, 1], 2)).every(Number.isNaN)).toBe(true);
    expect(() => symmetricEigenvalues([1, 2, 3], 2)).toThrow(RangeError);
  });
});

describe('definiteness', () => {
  it.each([
    [[1, 2], 'positive definite'],
    [[-1, -2], 'negative definite'],
    [[0, 2], 'positive semidefinite'],
    [[-3, 0], 'negative semidefinite'],
    [[-1, 2], 'indefinite'],
    [[0, 0], 'zero'],
    [[NaN, 1], 'undefined (non-finite entries)'],
    [[1e-17, 1], 'positive semidefinite'], // below 16·n·eps·max|λ|: indistinguishable from 0
  ])('%j → %s', (e, want) => expect(definiteness(e)).toBe(want));
});

describe('Cholesky and the inverse of an SPD matrix', () => {
  it('A·A⁻¹ = I and null for a matrix that is not positive definite', () => {
    const rng = new Random(7);
    const A = withEigenvalues([0.5, 2, 9, 30], rng);
    const inv = inverseSPD(A, 4)!;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += A[i * 4 + k]! * inv[k * 4 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    expect(cholesky([1, 2, 2, 1], 2)).toBeNull();
    expect(inverseSPD([1, 0, 0, -1], 2)).toBeNull();
    expect(relativeFrobenius([1, 1], [1, 1])).toBe(0);
  });
});
