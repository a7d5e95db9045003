/** `dualtape demo [--data file.csv --x COL --y COL] [--svg out.svg] [--json]` */
import { writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { CliInputError } from '../errors.js';
import { toJSON } from '../format.js';
import { analyse, summarise, type DemoMatrices, type DemoResult } from './analysis.js';
import { CARS_X, CARS_Y, loadCars, loadCsv } from './data.js';
import { iterationHeader, iterationLine, renderDemo, renderHeader } from './render.js';
import { heatmapsSvg } from './svg.js';
import { PARAM_NAMES } from './model.js';

export interface DemoOptions {
  data?: string;
  x?: string;
  y?: string;
  svg?: string;
  json?: boolean;
}

const STAGES = ['Newton fit', 'parameter Hessian', 'output Hessian', 'Gauss-Newton'];

/** Run the demo, writing the report through `write` as it goes. */
export function runDemo(opts: DemoOptions, write: (text: string) => void): void {
  const started = performance.now();
  if (opts.data !== undefined && (opts.x === undefined || opts.y === undefined)) {
    throw new CliInputError('--data needs the columns too: --data file.csv --x COLUMN --y COLUMN');
  }
  const data = opts.data !== undefined ? loadCsv(opts.data, opts.x!, opts.y!) : loadCars(opts.x ?? CARS_X, opts.y ?? CARS_Y);

  // A progress bar only for people watching a terminal (stderr is a TTY), and only when the
  // report does not stream to that same terminal; never in pipes, files or CI logs.
  const bar = process.stderr.isTTY && (opts.json || !process.stdout.isTTY) ? new cliProgress.SingleBar({ stream: process.stderr, format: 'dualtape demo [{bar}] {stage}', clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(STAGES.length, 0, { stage: 'loading' });
  const onStage = (stage: string): void => bar?.update(STAGES.indexOf(stage), { stage });

  if (!opts.json) {
    write(renderHeader(summarise(data)) + '\n');
    write(iterationHeader() + '\n');
  }
  let result: DemoResult;
  let matrices: DemoMatrices;
  try {
    ({ result, matrices } = analyse(data, onStage, opts.json ? undefined : (it) => write(iterationLine(it) + '\n')));
  } finally {
    bar?.update(STAGES.length, { stage: 'done' });
    bar?.stop();
  }

  if (opts.svg !== undefined) writeSvg(opts.svg, result, matrices);
  const seconds = (performance.now() - started) / 1000;
  if (opts.json) {
    write(toJSON({ ...result, svg: opts.svg ?? null }) + '\n');
  } else {
    write(renderDemo(result, matrices) + '\n');
    if (opts.svg !== undefined) write(`\nheatmaps written to ${opts.svg}\n`);
    write(`\ndone in ${seconds.toFixed(2)} s\n`);
  }
}

/** The heatmaps: the output Hessian's top-left 40×40 corner and the 4×4 parameter Hessian. */
function writeSvg(path: string, r: DemoResult, m: DemoMatrices): void {
  const k = Math.min(40, m.outputHessian.rows);
  const labels = Array.from({ length: k }, (_, i) => `${i % 2 === 0 ? 'μ' : 'σ'}${(i >> 1) + 1}`);
  const svg = heatmapsSvg(`dualtape demo: ${r.data.x} → ${r.data.y}, ${r.data.used} samples, exact Hessians at the maximum-likelihood fit`, [
    { title: `Output Hessian ∂²L/∂o², top-left ${k}×${k} of ${m.outputHessian.rows}×${m.outputHessian.rows}`, rows: k, cols: k, get: (i, j) => m.outputHessian.get(i, j), rowLabels: labels, colLabels: labels, cell: 12 },
    { title: 'Parameter Hessian ∇²L(θ)', rows: 4, cols: 4, get: (i, j) => m.parameterHessian.get(i, j), rowLabels: PARAM_NAMES, colLabels: PARAM_NAMES, cell: 64, annotate: true },
  ]);
  try {
    writeFileSync(path, svg);
  } catch (err) {
    throw new CliInputError(`--svg ${path} cannot be written: ${(err as Error).message}`);
  }
}
