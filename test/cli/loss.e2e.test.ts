/** `dualtape loss` end to end, against closed forms derived by hand. */
import { describe, expect, it } from 'vitest';
import { dualtape } from './run.js';

function json(args: string[]) {
  const r = dualtape([...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** Entries are a handful of rounded operations: 1e-14 relative is ~50 ulps. */
const near = (got: number[][], want: number[][]) =>
  want.forEach((row, i) => row.forEach((w, j) => expect(Math.abs(got[i]![j]! - w)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(w)))));

describe('dualtape loss gaussian', () => {
  // x = 1.3, μ = 0.2, σ = 0.8: r = 1.1
  it('--param sigma (default): gradient, Hessian, Fisher and eigenvalues', () => {
    const o = json(['loss', 'gaussian', '--x', '1.3', '--mu', '0.2', '--sigma', '0.8']);
    expect(o.outputNames).toEqual(['mu', 'sigma']);
    expect(o.value).toBeCloseTo(Math.log(0.8) + 0.5 * Math.log(2 * Math.PI) + 1.21 / 1.28, 14);
    expect(o.gradient[0]).toBeCloseTo(-1.71875, 14); // −r/σ²
    expect(o.gradient[1]).toBeCloseTo(-1.11328125, 14); // 1/σ − r²/σ³
    near(o.hessian, [[1.5625, 4.296875], [4.296875, 7.2998046875]]);
    near(o.fisher, [[1.5625, 0], [0, 3.125]]); // diag(1/σ², 2/σ²)
    near(o.engineHessian, o.hessian);
    const t = 1.5625 + 7.2998046875;
    const det = 1.5625 * 7.2998046875 - 4.296875 ** 2; // < 0: indefinite
    expect(o.hessianEigenvalues[0]).toBeCloseTo((t - Math.sqrt(t * t - 4 * det)) / 2, 12);
    expect(o.hessianEigenvalues[1]).toBeCloseTo((t + Math.sqrt(t * t - 4 * det)) / 2, 12);
    near([o.fisherEigenvalues], [[1.5625, 3.125]]);
  });

  it('--param logsigma: s = log σ, ℓ = s + ½r²e^{−2s}', () => {
    const o = json(['loss', 'gaussian', '--x', '1.3', '--mu', '0.2', '--sigma', '0.8', '--param', 'logsigma']);
    expect(o.outputNames).toEqual(['mu', 'logsigma']);
    expect(o.outputs[1]).toBeCloseTo(Math.log(0.8), 15);
    const w = 1 / 0.64; // e^{−2s}
    near(o.hessian, [[w, 2 * 1.1 * w], [2 * 1.1 * w, 2 * 1.21 * w]]);
    near(o.fisher, [[w, 0], [0, 2]]);
    near(o.engineHessian, o.hessian);
  });

  it('--param variance: v = σ², ℓ = ½ log v + r²/(2v)', () => {
    const o = json(['loss', 'gaussian', '--x', '1.3', '--mu', '0.2', '--sigma', '0.8', '--param', 'variance']);
    const v = 0.64;
    near(o.hessian, [[1 / v, 1.1 / v ** 2], [1.1 / v ** 2, (2 * 1.21 / v - 1) / (2 * v * v)]]);
    near(o.fisher, [[1 / v, 0], [0, 1 / (2 * v * v)]]);
  });

  it('prints tables and the definiteness of Hessian and Fisher', () => {
    const r = dualtape(['loss', 'gaussian', '--x', '1.3', '--mu', '0.2', '--sigma', '0.8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Hessian \(closed form\)[\s\S]*→ indefinite/);
    expect(r.stdout).toMatch(/Fisher information[\s\S]*→ positive definite/);
  });
});

describe('dualtape loss squared', () => {
  it('½(x − μ)²: gradient μ − x, Hessian and Fisher 1', () => {
    const o = json(['loss', 'squared', '--x', '1.3', '--mu', '-0.2']);
    expect(o.value).toBeCloseTo(0.5 * 1.5 ** 2, 15);
    expect(o.gradient).toEqual([-1.5]);
    expect(o.hessian).toEqual([[1]]);
    expect(o.fisher).toEqual([[1]]);
  });
});

describe('dualtape loss: bad input', () => {
  const bad = (args: string[], message: RegExp) => {
    const r = dualtape(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  };
  it('σ ≤ 0', () => {
    bad(['loss', 'gaussian', '--x', '1', '--mu', '0', '--sigma', '0'], /--sigma is 0; expected σ > 0/);
    bad(['loss', 'gaussian', '--x', '1', '--mu', '0', '--sigma', '-1'], /--sigma is -1; expected σ > 0/);
  });
  it('non-numeric values, missing values, unknown kinds and parameterisations', () => {
    bad(['loss', 'gaussian', '--x', 'one', '--mu', '0', '--sigma', '1'], /--x is "one"; expected a number/);
    bad(['loss', 'gaussian', '--mu', '0', '--sigma', '1'], /--x is required/);
    bad(['loss', 'poisson', '--x', '1', '--mu', '0'], /loss "poisson" is not built in/);
    bad(['loss', 'gaussian', '--x', '1', '--mu', '0', '--sigma', '1', '--param', 'precision'], /--param is "precision"/);
  });
});
