/**
 * The common machinery of every built-in loss: a per-sample {@link Kernel} (one per loss file)
 * and the {@link Loss} that sums it over n samples with a reduction, validates the batch, and
 * assembles the per-sample closed forms into block-diagonal matrices.
 *
 * Terms, for a batch of n samples with d outputs each (sample-major, see layout.ts):
 *  - value        L = c · Σᵢ ℓ(zᵢ; yᵢ), c = 1 for `'sum'`, 1/n for `'mean'` (n = samples, not n·d);
 *  - gradient     ∂L/∂z, length n·d;
 *  - outputHessian ∂²L/∂z², (n·d)×(n·d), block-diagonal with n blocks c·∇²ℓ(zᵢ; yᵢ) of d×d,
 *                 because sample i's term depends on zᵢ only;
 *  - fisher       c · Σᵢ E_{y∼p(·|zᵢ)}[∇²ℓ(zᵢ; y)], the expected Hessian under the model's own
 *                 predictive distribution (= E[∇ℓ ∇ℓᵀ] for a negative log-likelihood), block-diagonal;
 *  - fisherFactor S, block-diagonal with d×d blocks, S·Sᵀ = fisher. This is the symmetric
 *                 factorisation (F = S Sᵀ) that Monte-Carlo GGN/KFAC needs; S itself need not
 *                 be a symmetric matrix (each loss says which S it returns).
 */
import {
  DomainError,
  ShapeError,
  add,
  isScalar,
  mul,
  type Scalar,
} from '@dualtape/core';
import { BlockDiagonal } from './block-diagonal.js';
import { flattenBatch, isNumber, type Batch } from './layout.js';

/** How per-sample losses are combined: their sum, or their mean over the n samples. */
export type Reduction = 'sum' | 'mean';

/**
 * One loss, per sample. Closed forms work on plain numbers at offsets into flat sample-major
 * arrays (z at `zo`, y at `yo`) and write the *unreduced* per-sample result at `out[oo…]`:
 * the gradient as d numbers, matrices as d×d row-major.
 */
export interface Kernel {
  /** Name for messages, e.g. `"gaussianNLL(sigma)"`. */
  readonly name: string;
  /** d: outputs per sample. */
  readonly outputsPerSample: number;
  /** Numbers per sample in `targets`. */
  readonly targetsPerSample: number;
  /** The meaning of one sample's outputs, in order, e.g. `"2 outputs per sample (mu, sigma)"`. */
  readonly describeOutputs: string;
  /** Whether every per-sample Hessian is positive semi-definite (the loss says why). */
  readonly isHessianPSD: boolean;
  /** Throw a {@link DomainError} naming the sample if its outputs (their primal values) are outside the loss's domain. */
  checkOutputs(z: ArrayLike<Scalar>, zo: number, sample: number, api: string): void;
  /** Throw a {@link DomainError} naming the sample if its targets are invalid (they are finite here). */
  checkTargets(y: ArrayLike<number>, yo: number, sample: number, api: string): void;
  /** ℓ(z; y), the generic form written once: runs on numbers, duals and tracers. */
  composed(z: ArrayLike<Scalar>, zo: number, y: ArrayLike<number>, yo: number): Scalar;
  /** ℓ(z; y) minus {@link Kernel.constant}, as fused tape nodes with closed-form partials. */
  fused(z: ArrayLike<Scalar>, zo: number, y: ArrayLike<number>, yo: number): Scalar;
  /** The part of ℓ that does not depend on z and is left out of {@link Kernel.fused}. */
  constant(y: ArrayLike<number>, yo: number): number;
  gradient(z: ArrayLike<number>, zo: number, y: ArrayLike<number>, yo: number, out: Float64Array, oo: number): void;
  hessian(z: ArrayLike<number>, zo: number, y: ArrayLike<number>, yo: number, out: Float64Array, oo: number): void;
  fisher(z: ArrayLike<number>, zo: number, out: Float64Array, oo: number): void;
  fisherFactor(z: ArrayLike<number>, zo: number, out: Float64Array, oo: number): void;
}

/** Scalars for the engine paths: numbers, duals or tracers. */
const isScalarLeaf = (v: unknown): v is Scalar => isScalar(v);

/**
 * A loss over a batch: a {@link Kernel} summed over samples with a {@link Reduction}.
 * Every method validates its arguments the same way: `outputs` has n samples of d outputs
 * (nested `[n][d]` or flat sample-major `n·d`), `targets` has n samples of the loss's target
 * size, all targets are finite, and each sample's outputs lie in the loss's domain.
 *
 * @throws {ShapeError} wrong lengths: rows of the wrong length, a flat length that is not a
 *   multiple of d, different sample counts in outputs and targets, no samples
 * @throws {InputTypeError} an entry that is not a number (or, for the engine paths, a scalar)
 * @throws {DomainError} a non-finite target, a target outside the loss's support, or outputs
 *   outside the loss's domain (e.g. σ ≤ 0), naming the sample index
 */
