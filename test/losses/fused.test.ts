/**
 * Every fused node of the package, with all its arguments as variables (targets included),
 * against the engine's derivatives of the composed form it replaces. This covers the partials
 * with respect to targets, which the loss-level tests (derivatives in the outputs) never reach.
 */
import { describe, expect, it } from 'vitest';
import { applyPrimitive, checkGrad, grad, hessian, type Scalar } from '@dualtape/core';
import { FUSED_NODES } from '@dualtape/losses';
import { expectClose, TOL } from './conformance.js';

/**
 * Points per node, each inside the node's domain (σ, v > 0; η₂ < 0): the first two ordinary,
 * the rest near an edge (small σ or v, large |residual|/σ, saturated logistic). checkGrad's
 * finite differences run on the first two only: its step h ≈ 6e−6·max(1, ‖x‖∞) is not small
 * next to v = 0.01 (the truncation error h²·f‴/6 with f‴ = −3r²/v⁴ is ~0.4 there).
 */
const POINTS: Record<string, number[][]> = {
  'losses.gaussianNLL.sigma': [[0.3, 0.7, 0.9], [1, 2, 1], [-2, 0.05, 3]],
  'losses.gaussianNLL.logSigma': [[0.3, -0.4, 0.9], [1, 0.7, 1], [-2, -3, 3]],
  'losses.gaussianNLL.variance': [[0.3, 0.5, 0.9], [1, 4, 1], [-2, 0.01, 3]],
  'losses.gaussianNLL.natural': [[0.3, -0.7, 0.9], [0.25, -0.125, 1], [-2, -3, 3]],
  'losses.squared': [[0.3, 0.9], [1, 1], [-2, 7]],
  'losses.binaryCrossEntropy': [[0.3, 1], [0, 0.5], [-6, 0], [9, 0.2]],
  'losses.poissonNLL': [[0.3, 2], [-1, 0], [1.5, 7]],
  'losses.logaddexpDiff': [[0, 0.3, 1.2], [0.5, -1, -1], [-3, 2, 0.4], [2, 8, 1]],
};

describe('fused nodes', () => {
  it('every fused node has test points', () => {
    expect(FUSED_NODES.map((f) => f.primitive.name).sort()).toEqual(Object.keys(POINTS).sort());
  });

  describe.each(FUSED_NODES.map((f) => [f.primitive.name, f] as const))('%s', (name, node) => {
    const fusedFn = (x: Scalar[]): Scalar => applyPrimitive(node.primitive, x);
    const composedFn = (x: Scalar[]): Scalar => node.composed(...x);
    it('value, gradient and Hessian in all arguments == the composed form', () => {
      for (const x of POINTS[name]!) {
        expectClose([fusedFn(x) as number], [composedFn(x) as number], TOL.value, `${name} value at ${x}`);
        expectClose(grad(fusedFn, x), grad(composedFn, x), TOL.closedVsAD, `${name} gradient at ${x}`);
        expectClose(hessian(fusedFn, x).data, hessian(composedFn, x).data, TOL.closedVsAD, `${name} Hessian at ${x}`);
      }
    });
    it('checkGrad: forward vs reverse, second partials vs derivatives of the first, finite differences', () => {
      for (const x of POINTS[name]!.slice(0, 2)) {
        const report = checkGrad(fusedFn, x);
        expect(report.ok, `${name} at ${x}\n${report.summary}`).toBe(true);
      }
    });
  });
});
