/**
 * `dualtape loss gaussian --x 1.3 --mu 0.2 --sigma 0.8 [--param sigma|logsigma|variance|natural] [--json]`
 * `dualtape loss squared --x 1.3 --mu 0.2 [--json]`
 *
 * One sample's loss: its gradient, Hessian and Fisher with respect to the outputs, with
 * eigenvalues, from the closed forms of @dualtape/losses — and the Hessian again from the
 * engine (forward-over-reverse through the loss's composed form) as a cross-check.
 */
import { hessian, type Scalar } from '@dualtape/core';
import { gaussianNLL, squaredLoss, type GaussianParameterisation, type Loss } from '@dualtape/losses';
import { parseNumber } from '../args.js';
import { CliInputError } from '../errors.js';
import { fmt, indent, table, toJSON } from '../format.js';
import { definiteness, symmetricEigenvalues } from '../linalg.js';

export interface LossOptions {
  x?: string;
  mu?: string;
  sigma?: string;
  param?: string;
  json?: boolean;
}

/** `--param` spellings → the parameterisation of @dualtape/losses. */
const PARAMS: Readonly<Record<string, GaussianParameterisation>> = { sigma: 'sigma', logsigma: 'logSigma', variance: 'variance', natural: 'natural' };

/** The outputs (a, b) of parameterisation `p` for a Gaussian with mean μ and standard deviation σ. */
function gaussianOutputs(p: GaussianParameterisation, mu: number, sigma: number): [number, number] {
  switch (p) {
    case 'sigma':
      return [mu, sigma];
    case 'logSigma':
      return [mu, Math.log(sigma)];
    case 'variance':
      return [mu, sigma * sigma];
    case 'natural':
      return [mu / (sigma * sigma), -1 / (2 * sigma * sigma)]; // η₁ = μ/σ², η₂ = −1/(2σ²)
    default:
      throw new CliInputError(`unknown parameterisation ${String(p)}`);
  }
}

const required = (v: string | undefined, option: string, example: string): string => {
  if (v === undefined) throw new CliInputError(`${option} is required, e.g. ${option} ${example}`);
  return v;
};

/** Run the command; returns the text for stdout. */
export function runLoss(kind: string, opts: LossOptions): string {
  const x = parseNumber(required(opts.x, '--x', '1.3'), '--x');
  const mu = parseNumber(required(opts.mu, '--mu', '0.2'), '--mu');
  let loss: Loss;
  let outputs: number[];
  let names: string[];
  if (kind === 'gaussian') {
    const sigma = parseNumber(required(opts.sigma, '--sigma', '0.8'), '--sigma');
    if (!(sigma > 0)) throw new CliInputError(`--sigma is ${opts.sigma}; expected σ > 0 (a standard deviation)`);
    const key = (opts.param ?? 'sigma').toLowerCase();
    const p = PARAMS[key];
    if (p === undefined) throw new CliInputError(`--param is ${JSON.stringify(opts.param)}; expected one of ${Object.keys(PARAMS).join(', ')}`);
    loss = gaussianNLL({ parameterisation: p, full: true });
    outputs = gaussianOutputs(p, mu, sigma);
    names = p === 'natural' ? ['eta1', 'eta2'] : ['mu', p === 'sigma' ? 'sigma' : p === 'logSigma' ? 'logsigma' : 'variance'];
  } else if (kind === 'squared') {
    if (opts.sigma !== undefined || opts.param !== undefined) throw new CliInputError('loss squared takes --x and --mu only (½(x − μ)²)');
    loss = squaredLoss();
    outputs = [mu];
    names = ['mu'];
  } else {
    throw new CliInputError(`loss ${JSON.stringify(kind)} is not built in; expected gaussian or squared`);
  }

  const d = outputs.length;
  const value = loss.value([outputs], [x]);
  const gradient = Array.from(loss.gradient([outputs], [x]));
  const H = loss.outputHessian([outputs], [x]).block(0);
  const F = loss.fisher([outputs]).block(0);
  const engine = hessian((o: Scalar[]) => loss.composed([o], [x]), outputs);
  let engineDiff = 0;
  for (let k = 0; k < d * d; k++) engineDiff = Math.max(engineDiff, Math.abs(engine.data[k]! - H.data[k]!));
  const hEig = Array.from(symmetricEigenvalues(H.data, d));
  const fEig = Array.from(symmetricEigenvalues(F.data, d));

  if (opts.json) {
    return (
      toJSON({
        loss: loss.name,
        x,
        outputNames: names,
        outputs,
        value,
        gradient,
        hessian: H.toArray(),
        hessianEigenvalues: hEig,
        fisher: F.toArray(),
        fisherEigenvalues: fEig,
        engineHessian: engine.toArray(),
      }) + '\n'
    );
  }
  const lines = [
    `${loss.name} at x = ${fmt(x)}, outputs (${names.join(', ')}) = (${outputs.map((v) => fmt(v)).join(', ')})`,
    '',
    `value  ${fmt(value)}`,
    '',
    'gradient with respect to the outputs',
    indent(table(gradient.map((g) => [g]), undefined, names)),
    '',
    'Hessian (closed form)',
    indent(table(H.toArray(), names, names)),
    `  eigenvalues  ${hEig.map((e) => fmt(e)).join(', ')}   → ${definiteness(hEig)}`,
    '',
    'Fisher information (expected Hessian under the model)',
    indent(table(F.toArray(), names, names)),
    `  eigenvalues  ${fEig.map((e) => fmt(e)).join(', ')}   → ${definiteness(fEig)}`,
    '',
    `engine (forward-over-reverse through the composed loss) vs closed form: max |ΔH| = ${engineDiff === 0 ? '0' : engineDiff.toExponential(2)}`,
  ];
  return lines.join('\n') + '\n';
}
