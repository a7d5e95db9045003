// Placeholder until the CLI lands: prints the exact Gaussian NLL Hessian at the seed point.
import { add, div, hessian, log, mul, square, sub, valueAndGrad, type Scalar } from '@dualtape/core';

type P = { mu: Scalar; sigma: Scalar };
const x = 1.3;
const nll = (p: P): Scalar => add(add(log(p.sigma), 0.5 * Math.log(2 * Math.PI)), div(square(sub(x, p.mu)), mul(2, square(p.sigma))));
const at = { mu: 0.2, sigma: 0.8 };
console.log('Gaussian NLL at x = 1.3, μ = 0.2, σ = 0.8');
console.log(valueAndGrad(nll, at));
console.log(hessian(nll, at).toArray());
