/**
 * TensorFlow.js peer: @tensorflow/tfjs with its pure-JavaScript `cpu` backend (float32 only).
 *
 * - gradient: `tf.grad(f)`;
 * - HVP: reverse-over-reverse, `tf.grad(x => Σ tf.grad(f)(x) ⊙ v)`;
 * - Hessian: TF.js has no jacobian or vmap, so B columns are taken per nested-gradient call by
 *   stacking B copies of x as the rows of X (B×n), writing f row-wise, and differentiating
 *   ⟨∇f(X), E⟩ where the rows of E are unit vectors: row k of the result is H·e_{c₀+k}. B is
 *   capped so one B×n (B×16×samples for the MLP) float32 tensor stays ≤ 8 MiB.
 */
import * as tf from '@tensorflow/tfjs';
import type { Case } from '../lib/harness.js';
import type { Problem } from '../workloads/problem.js';
import { referenceOf, type Peer } from './peer.js';
import { MLP_SIZES } from '@dualtape/zoo';

/** f applied to each row of X (B×n), returning the B values. */
type RowWise = (X: tf.Tensor2D) => tf.Tensor1D;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const MAX_ELEMENTS = 2 ** 21;
/** TF.js takes Float32Array (not Float64Array) data: the inputs are rounded to float32 here. */
const f32 = (a: ArrayLike<number>): Float32Array => Float32Array.from(a);

function gaussianRows(p: Problem): RowWise {
  const n = p.n / 2;
  const data = tf.tensor2d(f32(p.data!.x), [1, n]);
  return (X) => {
    const mu = X.slice([0, 0], [-1, n]);
    const sigma = X.slice([0, n], [-1, n]);
    const r = data.sub(mu);
    return sigma.log().add(HALF_LOG_2PI).add(r.square().div(sigma.square().mul(2))).sum(1) as tf.Tensor1D;
  };
}

function rosenbrockRows(p: Problem): RowWise {
  const n = p.n;
  return (X) => {
    const a = X.slice([0, 0], [-1, n - 1]);
    const b = X.slice([0, 1], [-1, n - 1]);
    return b.sub(a.square()).square().mul(100).add(tf.scalar(1).sub(a).square()).sum(1) as tf.Tensor1D;
  };
}

/** The MLP of zoo/mlp.ts, batched over parameter rows: layer l maps [B, nIn, S] → [B, nOut, S]. */
function mlpRows(p: Problem): RowWise {
  const S = p.data!.x.length;
  const xs = tf.tensor3d(f32(p.data!.x), [1, 1, S]);
  const ys = tf.tensor2d(f32(p.data!.y!), [1, S]);
  return (X) => {
    const B = X.shape[0];
    let h: tf.Tensor3D = xs.tile([B, 1, 1]);
    let off = 0;
    for (let l = 0; l + 1 < MLP_SIZES.length; l++) {
      const nIn = MLP_SIZES[l]!;
      const nOut = MLP_SIZES[l + 1]!;
      const W = X.slice([0, off], [-1, nIn * nOut]).reshape([B, nOut, nIn]) as tf.Tensor3D;
      const b = X.slice([0, off + nIn * nOut], [-1, nOut]).reshape([B, nOut, 1]) as tf.Tensor3D;
      off += nIn * nOut + nOut;
      const a = tf.matMul(W, h).add(b) as tf.Tensor3D;
      h = l + 2 < MLP_SIZES.length ? a.tanh() : a;
    }
    const mu = h.slice([0, 0, 0], [-1, 1, -1]).reshape([B, S]);
    const s = h.slice([0, 1, 0], [-1, 1, -1]).reshape([B, S]);
    return s.add(ys.sub(mu).square().mul(s.mul(-2).exp()).mul(0.5)).sum(1) as tf.Tensor1D;
  };
}

function rowsOf(p: Problem): RowWise {
  return p.kind === 'gaussian' ? gaussianRows(p) : p.kind === 'rosenbrock' ? rosenbrockRows(p) : mlpRows(p);
}

/** Columns per nested-gradient call of the Hessian. */
function batchOf(p: Problem): number {
  const perRow = p.kind === 'mlp' ? Math.max(...MLP_SIZES) * p.data!.x.length : p.n;
  const cap = Math.max(1, Math.floor(MAX_ELEMENTS / perRow));
  return Math.ceil(p.n / Math.ceil(p.n / cap)); // balanced chunks
}

export const tfjsPeer: Peer = {
  label: `tfjs ${tf.version.tfjs} (cpu, f32)`,
  async init() {
    const ok = await tf.setBackend('cpu');
    return ok ? null : 'the cpu backend did not initialise';
  },
  cases(p, tasks) {
    const f = rowsOf(p);
    const n = p.n;
    const X1 = tf.tensor2d(f32(p.xFlat), [1, n]);
    const V1 = tf.tensor2d(f32(p.vFlat), [1, n]);
    const g = tf.grad((X: tf.Tensor) => f(X as tf.Tensor2D).sum()) as (X: tf.Tensor) => tf.Tensor2D;
    // reverse-over-reverse: the gradient of ⟨∇f(X), E⟩ is H·Eᵀ row by row
    const hvpRows = (E: tf.Tensor2D) => tf.grad((X: tf.Tensor) => g(X).mul(E).sum());
    const label = this.label;
    const out: Case[] = [];
    if (tasks.includes('gradient')) {
      out.push({ task: 'gradient', impl: label, run: () => tf.tidy(() => g(X1).dataSync()), reference: referenceOf(p, 'gradient') });
    }
    if (tasks.includes('hvp')) {
      const hv = hvpRows(V1);
      out.push({ task: 'hvp', impl: label, run: () => tf.tidy(() => hv(X1).dataSync()), reference: referenceOf(p, 'hvp') });
    }
    if (tasks.includes('hessian')) {
      const B = batchOf(p);
      out.push({
        task: 'hessian',
        impl: label,
        note: `nested tf.grad, ${B} columns per call (${Math.ceil(n / B)} call${n > B ? 's' : ''})`,
        run: () => {
          const H = new Float32Array(n * n);
          for (let c0 = 0; c0 < n; c0 += B) {
            const w = Math.min(B, n - c0);
            const cols = tf.tidy(() => {
              const E = tf.oneHot(tf.range(c0, c0 + w, 1, 'int32'), n).toFloat() as tf.Tensor2D;
              return hvpRows(E)(X1.tile([w, 1])).dataSync();
            });
            for (let k = 0; k < w; k++) for (let i = 0; i < n; i++) H[i * n + c0 + k] = cols[k * n + i]!;
          }
          return H;
        },
        reference: referenceOf(p, 'hessian'),
      });
    }
    return out;
  },
};
