/**
 * Everything the demo computes, as plain numbers: the Newton fit, the 4×4 parameter Hessian and
 * its spectrum, the 2n×2n output Hessian (by the engine) against the closed forms of
 * @dualtape/losses, the Fisher, and the Gauss-Newton matrices built from them.
 *
 * Curvature in two spaces. With outputs o = (μ₁, σ₁, …, μₙ, σₙ) = m(θ) and L(θ) = ℓ(m(θ)):
 *     ∇²L = Jᵀ·∇²ℓ·J + Σₖ (∂ℓ/∂oₖ)·∇²oₖ          (chain rule; J = ∂o/∂θ, 2n×4)
 * The generalised Gauss-Newton drops the second term; with the Fisher F in place of ∇²ℓ it is
 * G = Jᵀ·F·J, positive semidefinite even where ∇²ℓ is indefinite (Martens, "New insights and
 * perspectives on the natural gradient method", JMLR 21, 2020, §8–9).
 */
import { hessian, jacfwd, type Matrix, type Scalar } from '@dualtape/core';
import type { BlockDiagonal } from '@dualtape/losses';
import { definiteness, inverseSPD, relativeFrobenius, symmetricEigenvalues, type Definiteness } from '../linalg.js';
import { CliInputError } from '../errors.js';
import { meanSd, type Dataset } from './data.js';
import { demoLoss, initialParameters, modelOutputs, newton, objective, type NewtonIteration, type NewtonResult } from './model.js';

/** Number of samples whose 2×2 blocks are printed. */
export const SHOWN_SAMPLES = 3;

export interface SampleBlocks {
  readonly sample: number;
  readonly x: number;
  readonly y: number;
  readonly mu: number;
  readonly sigma: number;
  /** ∂²ℓᵢ/∂(μᵢ, σᵢ)² from the engine (a block of the 2n×2n Hessian). */
  readonly engine: number[][];
  /** The same from the closed form of @dualtape/losses. */
  readonly closedForm: number[][];
  readonly fisher: number[][];
}

export interface DemoResult {
  readonly data: {
    readonly source: string;
    readonly x: string;
    readonly y: string;
    readonly rows: number;
    readonly used: number;
    readonly dropped: number;
    /** z = (x − xMean)/xSd: the model sees the standardised x. */
    readonly xMean: number;
    readonly xSd: number;
  };
  readonly fit: {
    readonly converged: boolean;
    readonly iterations: NewtonIteration[];
    readonly params: { a: number; b: number; c: number; d: number };
    readonly loss: number;
    readonly gradient: number[];
    readonly gradNorm: number;
  };
  readonly parameterHessian: {
    readonly matrix: number[][];
    readonly eigenvalues: number[];
    readonly definiteness: Definiteness;
    /** √diag(H⁻¹) (observed information); null if H is not positive definite. */
    readonly standardErrors: number[] | null;
    /** max |H_fused − H_composed| / max |H|: the fused Gaussian node against the composed primitives. */
    readonly fusedVsComposed: number;
  };
  readonly outputHessian: {
    readonly size: number;
    /** Entries outside the 2×2 diagonal blocks that are not exactly zero. */
    readonly offBlockNonzeros: number;
    /** max over all samples and entries of |engine − closed form|. */
    readonly maxDifference: number;
    /** Largest |closed form| entry, for scale. */
    readonly maxEntry: number;
    readonly indefiniteBlocks: number;
    readonly fisherPositiveDefiniteBlocks: number;
    readonly samples: SampleBlocks[];
    /** Every sample's outputs (μᵢ, σᵢ) at the optimum. */
    readonly outputs: number[][];
    /** Every sample's 2×2 block from the engine, row-major [h_μμ, h_μσ, h_σμ, h_σσ]. */
    readonly blocks: number[][];
    /** The same from the closed form of @dualtape/losses. */
    readonly closedFormBlocks: number[][];
    /** Every sample's Fisher block, row-major. */
    readonly fisherBlocks: number[][];
  };
  readonly gaussNewton: {
    /** Jᵀ·F·J. */
    readonly matrix: number[][];
    readonly eigenvalues: number[];
    /** ‖JᵀFJ − ∇²L‖_F / ‖∇²L‖_F. */
    readonly relativeFrobenius: number;
    /** ‖Jᵀ·∇²ℓ·J − ∇²L‖_F / ‖∇²L‖_F: the part of the exact Hessian from the curvature of σ(z) = e^{c+dz}. */
    readonly exactOutputHessianRelativeFrobenius: number;
  };
}

/** Extra, large results not in the JSON: the dense output Hessian and the Fisher blocks. */
export interface DemoMatrices {
  readonly outputHessian: Matrix;
  readonly fisher: BlockDiagonal;
  readonly parameterHessian: Matrix;
}

const block = (H: Matrix, i: number): number[][] => [
  [H.get(2 * i, 2 * i), H.get(2 * i, 2 * i + 1)],
  [H.get(2 * i + 1, 2 * i), H.get(2 * i + 1, 2 * i + 1)],
];

/** Σᵢ Jᵢᵀ·Bᵢ·Jᵢ over samples, Jᵢ = rows 2i, 2i+1 of J (2n×p), Bᵢ the 2×2 block i. */
function sandwich(J: Matrix, blockOf: (i: number) => number[][], n: number, p: number): Float64Array {
  const G = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    const B = blockOf(i);
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) {
        let s = 0;
        for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) s += J.get(2 * i + u, r) * B[u]![v]! * J.get(2 * i + v, c);
        G[r * p + c] = G[r * p + c]! + s;
      }
    }
  }
  return G;
}

