/**
 * The four workloads of issue 5 as {@link Problem}s, built from @dualtape/zoo with fixed seeds.
 *   W1 Gaussian NLL over n samples, variables μ (n) and σ (n): 2n variables.
 *   W2 extended Rosenbrock over n variables (also W3, its HVP at n = 10⁴, 10⁵).
 *   W4 MLP 1-16-16-2 (tanh), Gaussian NLL over 400 samples: 338 parameters.
 */
import { Random, type Scalar } from '@dualtape/core';
import {
  gaussianNLL,
  gaussianNLLGradient,
  gaussianNLLHessian,
  gaussianNLLHvp,
  gaussianNLLPlain,
  mlpGaussianLoss,
  mlpGaussianLossGradient,
  mlpGaussianLossHessian,
  mlpGaussianLossHvp,
  mlpGaussianLossPlain,
  mlpParameterCount,
  mlpProblem,
  rosenbrock,
  rosenbrockGradient,
  rosenbrockHessian,
  rosenbrockHvp,
  rosenbrockPlain,
} from '@dualtape/zoo';
import type { Problem } from './problem.js';

/** W1: n samples xᵢ ~ N(0, 1), μᵢ ~ 0.3·N(0, 1), σᵢ ~ U(0.5, 1.5); seed 11. */
export function gaussianProblem(n: number): Problem<{ mu: Float64Array; sigma: Float64Array }> {
  const rng = new Random(11);
  const data = rng.normals(n);
  const mu = Float64Array.from({ length: n }, () => 0.3 * rng.normal());
  const sigma = Float64Array.from({ length: n }, () => 0.5 + rng.uniform());
  const vFlat = rng.normals(2 * n);
  return {
    id: `W1 n=${n}`,
    title: `W1 Gaussian NLL, n = ${n} samples (2n = ${2 * n} variables μ, σ)`,
    kind: 'gaussian',
    n: 2 * n,
    f: (p) => gaussianNLL(p, data),
    x: { mu, sigma },
    fFlat: (p: Scalar[]) => gaussianNLL({ mu: p.slice(0, n), sigma: p.slice(n) }, data),
    xFlat: Float64Array.from([...mu, ...sigma]),
    vFlat,
    plain: () => gaussianNLLPlain(mu, sigma, data),
    closed: {
      gradient: () => gaussianNLLGradient(mu, sigma, data),
      hvp: () => gaussianNLLHvp(mu, sigma, data, vFlat),
      hessian: () => gaussianNLLHessian(mu, sigma, data),
    },
    data: { x: data },
  };
}

/** W2/W3: the standard start (−1.2, 1, −1.2, 1, …) plus 0.1·N(0, 1) noise; seed 12. */
export function rosenbrockProblem(n: number, id = `W2 n=${n}`): Problem<Float64Array> {
  const rng = new Random(12);
  const x = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1) + 0.1 * rng.normal());
  const vFlat = rng.normals(n);
  return {
    id,
    title: `${id.split(' ')[0]} extended Rosenbrock, n = ${n}`,
    kind: 'rosenbrock',
    n,
    f: rosenbrock,
    x,
    fFlat: rosenbrock,
    xFlat: x,
    vFlat,
    plain: () => rosenbrockPlain(x),
    closed: {
      gradient: () => rosenbrockGradient(x),
      hvp: () => rosenbrockHvp(x, vFlat),
      hessian: () => rosenbrockHessian(x),
    },
  };
}

/** W4: mlpProblem(samples, seed 7) of the zoo; direction seed 13. */
export function mlpWorkload(samples = 400): Problem<Float64Array> {
  const { theta, data } = mlpProblem(samples);
  const vFlat = new Random(13).normals(mlpParameterCount());
  const f = (t: Scalar[]): Scalar => mlpGaussianLoss(t, data);
  return {
    id: `W4 ${samples} samples`,
    title: `W4 MLP 1-16-16-2 tanh, Gaussian NLL (μ, log σ) over ${samples} samples (${theta.length} parameters)`,
    kind: 'mlp',
    n: theta.length,
    f,
    x: theta,
    fFlat: f,
    xFlat: theta,
    vFlat,
    plain: () => mlpGaussianLossPlain(theta, data),
    closed: {
      gradient: () => mlpGaussianLossGradient(theta, data),
      hvp: () => mlpGaussianLossHvp(theta, data, vFlat),
      hessian: () => mlpGaussianLossHessian(theta, data),
    },
    data,
  };
}
