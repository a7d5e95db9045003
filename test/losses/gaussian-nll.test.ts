import { describe, expect, it } from 'vitest';
import { Random, hessian, type Scalar } from '@dualtape/core';
import { HALF_LOG_2PI, gaussianNLL, type GaussianParameterisation } from '@dualtape/losses';
import { conformance, expectClose, gaussianAtoms, TOL, type ConformanceSpec } from './conformance.js';

/** (μ, σ) of one dimension from the outputs (a, b) of a parameterisation — written independently of the package. */
function meanAndSd(p: GaussianParameterisation, a: number, b: number): [number, number] {
  switch (p) {
    case 'sigma':
      return [a, b];
    case 'logSigma':
      return [a, Math.exp(b)];
    case 'variance':
      return [a, Math.sqrt(b)];
    case 'natural': {
      const v = -1 / (2 * b);
      return [a * v, Math.sqrt(v)];
    }
  }
}

/** Outputs (a, b) of a parameterisation for a given (μ, σ). */
function outputsFor(p: GaussianParameterisation, mu: number, sd: number): [number, number] {
  switch (p) {
    case 'sigma':
      return [mu, sd];
    case 'logSigma':
      return [mu, Math.log(sd)];
    case 'variance':
      return [mu, sd * sd];
    case 'natural':
      return [mu / (sd * sd), -1 / (2 * sd * sd)];
  }
}

function spec(p: GaussianParameterisation, m: number): ConformanceSpec {
  return {
    make: (reduction) => gaussianNLL({ parameterisation: p, dim: m, reduction }),
    reference: (z, y) => {
      let s = 0;
      for (let j = 0; j < m; j++) {
        const [mu, sd] = meanAndSd(p, z[j]!, z[m + j]!);
        s += Math.log(sd) + 0.5 * ((y[j]! - mu) / sd) ** 2;
      }
      return s;
    },
    atoms: (z) => {
      const ms = Array.from({ length: m }, (_, j) => meanAndSd(p, z[j]!, z[m + j]!));
      return gaussianAtoms(ms.map((q) => q[0]), ms.map((q) => q[1]));
    },
  };
}

/** A batch of 3 samples, m = 1, from (μ, σ, target) triples. */
function batch(p: GaussianParameterisation, rows: [number, number, number][]): { z: number[][]; y: number[][] } {
  return { z: rows.map(([mu, sd]) => outputsFor(p, mu, sd)), y: rows.map(([, , t]) => [t]) };
}

const PARAMETERISATIONS: GaussianParameterisation[] = ['sigma', 'logSigma', 'variance', 'natural'];

