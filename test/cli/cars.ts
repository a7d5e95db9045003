/**
 * The demo's model computed independently of the engine, for the end-to-end tests: the cars
 * data read straight from vega-datasets' files, and the closed-form gradient and Hessian of
 *     L(θ) = Σᵢ ηᵢ + ½ log 2π + ½ rᵢ² e^{−2ηᵢ},   rᵢ = yᵢ − a − b zᵢ,   ηᵢ = c + d zᵢ (= log σᵢ).
 * Derivation (per sample, w = e^{−2η}):
 *   ∂/∂a = −r w          ∂/∂b = −r z w          ∂/∂c = 1 − r² w          ∂/∂d = z (1 − r² w)
 *   ∂²/∂a² = w           ∂²/∂a∂b = z w          ∂²/∂b² = z² w
 *   ∂²/∂a∂c = 2 r w      ∂²/∂a∂d = 2 r z w      ∂²/∂b∂c = 2 r z w       ∂²/∂b∂d = 2 r z² w
 *   ∂²/∂c² = 2 r² w      ∂²/∂c∂d = 2 r² z w     ∂²/∂d² = 2 r² z² w
 * (from ∂w/∂η = −2w and ∂r/∂a = −1, ∂r/∂b = −z).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function carsXY(): { x: number[]; y: number[]; rows: number } {
  const require = createRequire(fileURLToPath(new URL('../../packages/cli/package.json', import.meta.url)));
  const file = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'cars.json');
  const rows = JSON.parse(readFileSync(file, 'utf8')) as { Horsepower: number | null; Miles_per_Gallon: number | null }[];
  const x: number[] = [];
  const y: number[] = [];
  for (const r of rows) {
    if (typeof r.Horsepower === 'number' && typeof r.Miles_per_Gallon === 'number') {
      x.push(r.Horsepower);
      y.push(r.Miles_per_Gallon);
    }
  }
  return { x, y, rows: rows.length };
}

/** Standardise with the sample mean and the sample standard deviation (n − 1). */
export function standardise(x: readonly number[]): { z: number[]; mean: number; sd: number } {
  const n = x.length;
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { z: x.map((v) => (v - mean) / sd), mean, sd };
}

/** Closed-form gradient (length 4) and Hessian (4×4) of L at θ = (a, b, c, d). */
export function closedForm(theta: readonly number[], z: readonly number[], y: readonly number[]): { gradient: number[]; hessian: number[][] } {
  const [a, b, c, d] = theta as [number, number, number, number];
  const g = [0, 0, 0, 0];
  const H = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  for (let i = 0; i < z.length; i++) {
    const zi = z[i]!;
    const r = y[i]! - a - b * zi;
    const w = Math.exp(-2 * (c + d * zi));
    g[0]! += -r * w;
    g[1]! += -r * zi * w;
    g[2]! += 1 - r * r * w;
    g[3]! += zi * (1 - r * r * w);
    const u = [1, zi]; // ∂μ/∂(a, b) and ∂η/∂(c, d) share the pattern (1, z)
    for (let p = 0; p < 2; p++) {
      for (let q = 0; q < 2; q++) {
        H[p]![q]! += u[p]! * u[q]! * w; // (a, b) block
        H[p]![2 + q]! += 2 * r * u[p]! * u[q]! * w; // mixed block
        H[2 + q]![p]! += 2 * r * u[p]! * u[q]! * w;
        H[2 + p]![2 + q]! += 2 * r * r * u[p]! * u[q]! * w; // (c, d) block
      }
    }
  }
  return { gradient: g, hessian: H };
}

/** Gauss-Newton with the Fisher: Σ Jᵢᵀ diag(1/σ², 2/σ²) Jᵢ, Jᵢ rows (1, z, 0, 0) and (0, 0, σ, σz). */
export function fisherGaussNewton(theta: readonly number[], z: readonly number[]): number[][] {
  const [, , c, d] = theta as [number, number, number, number];
  const G = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  for (const zi of z) {
    const w = Math.exp(-2 * (c + d * zi)); // 1/σ²
    const u = [1, zi];
    for (let p = 0; p < 2; p++) {
      for (let q = 0; q < 2; q++) {
        G[p]![q]! += u[p]! * u[q]! * w;
        G[2 + p]![2 + q]! += 2 * u[p]! * u[q]!; // σ² · 2/σ²
      }
    }
  }
  return G;
}

/** Inverse of a small matrix by Gauss-Jordan elimination with partial pivoting. */
export function inverse(A: readonly (readonly number[])[]): number[][] {
  const n = A.length;
  const M = A.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const pivot = M[c]![c]!;
    for (let j = 0; j < 2 * n; j++) M[c]![j]! /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]!;
      for (let j = 0; j < 2 * n; j++) M[r]![j]! -= f * M[c]![j]!;
    }
  }
  return M.map((r) => r.slice(n));
}
