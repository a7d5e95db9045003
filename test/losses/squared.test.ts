import { describe, expect, it } from 'vitest';
import { squaredLoss } from '@dualtape/losses';
import { conformance, gaussianAtoms, type ConformanceSpec } from './conformance.js';

const spec = (m: number): ConformanceSpec => ({
  make: (reduction) => squaredLoss({ dim: m, reduction }),
  reference: (z, y) => 0.5 * z.reduce((s, zj, j) => s + (zj - y[j]!) ** 2, 0),
  // ½‖ŷ − y‖² is the NLL of y ∼ N(ŷ, I) up to a constant
  atoms: (z) => gaussianAtoms([...z], z.map(() => 1)),
});

describe('squaredLoss', () => {
  it('closed forms == AD of composed and fused forms (m = 1)', () => {
    conformance(spec(1), { z: [[0.3], [-2], [7]], y: [[1], [-2], [0.5]] });
  });
  it('... (m = 3), including large residuals', () => {
    conformance(spec(3), { z: [[0.3, 1, 2], [-2, 0, 1e3], [7, 7, 7]], y: [[1, 1, 1], [-2, 5, -1e3], [0.5, 0, -0.5]] });
  });
  it('Hessian is I for sum and I/n for mean; Fisher and S are I', () => {
    const z = [[1, 2], [3, 4], [5, 6]];
    const y = [[0, 0], [1, 1], [9, 9]];
    const eye = (k: number, c: number): number[][] => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? c : 0)));
    expect(squaredLoss({ dim: 2 }).outputHessian(z, y).toDense().toArray()).toEqual(eye(6, 1));
    expect(squaredLoss({ dim: 2, reduction: 'mean' }).outputHessian(z, y).toDense().toArray()).toEqual(eye(6, 1 / 3));
    expect(squaredLoss({ dim: 2 }).fisher(z).toDense().toArray()).toEqual(eye(6, 1));
    expect(squaredLoss({ dim: 2 }).fisherFactor(z).toDense().toArray()).toEqual(eye(6, 1));
    expect(squaredLoss().isHessianPSD).toBe(true);
  });
});
