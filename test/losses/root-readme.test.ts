/** The root README's "Hessian shapes" example, run as written. */
import { describe, expect, it } from 'vitest';
import { hessian, type Scalar } from '@dualtape/core';
import { gaussianNLL } from '@dualtape/losses';

describe('root README: Hessian shapes', () => {
  it('n = 3 samples of (μ, σ) give a 6×6 block-diagonal Hessian, sample-major', () => {
    const loss = gaussianNLL({ parameterisation: 'sigma' });
    const outputs = [[0, 2], [1, 1], [0.5, 0.5]];
    const targets = [0, 2, 0.5];
    const H = loss.outputHessian(outputs, targets);
    expect(H.block(1).toArray()).toEqual([[1, 2], [2, 2]]);
    const dense = H.toDense().toArray();
    expect(dense).toEqual([
      [0.25, 0, 0, 0, 0, 0],
      [0, -0.25, 0, 0, 0, 0],
      [0, 0, 1, 2, 0, 0],
      [0, 0, 2, 2, 0, 0],
      [0, 0, 0, 0, 4, 0],
      [0, 0, 0, 0, 0, -4],
    ]);
    const engine = hessian((z: Scalar[][]) => loss.fused(z, targets), outputs);
    expect(engine.shape).toEqual([3, 2, 3, 2]);
    engine.toArray().forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - dense[i]![j]!)).toBeLessThanOrEqual(1e-15 * 4)));
  });
});
