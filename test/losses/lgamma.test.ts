import { describe, expect, it } from 'vitest';
import { lgamma } from '@dualtape/losses';

describe('lgamma (Lanczos)', () => {
  it('matches log n! summed directly, to 1e−14 relative, for n up to 170', () => {
    let logFact = 0;
    for (let n = 1; n <= 170; n++) {
      logFact += Math.log(n);
      const got = lgamma(n + 1);
      expect(Math.abs(got - logFact), `n = ${n}`).toBeLessThanOrEqual(1e-14 * Math.max(1, logFact));
    }
  });
  it('Γ(1) = Γ(2) = 1 exactly, Γ(½) = √π, NaN below ½', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expect(Math.abs(lgamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(1e-15);
    expect(lgamma(0.25)).toBeNaN();
  });
});
