/**
 * The checks every built-in loss must pass, in one place (each loss's test file calls
 * {@link conformance} with its own points and its own exact quadrature of the model's
 * distribution). References are independent of the closed forms under test:
 *  - the engine's forward-over-reverse Hessian and reverse gradient of the *composed* form
 *    (written with the core's primitives, no closed form involved);
 *  - an independent plain-number value written in the test file;
 *  - exact quadrature (Gauss–Hermite, exact discrete sums) of AD Hessians and AD gradients for
 *    the Fisher;
 *  - central finite differences through core's checkGrad.
 */
import { expect } from 'vitest';
import { checkGrad, grad, hessian, jvp, type Scalar } from '@dualtape/core';
import { blockHessianByColouring, type BlockDiagonal, type Loss } from '@dualtape/losses';

/**
 * Tolerances, each relative to the largest |entry| of the quantity compared (its "scale"),
 * so that an entry that cancels to near zero is judged against the magnitude of its terms.
 */
export const TOL = {
  /**
   * Closed form vs AD (either form). Both evaluate the same few (≤ 20) rounded operations per
   * entry in different orders: each is within ~20ε of the exact value relative to its largest
   * intermediate term, and at our points the largest term is ≤ 100× the block's scale (the
   * worst case is the (μ, σ) entry (3r²/σ² − 1)/σ² near r² = σ²/3). 2·20·2.2e−16·100 ≈ 9e−13.
   */
  closedVsAD: 1e-12,
  /**
   * Fisher vs quadrature. The quadrature rules are exact for the integrands (polynomials of
   * degree ≤ 4 in the Gaussian residual against a 3-point Gauss–Hermite rule exact to degree 5;
   * finite sums for categorical/Bernoulli; Poisson truncated where the tail is < 1e−30), so the
   * only error is rounding in a sum of ≤ 81 AD-evaluated terms of the Hessian's own scale, each
   * within 1e−12 as above, plus ≤ 81ε from the summation: 1e−11.
   */
  quadrature: 1e-11,
  /** S·Sᵀ vs the Fisher: d ≤ 8 products per entry, terms of the Fisher's scale: 64ε ≈ 1.4e−14; allow 1e−13. */
  factor: 1e-13,
  /** Value of the loss vs the test's independent formula: ≤ 10 roundings per term, terms summed over ≤ 24 entries: 1e−13. */
  value: 1e-13,
} as const;

/** Largest |a − b| over entries, relative to max(scale floor, largest |entry| of b). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  expect(a.length).toBe(b.length);
  let scale = floor;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!), Math.abs(a[i]!));
  let e = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= e)) e = d; // NaN-safe
  }
  return e / scale;
}

export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  const e = relErr(a, b);
  expect(e, `${what}: relative error ${e.toExponential(2)} > ${tol}\n got  ${Array.from(a)}\n want ${Array.from(b)}`).toBeLessThanOrEqual(tol);
}

/** One atom of an exact quadrature of the model's predictive distribution: target y with weight w. */
export interface Atom {
  readonly w: number;
  readonly y: readonly number[];
}

/** Probabilists' Gauss–Hermite rule with 3 nodes: exact for E[p(ξ)], ξ ∼ N(0, 1), deg p ≤ 5. */
export const GAUSS_HERMITE_3: readonly { x: number; w: number }[] = [
  { x: -Math.sqrt(3), w: 1 / 6 },
  { x: 0, w: 2 / 3 },
  { x: Math.sqrt(3), w: 1 / 6 },
];

/** Tensor-product Gauss–Hermite rule for independent N(μⱼ, σⱼ²), j < m: 3ᵐ atoms. */
export function gaussianAtoms(mu: readonly number[], sigma: readonly number[]): Atom[] {
  let atoms: Atom[] = [{ w: 1, y: [] }];
  mu.forEach((m, j) => {
    atoms = atoms.flatMap((a) => GAUSS_HERMITE_3.map((g) => ({ w: a.w * g.w, y: [...a.y, m + sigma[j]! * g.x] })));
  });
  return atoms;
}

/** The sample-major flat list of a nested batch. */
export const flat = (rows: readonly (readonly number[])[]): number[] => rows.flat();

/** Eigenvalues of a small symmetric matrix (cyclic Jacobi rotations; Golub & Van Loan §8.5). */
export function symmetricEigenvalues(A: readonly (readonly number[])[]): number[] {
  const n = A.length;
  const a = A.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p]![q] === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((r, i) => r[i]!);
}