/** What the report says about the data before the fit. */
export function summarise(data: Dataset): DemoResult['data'] {
  const { mean, sd } = meanSd(data.x);
  return { source: data.source, x: data.xName, y: data.yName, rows: data.rows, used: data.x.length, dropped: data.dropped, xMean: mean, xSd: sd };
}

/** Run the whole analysis. `onStage` reports progress (for a progress bar). */
export function analyse(data: Dataset, onStage: (stage: string) => void = () => {}, onIteration?: (it: NewtonIteration) => void): { result: DemoResult; matrices: DemoMatrices } {
  const loss = demoLoss();
  const summary = summarise(data);
  if (!(summary.xSd > 0)) throw new CliInputError(`${data.xName} is constant in ${data.source}: it cannot be standardised or predict anything`);
  const z = data.x.map((v) => (v - summary.xMean) / summary.xSd);
  const y = data.y;
  const n = z.length;
  const f = objective(loss, z, y);

  onStage('Newton fit');
  const fit: NewtonResult = newton(f, initialParameters(z, y), onIteration ? { onIteration } : {});
  const theta = fit.theta;

  onStage('parameter Hessian');
  const H = hessian((t: Scalar[]) => f(t), theta);
  const eig = Array.from(symmetricEigenvalues(H.data, 4));
  const inv = inverseSPD(H.data, 4);
  const Hfused = hessian((t: Scalar[]) => loss.fused(modelOutputs(t, z), y), theta);
  const hmax = Math.max(...Array.from(H.data, Math.abs));
  let fusedDiff = 0;
  for (let k = 0; k < 16; k++) fusedDiff = Math.max(fusedDiff, Math.abs(Hfused.data[k]! - H.data[k]!));

  onStage('output Hessian');
  const outputs = modelOutputs(theta, z) as number[][];
  const flat = Float64Array.from(outputs.flat());
  const Hout = hessian((o: Scalar[]) => loss.composed(o, y), flat);
  const closed = loss.outputHessian(outputs, y);
  const F = loss.fisher(outputs);
  let offBlock = 0;
  for (let r = 0; r < 2 * n; r++) {
    for (let c = 0; c < 2 * n; c++) if (r >> 1 !== c >> 1 && Hout.get(r, c) !== 0) offBlock++;
  }
  let maxDiff = 0;
  let maxEntry = 0;
  let indefinite = 0;
  let fisherPD = 0;
  for (let i = 0; i < n; i++) {
    const e = block(Hout, i);
    const cf = closed.block(i);
    for (let u = 0; u < 2; u++) {
      for (let v = 0; v < 2; v++) {
        maxDiff = Math.max(maxDiff, Math.abs(e[u]![v]! - cf.get(u, v)));
        maxEntry = Math.max(maxEntry, Math.abs(cf.get(u, v)));
      }
    }
    if (definiteness(symmetricEigenvalues(e.flat(), 2)) === 'indefinite') indefinite++;
    if (definiteness(symmetricEigenvalues(F.block(i).data, 2)) === 'positive definite') fisherPD++;
  }
  const samples: SampleBlocks[] = [];
  for (let i = 0; i < Math.min(SHOWN_SAMPLES, n); i++) {
    samples.push({
      sample: i,
      x: data.x[i]!,
      y: y[i]!,
      mu: outputs[i]![0]!,
      sigma: outputs[i]![1]!,
      engine: block(Hout, i),
      closedForm: closed.block(i).toArray(),
      fisher: F.block(i).toArray(),
    });
  }

  onStage('Gauss-Newton');
  const J = jacfwd((t: Scalar[]) => modelOutputs(t, z), theta);
  const G = sandwich(J, (i) => F.block(i).toArray(), n, 4);
  const GH = sandwich(J, (i) => block(Hout, i), n, 4);
  const rows = (a: ArrayLike<number>) => Array.from({ length: 4 }, (_, r) => Array.from({ length: 4 }, (_, c) => a[r * 4 + c]!));

  const result: DemoResult = {
    data: summary,
    fit: {
      converged: fit.converged,
      iterations: fit.iterations,
      params: { a: theta[0]!, b: theta[1]!, c: theta[2]!, d: theta[3]! },
      loss: fit.value,
      gradient: fit.gradient,
      gradNorm: fit.gradNorm,
    },
    parameterHessian: {
      matrix: H.toArray(),
      eigenvalues: eig,
      definiteness: definiteness(eig),
      standardErrors: inv === null ? null : [0, 1, 2, 3].map((k) => Math.sqrt(inv[k * 4 + k]!)),
      fusedVsComposed: fusedDiff / hmax,
    },
    outputHessian: {
      size: 2 * n,
      offBlockNonzeros: offBlock,
      maxDifference: maxDiff,
      maxEntry,
      indefiniteBlocks: indefinite,
      fisherPositiveDefiniteBlocks: fisherPD,
      samples,
      outputs,
      blocks: Array.from({ length: n }, (_, i) => block(Hout, i).flat()),
      closedFormBlocks: Array.from({ length: n }, (_, i) => Array.from(closed.block(i).data)),
      fisherBlocks: Array.from({ length: n }, (_, i) => Array.from(F.block(i).data)),
    },
    gaussNewton: {
      matrix: rows(G),
      eigenvalues: Array.from(symmetricEigenvalues(G, 4)),
      relativeFrobenius: relativeFrobenius(G, H.data),
      exactOutputHessianRelativeFrobenius: relativeFrobenius(GH, H.data),
    },
  };
  return { result, matrices: { outputHessian: Hout, fisher: F, parameterHessian: H } };
}
