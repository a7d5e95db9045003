/** The examples of packages/losses/README.md (and the same example in the root README's "Hessian shapes"), run. */
import { describe, expect, it } from 'vitest';
import { hessian, type Scalar } from '@dualtape/core';
import { blockHessianByColouring, fisherFactor, gaussianNLL, outputHessian } from '@dualtape/losses';

describe('losses README', () => {
  const loss = gaussianNLL({ parameterisation: 'sigma' });
  const outputs = [[0, 2], [1, 1], [0.5, 0.5]];
  const targets = [0, 2, 0.5];
  const dense = [
    [0.25, 0, 0, 0, 0, 0],
    [0, -0.25, 0, 0, 0, 0],
    [0, 0, 1, 2, 0, 0],
    [0, 0, 2, 2, 0, 0],
    [0, 0, 0, 0, 4, 0],
    [0, 0, 0, 0, 0, -4],
  ];

  it('quick example', () => {
    expect(loss.gradient(outputs, targets).length).toBe(6);
    expect(loss.outputHessian(outputs, targets).block(1).toArray()).toEqual([[1, 2], [2, 2]]);
    expect(loss.fisher(outputs).block(1).toArray()).toEqual([[1, 0], [0, 2]]);
    expect(hessian((z: Scalar[][]) => loss.fused(z, targets), outputs).toArray()).toEqual(dense);
  });

  it('Hessian shapes: 2n×2n block-diagonal, sample-major', () => {
    const H = outputHessian(loss, outputs, targets);
    expect(H.shape).toEqual([6, 6]);
    expect(H.toDense().toArray()).toEqual(dense);
    expect(hessian((z: Scalar[][]) => loss.composed(z, targets), outputs).toArray()).toEqual(dense);
    expect(blockHessianByColouring((z: Scalar[][]) => loss.composed(z, targets), outputs, 2).toDense().toArray()).toEqual(dense);
    expect(fisherFactor(loss, outputs).shape).toEqual([6, 6]);
  });

  it('a record {mu, sigma} gives the same matrix permuted into four n×n diagonal blocks', () => {
    const f = (p: { mu: Scalar[]; sigma: Scalar[] }): Scalar => loss.composed(p.mu.map((m, i) => [m, p.sigma[i]!]), targets);
    const H = hessian(f, { mu: outputs.map((r) => r[0]!), sigma: outputs.map((r) => r[1]!) });
    expect(H.block('mu', 'mu').toArray()).toEqual([[0.25, 0, 0], [0, 1, 0], [0, 0, 4]]);
    expect(H.block('mu', 'sigma').toArray()).toEqual([[0, 0, 0], [0, 2, 0], [0, 0, 0]]);
    expect(H.block('sigma', 'sigma').toArray()).toEqual([[-0.25, 0, 0], [0, 2, 0], [0, 0, -4]]);
  });
});

describe('docstring @examples', () => {
  it('run as written', async () => {
    const L = await import('@dualtape/losses');
    expect(L.gaussianNLL({ parameterisation: 'sigma' }).outputHessian([[0, 2]], [0]).block(0).toArray()).toEqual([[0.25, 0], [0, -0.25]]);
    expect(L.squaredLoss().outputHessian([1, 2], [0, 0]).toDense().toArray()).toEqual([[1, 0], [0, 1]]);
    expect(Array.from(L.binaryCrossEntropyWithLogits().gradient([0], [1]))).toEqual([-0.5]);
    expect(L.poissonNLL().outputHessian([0], [3]).block(0).get(0, 0)).toBe(1);
    expect(L.softmaxCrossEntropy({ classes: 2 }).outputHessian([[0, 0]], [1]).block(0).toArray()).toEqual([[0.25, -0.25], [-0.25, 0.25]]);
  });
});
