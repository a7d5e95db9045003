/**
 * jax-js peer: @jax-js/jax on its WebAssembly backend, float64, every transformation jitted.
 *
 * - gradient: `jit(grad(f))`;
 * - HVP: forward-over-reverse, `jit((x, v) => jvp(grad(f), [x], [v])[1])`;
 * - Hessian: `jit(hessian(f))` (jacfwd of grad, vmapped over the n unit tangents).
 * jax-js's `hessian` takes a single 1-D array, so W1's (μ, σ) are concatenated into one vector
 * and sliced inside f. Arrays are reference-counted: every second use of a value takes `.ref`.
 */
import './jax-shim.js';
import { defaultDevice, grad, hessian, init, jit, jvp, numpy as np } from '@jax-js/jax';
import { MLP_SIZES } from '@dualtape/zoo';
import type { Case } from '../lib/harness.js';
import type { Problem } from '../workloads/problem.js';
import { referenceOf, type Peer } from './peer.js';

type Fn = (x: np.Array) => np.Array;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const f64 = (a: ArrayLike<number>, shape?: number[]): np.Array => {
  const arr = np.array(Float64Array.from(a as ArrayLike<number>), { dtype: np.float64 });
  return shape ? arr.reshape(shape) : arr;
};

function gaussian(p: Problem): Fn {
  const n = p.n / 2;
  const data = f64(p.data!.x);
  return (x) => {
    const mu = x.ref.slice([0, n]);
    const sigma = x.slice([n, 2 * n]);
    const r = data.ref.sub(mu);
    const quad = r.ref.mul(r).div(sigma.ref.mul(sigma.ref).mul(2));
    return np.log(sigma).add(HALF_LOG_2PI).add(quad).sum();
  };
}

function rosenbrock(p: Problem): Fn {
  const n = p.n;
  return (x) => {
    const a = x.ref.slice([0, n - 1]);
    const b = x.slice([1, n]);
    const d = b.sub(a.ref.mul(a.ref));
    return d.ref.mul(d).mul(100).add(np.square(np.subtract(1, a))).sum();
  };
}

function mlp(p: Problem): Fn {
  const S = p.data!.x.length;
  const xs = f64(p.data!.x, [1, S]);
  const ys = f64(p.data!.y!);
  return (theta) => {
    let h = xs.ref;
    let off = 0;
    for (let l = 0; l + 1 < MLP_SIZES.length; l++) {
      const nIn = MLP_SIZES[l]!;
      const nOut = MLP_SIZES[l + 1]!;
      const W = theta.ref.slice([off, off + nIn * nOut]).reshape([nOut, nIn]);
      const b = theta.ref.slice([off + nIn * nOut, off + nIn * nOut + nOut]).reshape([nOut, 1]);
      off += nIn * nOut + nOut;
      const a = np.matmul(W, h).add(b);
      h = l + 2 < MLP_SIZES.length ? np.tanh(a) : a;
    }
    theta.dispose();
    const mu = h.ref.slice([0, 1]).reshape([S]);
    const s = h.slice([1, 2]).reshape([S]);
    const r = ys.ref.sub(mu);
    return s.ref.add(r.ref.mul(r).mul(np.exp(s.mul(-2))).mul(0.5)).sum();
  };
}

function fnOf(p: Problem): Fn {
  return p.kind === 'gaussian' ? gaussian(p) : p.kind === 'rosenbrock' ? rosenbrock(p) : mlp(p);
}

export const jaxPeer: Peer = {
  label: 'jax-js 0.1.25 (wasm, jit, f64)',
  async init() {
    // init() with no argument also probes WebGPU, which needs `navigator` (absent in Node).
    const devices = await init('wasm');
    if (!devices.includes('wasm')) return 'the wasm backend did not initialise';
    defaultDevice('wasm');
    return null;
  },
  cases(p, tasks) {
    const f = fnOf(p);
    const x = f64(p.xFlat);
    const v = f64(p.vFlat);
    const label = this.label;
    const out: Case[] = [];
    if (tasks.includes('gradient')) {
      const g = jit(grad(f));
      out.push({ task: 'gradient', impl: label, compiles: true, run: () => g(x.ref).dataSync(), reference: referenceOf(p, 'gradient') });
    }
    if (tasks.includes('hvp')) {
      const hv = jit((x0: np.Array, v0: np.Array) => {
        const [gx, hvx] = jvp(grad(f), [x0], [v0]);
        gx.dispose();
        return hvx;
      });
      out.push({ task: 'hvp', impl: label, compiles: true, run: () => hv(x.ref, v.ref).dataSync(), reference: referenceOf(p, 'hvp') });
    }
    if (tasks.includes('hessian')) {
      const H = jit(hessian(f));
      out.push({ task: 'hessian', impl: label, compiles: true, run: () => H(x.ref).dataSync(), reference: referenceOf(p, 'hessian') });
    }
    return out;
  },
};
