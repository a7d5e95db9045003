import { describe, expect, it } from 'vitest';
import { poissonNLL, lgamma } from '@dualtape/losses';
import { conformance, expectClose, TOL, type Atom, type ConformanceSpec } from './conformance.js';

/**
 * Poisson(λ) atoms for y = 0 … 80 by the recurrence p(y) = p(y − 1)·λ/y. For λ ≤ 5 the tail
 * beyond 80 is below 5⁸⁰/80!·(1 + …) < 1e−40, far under the tolerance.
 */
function poissonAtoms(lambda: number): Atom[] {
  const atoms: Atom[] = [];
  let p = Math.exp(-lambda);
  for (let y = 0; y <= 80; y++) {
    atoms.push({ w: p, y: [y] });
    p = (p * lambda) / (y + 1);
  }
  return atoms;
}

const spec = (full: boolean): ConformanceSpec => ({
  make: (reduction) => poissonNLL({ full, reduction }),
  // −log[λʸ e^{−λ} / y!] with log y! summed directly (integer y)
  reference: ([eta], [y]) => {
    let logFact = 0;
    for (let k = 2; k <= y!; k++) logFact += Math.log(k);
    return Math.exp(eta!) - y! * eta! + (full ? logFact : 0);
  },
  atoms: ([eta]) => poissonAtoms(Math.exp(eta!)),
});

describe('poissonNLL', () => {
  it('closed forms == AD of composed and fused forms', () => {
    conformance(spec(false), { z: [[0.3], [-2], [1.5]], y: [[1], [0], [7]] });
  });
  it('... with full (log y! included: values change, derivatives do not)', () => {
    conformance(spec(true), { z: [[0.3], [-2], [1.5]], y: [[1], [0], [7]] });
    const [a, b] = [poissonNLL(), poissonNLL({ full: true })];
    expect(b.gradient([0.3, 1], [4, 9])).toEqual(a.gradient([0.3, 1], [4, 9]));
    expectClose([b.value([0.3], [4]) - a.value([0.3], [4])], [Math.log(24)], TOL.value, 'log 4!');
  });
  it('accepts non-integer counts (continuous extension, log Γ(y + 1))', () => {
    expectClose([poissonNLL({ full: true }).value([0], [0.5])], [1 + lgamma(1.5)], TOL.value, 'y = ½');
    expectClose([lgamma(1.5)], [Math.log(Math.sqrt(Math.PI) / 2)], 1e-14, 'Γ(3/2) = √π/2');
  });
  it('Hessian = Fisher = eᶯ, S = e^{η/2}', () => {
    const loss = poissonNLL();
    expect(loss.outputHessian([0], [3]).data[0]).toBe(1);
    expect(loss.fisher([2]).data[0]).toBe(Math.exp(2));
    expect(loss.fisherFactor([2]).data[0]).toBe(Math.exp(1));
    expect(loss.isHessianPSD).toBe(true);
  });
});