export interface ConformanceCase {
  /** n samples of d outputs. */
  readonly z: readonly (readonly number[])[];
  /** n samples of the loss's targets (one number per sample for scalar targets). */
  readonly y: readonly (readonly number[])[];
  /** Run checkGrad (finite differences); off at extreme points where FD is meaningless. */
  readonly finiteDifferences?: boolean;
}

export interface ConformanceSpec {
  /** Builds the loss with a reduction. */
  readonly make: (reduction: 'sum' | 'mean') => Loss;
  /** Independent plain-number per-sample loss. */
  readonly reference: (z: readonly number[], y: readonly number[]) => number;
  /** Exact quadrature of the model's predictive distribution at one sample's outputs. */
  readonly atoms: (z: readonly number[]) => Atom[];
}

/** Targets in the form the loss takes: flat numbers when there is one target per sample. */
const targetsOf = (y: readonly (readonly number[])[]): number[] | number[][] => (y.every((r) => r.length === 1) ? y.map((r) => r[0]!) : y.map((r) => [...r]));

/** Block i of a BlockDiagonal as a flat row-major array. */
const blockData = (B: BlockDiagonal, i: number): Float64Array => B.block(i).data;

/**
 * Every check of the issue for one loss at one batch: closed form == engine Hessian of the
 * composed form == engine Hessian of the fused form (dense, summed over the batch, so it also
 * checks the block-diagonal layout); gradients likewise; the colouring path; the Fisher against
 * exact quadrature of both E[∇²ℓ] and E[∇ℓ∇ℓᵀ]; S·Sᵀ == Fisher; the 'mean' reduction;
 * dual-number forward mode; checkGrad of both forms.
 */
