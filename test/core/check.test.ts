/** checkGrad has teeth: it passes on correct functions and fails on a deliberately wrong rule. */
import { describe, expect, it } from 'vitest';
import { applyPrimitive, checkGrad, definePrimitive, mul, sin, cos, type Scalar } from '@dualtape/core';
import { gaussianNLL, mlpGaussianLoss, mlpProblem, rosenbrock } from '@dualtape/zoo';

describe('checkGrad', () => {
  it('passes on the zoo', () => {
    for (const report of [
      checkGrad(rosenbrock, [-1.2, 1, 0.5, 2]),
      checkGrad((p: { mu: Scalar[]; sigma: Scalar[] }) => gaussianNLL(p, [0.3, -1]), { mu: [0.1, 0.2], sigma: [0.7, 1.9] }),
      checkGrad((t: Scalar[]) => mlpGaussianLoss(t, mlpProblem(5, 3).data), Array.from(mlpProblem(5, 3).theta), { directions: 1 }),
    ]) {
      expect(report.ok, report.summary).toBe(true);
    }
  });

  it('fails when a first partial is wrong (sin with derivative +sin instead of cos)', () => {
    const badSin = definePrimitive('test_bad_sin', {
      arity: 1,
      doc: 'sin with a wrong derivative, for this test',
      value: Math.sin,
      d: [(_y, a) => sin(a)],
      dd: [(_y, a) => cos(a)],
    });
    const report = checkGrad((x: Scalar[]) => mul(applyPrimitive(badSin, [x[0]!]), x[1]!), [0.4, 1.3]);
    expect(report.ok).toBe(false);
    expect(report.worst['gradient: reverse vs central difference']!.ok).toBe(false);
  });

  it('fails when only a second partial is wrong (the first is right)', () => {
    const badSin2 = definePrimitive('test_bad_sin2', {
      arity: 1,
      doc: 'sin with a wrong second partial, for this test',
      value: Math.sin,
      d: [(_y, a) => cos(a)],
      dd: [(y) => y], // should be −sin
    });
    const report = checkGrad((x: Scalar[]) => mul(applyPrimitive(badSin2, [x[0]!]), x[1]!), [0.4, 1.3]);
    expect(report.worst['gradient: reverse vs central difference']!.ok).toBe(true);
    expect(report.worst['hvp: fast sweep vs dual-number sweep']!.ok).toBe(false);
    expect(report.worst['hvp: forward-over-reverse vs central difference of the gradient']!.ok).toBe(false);
    expect(report.ok).toBe(false);
  });
});
