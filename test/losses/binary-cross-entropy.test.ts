import { describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogits } from '@dualtape/losses';
import { conformance, type ConformanceSpec } from './conformance.js';

/** σ(z) written independently. */
const logistic = (z: number): number => 1 / (1 + Math.exp(-z));

const spec: ConformanceSpec = {
  make: (reduction) => binaryCrossEntropyWithLogits({ reduction }),
  reference: ([z], [t]) => -(t! * Math.log(logistic(z!)) + (1 - t!) * Math.log(1 - logistic(z!))),
  atoms: ([z]) => [
    { w: 1 - logistic(z!), y: [0] },
    { w: logistic(z!), y: [1] },
  ],
};

describe('binaryCrossEntropyWithLogits', () => {
  it('closed forms == AD of composed and fused forms (hard and soft labels)', () => {
    conformance(spec, { z: [[0.3], [-2], [4]], y: [[1], [0], [0.25]] });
    conformance(spec, { z: [[0], [10], [-7.5]], y: [[0.5], [1], [1]] });
  });
  it('is finite and exact at logits ±1000', () => {
    const loss = binaryCrossEntropyWithLogits();
    expect(loss.value([1000, -1000], [0, 1])).toBe(2000); // softplus(1000) − 0 + softplus(−1000) + 1000
    expect(loss.value([1000, -1000], [1, 0])).toBe(0);
    expect(Array.from(loss.gradient([1000, -1000], [0, 1]))).toEqual([1, -1]);
    // σ(z)σ(−z) = e^{−1000}/(1 + e^{−1000})² underflows to 0, as the true value does in double precision
    expect(Array.from(loss.outputHessian([1000, -1000], [0, 1]).data)).toEqual([0, 0]);
    // keeps relative precision in the tails: σ(40)σ(−40) ≈ e^{−40}
    const h = loss.outputHessian([40], [1]).data[0]!;
    expect(Math.abs(h / Math.exp(-40) - 1)).toBeLessThan(1e-15);
  });
  it('Hessian = Fisher = σ(z)(1 − σ(z)) and S = its square root', () => {
    const loss = binaryCrossEntropyWithLogits();
    expect(loss.outputHessian([0], [1]).data[0]).toBe(0.25);
    expect(loss.fisher([0]).data[0]).toBe(0.25);
    expect(loss.fisherFactor([0]).data[0]).toBe(0.5);
    expect(loss.isHessianPSD).toBe(true);
  });
});