export function conformance(spec: ConformanceSpec, c: ConformanceCase): void {
  const loss = spec.make('sum');
  const { z } = c;
  const y = targetsOf(c.y);
  const n = z.length;
  const d = loss.outputsPerSample;
  const composed = (zz: Scalar[][]): Scalar => loss.composed(zz, y);
  const fused = (zz: Scalar[][]): Scalar => loss.fused(zz, y);
  const zz = z.map((r) => [...r]);

  // ---- value
  const ref = z.reduce((s, zi, i) => s + spec.reference(zi, c.y[i]!), 0);
  expectClose([loss.value(zz, y)], [ref], TOL.value, `${loss.name} value vs independent formula`);
  expectClose([loss.fused(zz, y) as number], [ref], TOL.value, `${loss.name} fused value on numbers`);

  // ---- gradient
  // sample by sample, so that a small sample's gradient is not judged against a large one's scale
  const g = loss.gradient(zz, y);
  const gc = flat(grad(composed, zz));
  const gf = flat(grad(fused, zz));
  for (let i = 0; i < n; i++) {
    const part = (a: ArrayLike<number>): number[] => Array.from(a).slice(i * d, (i + 1) * d);
    expectClose(part(g), part(gc), TOL.closedVsAD, `${loss.name} sample ${i}: gradient vs reverse mode of the composed form`);
    expectClose(part(g), part(gf), TOL.closedVsAD, `${loss.name} sample ${i}: gradient vs reverse mode of the fused form`);
  }

  // ---- Hessian: closed-form blocks vs the engine's dense Hessian of the summed loss
  const H = loss.outputHessian(zz, y);
  expect(H.shape).toEqual([n * d, n * d]);
  const dense = H.toDense().data;
  const scaleOf = (k: number): Float64Array => blockData(H, k);
  expectClose(dense, hessian(composed, zz).data, TOL.closedVsAD, `${loss.name} Hessian vs forward-over-reverse of the composed form`);
  expectClose(dense, hessian(fused, zz).data, TOL.closedVsAD, `${loss.name} Hessian vs forward-over-reverse of the fused form`);
  // blockwise too, so a small block is not judged against a large one's scale
  const Hc = blockHessianByColouring(composed, zz, d);
  const Hf = blockHessianByColouring(fused, zz, d);
  for (let i = 0; i < n; i++) {
    expectClose(scaleOf(i), blockData(Hc, i), TOL.closedVsAD, `${loss.name} block ${i} vs coloured AD of the composed form`);
    expectClose(scaleOf(i), blockData(Hf, i), TOL.closedVsAD, `${loss.name} block ${i} vs coloured AD of the fused form`);
  }

  // ---- Fisher = E[∇²ℓ] = E[∇ℓ∇ℓᵀ] under the model, per sample, by exact quadrature of AD results
  const F = loss.fisher(zz);
  const S = loss.fisherFactor(zz);
  for (let i = 0; i < n; i++) {
    const zi = [[...z[i]!]];
    const EH = new Float64Array(d * d);
    const Egg = new Float64Array(d * d);
    for (const { w, y: yq } of spec.atoms(z[i]!)) {
      const yy = targetsOf([yq]);
      const Hq = hessian((u: Scalar[][]) => loss.composed(u, yy), zi).data;
      const gq = flat(grad((u: Scalar[][]) => loss.composed(u, yy), zi));
      for (let r = 0; r < d; r++) {
        for (let k = 0; k < d; k++) {
          EH[r * d + k] = EH[r * d + k]! + w * Hq[r * d + k]!;
          Egg[r * d + k] = Egg[r * d + k]! + w * gq[r]! * gq[k]!;
        }
      }
    }
    const Fi = blockData(F, i);
    expectClose(Fi, EH, TOL.quadrature, `${loss.name} sample ${i}: Fisher vs E[Hessian] by exact quadrature`);
    expectClose(Fi, Egg, TOL.quadrature, `${loss.name} sample ${i}: Fisher vs E[∇ℓ∇ℓᵀ] by exact quadrature`);
    // S Sᵀ
    const Si = blockData(S, i);
    const SSt = new Float64Array(d * d);
    for (let r = 0; r < d; r++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) SSt[r * d + k] = SSt[r * d + k]! + Si[r * d + j]! * Si[k * d + j]!;
    expectClose(SSt, Fi, TOL.factor, `${loss.name} sample ${i}: S·Sᵀ vs Fisher`);
    // symmetric, and PSD exactly when claimed
    const Hi = blockData(H, i);
    for (let r = 0; r < d; r++) for (let k = 0; k < d; k++) expect(Hi[r * d + k]).toBe(Hi[k * d + r]);
    if (loss.isHessianPSD) {
      const rows = Array.from({ length: d }, (_, r) => Array.from(Hi.subarray(r * d, r * d + d)));
      const scale = Math.max(...Array.from(Hi, Math.abs), 1e-300);
      expect(Math.min(...symmetricEigenvalues(rows)) / scale, `${loss.name} sample ${i}: PSD claimed`).toBeGreaterThanOrEqual(-1e-13);
    }
  }

  // ---- 'mean': everything divided by n (S by √n)
  const mean = spec.make('mean');
  expectClose([mean.value(zz, y)], [ref / n], TOL.value, `${loss.name} mean value`);
  expectClose(mean.gradient(zz, y), g.map((v) => v / n), TOL.closedVsAD, `${loss.name} mean gradient`);
  const Hm = mean.outputHessian(zz, y).toDense().data;
  expectClose(Hm, dense.map((v) => v / n), TOL.closedVsAD, `${loss.name} mean Hessian = sum/n`);
  expectClose(Hm, hessian((u: Scalar[][]) => mean.composed(u, y), zz).data, TOL.closedVsAD, `${loss.name} mean Hessian vs AD`);
  expectClose(hessian((u: Scalar[][]) => mean.fused(u, y), zz).data, Hm, TOL.closedVsAD, `${loss.name} mean fused Hessian`);
  expectClose(mean.fisher(zz).data, F.data.map((v) => v / n), TOL.closedVsAD, `${loss.name} mean Fisher`);
  expectClose(mean.fisherFactor(zz).data, S.data.map((v) => v / Math.sqrt(n)), TOL.closedVsAD, `${loss.name} mean factor`);

  // ---- forward mode on dual numbers: J·v of the composed and fused forms = ∇L·v
  const v = zz.map((r, i) => r.map((_, k) => Math.cos(1 + 3 * i + k)));
  const gv = g.reduce((s, gi, j) => s + gi * flat(v)[j]!, 0);
  for (const [name, f] of [['composed', composed], ['fused', fused]] as const) {
    const tangent = jvp(f as (x: Scalar[][]) => Scalar, zz, v).tangent as number;
    expectClose([tangent], [gv], TOL.closedVsAD, `${loss.name} forward mode (${name}) vs gradient·v`);
  }

  // ---- finite differences and mode-vs-mode, through core's checkGrad
  if (c.finiteDifferences !== false) {
    for (const f of [composed, fused]) {
      const report = checkGrad(f, zz);
      expect(report.ok, `${loss.name}\n${report.summary}`).toBe(true);
    }
  }
}