export class Loss<O extends object = object> {
  constructor(
    readonly kernel: Kernel,
    /** `'sum'` or `'mean'` (over samples). */
    readonly reduction: Reduction,
    /** The options the loss was built with (parameterisation, dimension, …), for inspection. */
    readonly options: Readonly<O>,
  ) {}

  /** Name for messages, e.g. `"gaussianNLL(sigma)"`. */
  get name(): string {
    return this.kernel.name;
  }
  /** d: outputs per sample. */
  get outputsPerSample(): number {
    return this.kernel.outputsPerSample;
  }
  /** Whether every per-sample output Hessian is positive semi-definite; each loss's docstring gives the reason. */
  get isHessianPSD(): boolean {
    return this.kernel.isHessianPSD;
  }

  /** L = c·Σᵢ ℓ(zᵢ; yᵢ) on plain numbers (the generic form evaluated on numbers). */
  value(outputs: Batch<number>, targets: Batch<number>): number {
    const { z, y, n, d, t } = this.numbers(outputs, targets, 'value');
    let s = 0;
    for (let i = 0; i < n; i++) s += this.kernel.composed(z, i * d, y, i * t) as number;
    return s * this.scale(n);
  }

  /** Closed-form ∂L/∂z, length n·d, sample-major. */
  gradient(outputs: Batch<number>, targets: Batch<number>): Float64Array {
    const { z, y, n, d, t } = this.numbers(outputs, targets, 'gradient');
    const g = new Float64Array(n * d);
    for (let i = 0; i < n; i++) this.kernel.gradient(z, i * d, y, i * t, g, i * d);
    return scaleInPlace(g, this.scale(n));
  }

  /** Closed-form ∂²L/∂z²: n blocks of d×d (block i = c·∇²ℓ(zᵢ; yᵢ)); see {@link BlockDiagonal} for the order. */
  outputHessian(outputs: Batch<number>, targets: Batch<number>): BlockDiagonal {
    const { z, y, n, d, t } = this.numbers(outputs, targets, 'outputHessian');
    const data = new Float64Array(n * d * d);
    for (let i = 0; i < n; i++) this.kernel.hessian(z, i * d, y, i * t, data, i * d * d);
    return new BlockDiagonal(n, d, scaleInPlace(data, this.scale(n)));
  }

  /** Closed-form Fisher information: n blocks of d×d, block i = c·E_{y∼p(·|zᵢ)}[∇²ℓ(zᵢ; y)]. Needs no targets. */
  fisher(outputs: Batch<number>): BlockDiagonal {
    const { z, n, d } = this.numbers(outputs, undefined, 'fisher');
    const data = new Float64Array(n * d * d);
    for (let i = 0; i < n; i++) this.kernel.fisher(z, i * d, data, i * d * d);
    return new BlockDiagonal(n, d, scaleInPlace(data, this.scale(n)));
  }

  /**
   * A factor S of the Fisher, block-diagonal with d×d blocks, such that S·Sᵀ = fisher
   * (blockwise). For `'mean'` each block carries √(1/n).
   */
  fisherFactor(outputs: Batch<number>): BlockDiagonal {
    const { z, n, d } = this.numbers(outputs, undefined, 'fisherFactor');
    const data = new Float64Array(n * d * d);
    for (let i = 0; i < n; i++) this.kernel.fisherFactor(z, i * d, data, i * d * d);
    return new BlockDiagonal(n, d, scaleInPlace(data, Math.sqrt(this.scale(n))));
  }

  /**
   * L written with the generic operations: runs on numbers, duals and tracers, so that
   * `hessian((z) => loss.composed(z, targets), outputs)` is the engine's exact Hessian of the
   * loss as composed from primitives (about a dozen tape nodes per sample).
   */
  composed(outputs: Batch<Scalar>, targets: Batch<number>): Scalar {
    const { z, y, n, d, t } = this.scalars(outputs, targets, 'composed');
    let total: Scalar = 0;
    for (let i = 0; i < n; i++) {
      const term = this.kernel.composed(z, i * d, y, i * t);
      total = i === 0 ? term : add(total, term);
    }
    return this.reduce(total, n);
  }

