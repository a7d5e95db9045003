import { describe, expect, it } from 'vitest';
import { DualtapeError, add, hessian, mul, sum, type Scalar } from '@dualtape/core';
import { blockHessianByColouring, gaussianNLL } from '@dualtape/losses';
import { expectClose, TOL } from './conformance.js';

describe('blockHessianByColouring', () => {
  it('equals the blocks of the dense engine Hessian for a per-sample loss (d sweeps instead of n·d)', () => {
    const loss = gaussianNLL({ dim: 2 });
    const z = [[0.1, 0.2, 0.7, 1.1], [-1, 0.5, 2, 0.3], [0.4, 0.4, 0.9, 0.9], [2, -2, 1, 1]];
    const y = [[0, 1], [1, 0], [0.4, 0.5], [3, -3]];
    const f = (u: Scalar[][]): Scalar => loss.composed(u, y);
    const B = blockHessianByColouring(f, z, 4);
    expectClose(B.toDense().data, hessian(f, z).data, TOL.closedVsAD, 'coloured vs dense');
    // a flat Float64Array input gives the same blocks
    expect(blockHessianByColouring((u: Scalar[]) => loss.composed(u, y), Float64Array.from(z.flat()), 4).data).toEqual(B.data);
  });
  it('refuses a function that couples samples (the verify direction catches it)', () => {
    const coupled = (u: Scalar[]): Scalar => add(sum(u.map((x) => mul(x, x))), mul(u[0]!, u[3]!)); // samples 0 and 1 interact
    expect(() => blockHessianByColouring(coupled, [1, 2, 3, 4], 2)).toThrow(DualtapeError);
    expect(() => blockHessianByColouring(coupled, [1, 2, 3, 4], 4)).not.toThrow(); // one block of 4: fine
  });
  it('rejects an input that is not a whole number of samples', () => {
    expect(() => blockHessianByColouring((u: Scalar[]) => sum(u), [1, 2, 3], 2)).toThrow(/multiple of d = 2/);
  });
});