describe.each(PARAMETERISATIONS)('gaussianNLL(%s)', (p) => {
  it('closed forms == AD of the composed form == AD of the fused node, at ordinary points', () => {
    conformance(spec(p, 1), batch(p, [[0.3, 0.7, 0.9], [-1.1, 1.6, 0.2], [2.0, 0.45, 1.5]]));
  });
  it('... at residual 0 (the Hessian is not 0 there)', () => {
    conformance(spec(p, 1), batch(p, [[1, 2, 1], [-0.5, 0.25, -0.5], [0, 1, 0]]));
  });
  // At the two extreme batches the finite-difference part of checkGrad is switched off, for a
  // stated reason: core's step h = ε^⅓·max(1, ‖x‖∞) ≈ 6e−6 (or more) is not small next to
  // σ = 5e−4 (the truncation error h²f‴/6 exceeds the value; in the variance parameterisation
  // the step even crosses v = 0), and at |t| = 2·10³ the gradient reaches 4·10⁶ so the rounding
  // error ε|g|/h of a central difference is ~10⁻⁴. Every exact comparison (closed form vs
  // both AD forms, Fisher quadrature, S·Sᵀ) still runs at these points.
  it('... at large residuals', () => {
    conformance(spec(p, 1), { ...batch(p, [[0, 1, 1e3], [5, 0.5, -2e3], [-3, 2, 4e2]]), finiteDifferences: false });
  });
  it('... at small σ', () => {
    conformance(spec(p, 1), { ...batch(p, [[0.5, 1e-3, 0], [0, 2e-3, 0.01], [1, 5e-4, 1]]), finiteDifferences: false });
  });
  it('... diagonal multivariate (m = 2, outputs μ₁, μ₂, b₁, b₂ per sample)', () => {
    const rows = [
      [[0.3, 0.7, 0.9], [-0.2, 1.3, 0.1]],
      [[-1.1, 1.6, 0.2], [0.4, 0.6, 0.4]],
      [[2.0, 0.45, 1.5], [1.0, 2.5, -3.0]],
    ] as [number, number, number][][];
    const z = rows.map((r) => {
      const [a1, b1] = outputsFor(p, r[0]![0], r[0]![1]);
      const [a2, b2] = outputsFor(p, r[1]![0], r[1]![1]);
      return [a1, a2, b1, b2];
    });
    conformance(spec(p, 2), { z, y: rows.map((r) => [r[0]![2], r[1]![2]]) });
  });

  it('full adds m·½log 2π per sample and changes no derivative', () => {
    const { z, y } = batch(p, [[0.3, 0.7, 0.9], [-1.1, 1.6, 0.2]]);
    const yy = y.map((r) => r[0]!);
    const short = gaussianNLL({ parameterisation: p });
    const full = gaussianNLL({ parameterisation: p, full: true });
    expectClose([full.value(z, yy) - short.value(z, yy)], [2 * HALF_LOG_2PI], TOL.value, 'full − short');
    expectClose([full.fused(z, yy) as number], [full.value(z, yy)], TOL.value, 'fused value with full');
    expect(full.gradient(z, yy)).toEqual(short.gradient(z, yy));
    expect(full.outputHessian(z, yy).data).toEqual(short.outputHessian(z, yy).data);
    expectClose(hessian((u: Scalar[][]) => full.fused(u, yy), z).data, short.outputHessian(z, yy).toDense().data, TOL.closedVsAD, 'fused Hessian with full');
  });

  it('accepts a flat sample-major array as well as nested rows', () => {
    const { z, y } = batch(p, [[0.3, 0.7, 0.9], [-1.1, 1.6, 0.2]]);
    const yy = y.map((r) => r[0]!);
    const loss = gaussianNLL({ parameterisation: p });
    expect(loss.outputHessian(Float64Array.from(z.flat()), yy).data).toEqual(loss.outputHessian(z, yy).data);
    expect(loss.gradient(z.flat(), yy)).toEqual(loss.gradient(z, yy));
  });
});