  /**
   * L as fused tape nodes: each sample's loss is one node (per output dimension; softmax
   * cross-entropy uses a chain of fused log-add-exp nodes) whose first and second partials are
   * the closed forms. Same value and derivatives as {@link Loss.composed}, fewer nodes.
   */
  fused(outputs: Batch<Scalar>, targets: Batch<number>): Scalar {
    const { z, y, n, d, t } = this.scalars(outputs, targets, 'fused');
    let total: Scalar = 0;
    let constant = 0;
    for (let i = 0; i < n; i++) {
      const term = this.kernel.fused(z, i * d, y, i * t);
      total = i === 0 ? term : add(total, term);
      constant += this.kernel.constant(y, i * t);
    }
    return this.reduce(constant === 0 ? total : add(total, constant), n);
  }

  // ------------------------------------------------------------------ plumbing
  private scale(n: number): number {
    return this.reduction === 'mean' ? 1 / n : 1;
  }

  private reduce(total: Scalar, n: number): Scalar {
    return this.reduction === 'mean' ? mul(total, 1 / n) : total;
  }

  private numbers(outputs: unknown, targets: unknown, api: string): { z: ArrayLike<number>; y: Float64Array; n: number; d: number; t: number } {
    const o = flattenBatch(outputs, this.kernel.outputsPerSample, 'outputs', this.kernel.describeOutputs, isNumber, `${this.name}.${api}`);
    return { z: o.values, ...this.check(o.values, o.n, o.shape, targets, api) };
  }

  private scalars(outputs: unknown, targets: unknown, api: string): { z: ArrayLike<Scalar>; y: Float64Array; n: number; d: number; t: number } {
    const o = flattenBatch(outputs, this.kernel.outputsPerSample, 'outputs', this.kernel.describeOutputs, isScalarLeaf, `${this.name}.${api}`);
    return { z: o.values, ...this.check(o.values, o.n, o.shape, targets, api) };
  }

  /** Validate targets against the outputs and every sample's domain. `targets` undefined: no targets (Fisher). */
  private check(z: ArrayLike<Scalar>, n: number, outputShape: string, targets: unknown, api: string): { y: Float64Array; n: number; d: number; t: number } {
    const k = this.kernel;
    const where = `${this.name}.${api}`;
    const d = k.outputsPerSample;
    const t = k.targetsPerSample;
    let y: Float64Array = new Float64Array(0);
    if (targets !== undefined) {
      const tf = flattenBatch(targets, t, 'targets', t === 1 ? 'one target per sample' : `${t} targets per sample`, isNumber, where);
      if (tf.n !== n) {
        throw new ShapeError('targets', `${tf.n} samples (${tf.shape})`, `${n} samples, as many as outputs (${outputShape})`, where);
      }
      y = tf.values instanceof Float64Array ? tf.values : Float64Array.from(tf.values);
      for (let j = 0; j < y.length; j++) {
        if (!Number.isFinite(y[j]!)) {
          const at = t === 1 ? `targets[${j}]` : `targets[${Math.floor(j / t)}][${j % t}]`;
          throw new DomainError(at, String(y[j]), `a finite number (sample ${Math.floor(j / t)})`, where);
        }
      }
      for (let i = 0; i < n; i++) k.checkTargets(y, i * t, i, where);
    }
    for (let i = 0; i < n; i++) k.checkOutputs(z, i * d, i, where);
    return { y, n, d, t };
  }
}

function scaleInPlace(a: Float64Array, c: number): Float64Array {
  if (c !== 1) for (let i = 0; i < a.length; i++) a[i] = a[i]! * c;
  return a;
}

// ------------------------------------------------------------------ free-function forms
/** `loss.outputHessian(outputs, targets)`: the n blocks of d×d of ∂²L/∂z² (see {@link Loss}). */
export const outputHessian = (loss: Loss, outputs: Batch<number>, targets: Batch<number>): BlockDiagonal => loss.outputHessian(outputs, targets);
/** `loss.fisher(outputs)`: the n blocks of d×d of the Fisher information (see {@link Loss}). */
export const fisher = (loss: Loss, outputs: Batch<number>): BlockDiagonal => loss.fisher(outputs);
/** `loss.fisherFactor(outputs)`: S with S·Sᵀ = fisher, blockwise (see {@link Loss}). */
export const fisherFactor = (loss: Loss, outputs: Batch<number>): BlockDiagonal => loss.fisherFactor(outputs);
/** `loss.gradient(outputs, targets)`: ∂L/∂z, length n·d (see {@link Loss}). */
export const gradient = (loss: Loss, outputs: Batch<number>, targets: Batch<number>): Float64Array => loss.gradient(outputs, targets);
