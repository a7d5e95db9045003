/** `dualtape hessian <expr> --wrt … --at … [--json] [--trace] [--trace-format table|dot|json] [--trace-file path]` */
import { writeFileSync } from 'node:fs';
import { parseAssignments, parseNames } from '../args.js';
import { CliInputError } from '../errors.js';
import { fmt, indent, table, toJSON } from '../format.js';
import { analyse, makeProblem, type HessianReport, type Problem } from './problem.js';
import { traceDot, traceProblem, traceTable } from './trace.js';

export interface HessianOptions {
  wrt?: string;
  at?: string[];
  json?: boolean;
  trace?: boolean;
  traceFormat?: string;
  traceFile?: string;
}

const TRACE_FORMATS = ['table', 'dot', 'json'] as const;

/** Run the command; returns the text for stdout. */
export function runHessian(expr: string, opts: HessianOptions): string {
  const format = opts.traceFormat ?? 'table';
  if (!(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new CliInputError(`--trace-format is ${JSON.stringify(format)}; expected one of ${TRACE_FORMATS.join(', ')}`);
  }
  const wantTrace = opts.trace === true || opts.traceFormat !== undefined || opts.traceFile !== undefined;
  if (wantTrace && opts.json && opts.traceFile === undefined) {
    throw new CliInputError('--json prints exactly one JSON object on stdout; write the trace to a file with --trace-file <path>');
  }
  const wrt = opts.wrt === undefined ? undefined : parseNames(opts.wrt, '--wrt');
  const at = parseAssignments(opts.at ?? [], '--at');
  const problem = makeProblem(expr, wrt, at);
  const report = analyse(problem);

  const out: string[] = [];
  // A dot or json trace on stdout is printed alone, so that it can be piped to Graphviz or a viewer.
  const traceAlone = wantTrace && format !== 'table' && opts.traceFile === undefined;
  if (!traceAlone) out.push(opts.json ? toJSON({ value: report.value, wrt: report.wrt, gradient: report.gradient, hessian: report.hessian }) : renderReport(problem, report));
  if (wantTrace) {
    if (problem.wrt.length === 0) throw new CliInputError('--trace needs at least one --wrt variable to seed the tangents');
    const t = traceProblem(problem);
    const text = format === 'dot' ? traceDot(t) : format === 'json' ? toJSON(t) : traceTable(t);
    if (opts.traceFile !== undefined) {
      try {
        writeFileSync(opts.traceFile, text + '\n');
      } catch (err) {
        throw new CliInputError(`--trace-file ${opts.traceFile} cannot be written: ${(err as Error).message}`);
      }
      if (!opts.json) out.push(`trace (${format}) written to ${opts.traceFile}`);
    } else out.push(...(out.length > 0 ? [''] : []), text);
  }
  return out.join('\n') + '\n';
}

/** The human-readable report: point, value, gradient, Hessian, eigenvalues, definiteness. */
export function renderReport(p: Problem, r: HessianReport): string {
  const lines: string[] = [];
  lines.push(`f = ${p.program.source.trim()}`);
  const point = p.wrt.map((n, i) => `${n} = ${fmt(p.x[i]!)}`).join(', ');
  const consts = [...p.constants].map(([n, v]) => `${n} = ${fmt(v)}`).join(', ');
  lines.push(`at ${point || '(no variables)'}${consts ? `   (constants: ${consts})` : ''}`);
  lines.push('');
  lines.push(`value  ${fmt(r.value)}`);
  if (Number.isNaN(r.value)) {
    lines.push(
      'note   the value is NaN: the point is outside the domain of the expression (e.g. log of a negative).',
      '       The derivatives below are the rules evaluated there (d/dx log x = 1/x), as in JAX and PyTorch; read them with care.',
    );
  }
  if (r.wrt.length === 0) {
    lines.push('', 'no --wrt variables: nothing to differentiate');
    return lines.join('\n');
  }
  lines.push('', 'gradient', indent(table(r.gradient.map((g) => [g]), undefined, r.wrt)));
  lines.push('', 'Hessian', indent(table(r.hessian, r.wrt, r.wrt)));
  lines.push('', `eigenvalues  ${r.eigenvalues.map((e) => fmt(e)).join(', ')}`);
  lines.push(`the Hessian is ${r.definiteness}`);
  return lines.join('\n');
}