describe('gaussianNLL: the facts the docstring states', () => {
  it('(μ, σ) at r = 0, σ = 2: the block is [[1/4, 0], [0, −1/4]]', () => {
    expect(gaussianNLL().outputHessian([[0, 2]], [0]).block(0).toArray()).toEqual([
      [0.25, 0],
      [0, -0.25],
    ]);
  });

  it('(μ, σ): det = −(r² + σ²)/σ⁶ < 0 at every residual (indefinite), Fisher diag(1/σ², 2/σ²) positive definite', () => {
    const loss = gaussianNLL();
    for (const [r, s] of [[0, 2], [0.3, 0.5], [-4, 1.5], [1e3, 1], [0.5, 1e-3]] as const) {
      const [[a, b], [, c]] = loss.outputHessian([[1, s]], [1 + r]).block(0).toArray() as [[number, number], [number, number]];
      const det = a * c - b * b;
      expectClose([det], [-(r * r + s * s) / s ** 6], 1e-12, `det at r=${r}, σ=${s}`);
      expect(det).toBeLessThan(0);
      expect(loss.fisher([[1, s]]).block(0).toArray()).toEqual([[1 / (s * s), 0], [0, 2 / (s * s)]]);
    }
    expect(loss.isHessianPSD).toBe(false);
  });

  it('(μ, σ²): det = −1/(2v³) < 0 everywhere; (μ, log σ): det = −2r²e^{−4s}', () => {
    const variance = gaussianNLL({ parameterisation: 'variance' });
    const logSigma = gaussianNLL({ parameterisation: 'logSigma' });
    for (const [r, v] of [[0, 4], [0.7, 0.3], [-20, 2]] as const) {
      const [[a, b], [, c]] = variance.outputHessian([[0, v]], [r]).block(0).toArray() as [[number, number], [number, number]];
      expectClose([a * c - b * b], [-1 / (2 * v ** 3)], 1e-12, `variance det r=${r}`);
      const s = Math.log(Math.sqrt(v));
      const [[a2, b2], [, c2]] = logSigma.outputHessian([[0, s]], [r]).block(0).toArray() as [[number, number], [number, number]];
      expectClose([a2 * c2 - b2 * b2], [-2 * r * r * Math.exp(-4 * s)], 1e-12, `logSigma det r=${r}`);
    }
    expect(variance.isHessianPSD).toBe(false);
    expect(logSigma.isHessianPSD).toBe(false);
  });

  it('natural parameters: Hessian = Fisher = Cov[(t, t²)] for every target, positive definite', () => {
    const loss = gaussianNLL({ parameterisation: 'natural' });
    expect(loss.isHessianPSD).toBe(true);
    for (const [mu, s] of [[1, 2], [-0.3, 0.1], [4, 0.7]] as const) {
      const z = [outputsFor('natural', mu, s)];
      const v = s * s;
      const cov = [v, 2 * mu * v, 2 * mu * v, 4 * mu * mu * v + 2 * v * v];
      const F = loss.fisher(z).data;
      expectClose(F, cov, 1e-12, `natural Fisher at μ=${mu}, σ=${s}`);
      for (const t of [mu, mu + 3 * s, -10]) expect(loss.outputHessian(z, [t]).data).toEqual(F);
      expect(F[0]! * F[3]! - F[1]! * F[2]!).toBeGreaterThan(0);
    }
  });

  it('Fisher = E[Hessian] also by a fixed-seed Monte Carlo (N = 2·10⁵, 5 standard errors)', () => {
    const loss = gaussianNLL();
    const [mu, s] = [0.4, 1.7];
    const rng = new Random(2024);
    const N = 200_000;
    const sum = [0, 0, 0, 0];
    const sq = [0, 0, 0, 0];
    const targets = Array.from({ length: N }, () => mu + s * rng.normal());
    const H = loss.outputHessian(Array.from({ length: N }, () => [mu, s]), targets).data;
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < 4; k++) {
        sum[k] = sum[k]! + H[4 * i + k]!;
        sq[k] = sq[k]! + H[4 * i + k]! ** 2;
      }
    }
    const F = loss.fisher([[mu, s]]).data;
    for (let k = 0; k < 4; k++) {
      const mean = sum[k]! / N;
      const se = Math.sqrt(Math.max(sq[k]! / N - mean * mean, 0) / N);
      // Entry [0][0] is the constant 1/σ² (se = 0); allow rounding there.
      expect(Math.abs(mean - F[k]!)).toBeLessThanOrEqual(5 * se + 1e-12);
    }
  });

  it('dim 2 puts the 2×2 blocks of each dimension at rows/columns (j, m + j)', () => {
    const loss = gaussianNLL({ dim: 2 });
    const H = loss.outputHessian([[0, 0, 2, 1]], [[0, 1]]).block(0).toArray();
    // dimension 0: r = 0, σ = 2 → [[1/4, 0], [0, −1/4]]; dimension 1: r = 1, σ = 1 → [[1, 2], [2, 2]]
    expect(H).toEqual([
      [0.25, 0, 0, 0],
      [0, 1, 0, 2],
      [0, 0, -0.25, 0],
      [0, 2, 0, 2],
    ]);
  });
});
