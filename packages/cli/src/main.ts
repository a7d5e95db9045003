/**
 * The `dualtape` command. Subcommands: `hessian` (an expression's exact gradient and Hessian),
 * `demo` (the main job: a heteroscedastic Gaussian regression on real data, its exact parameter
 * and output Hessians) and `loss` (one sample's output curvature for a built-in loss).
 *
 * Exit codes: 0 success; 2 bad input (one message on stderr, no stack trace unless --debug);
 * 1 an internal error.
 */
import { Command, CommanderError } from 'commander';
import { DualtapeError } from '@dualtape/core';
import { collect } from './args.js';
import { EXIT_BAD_INPUT, ExpressionSyntaxError } from './errors.js';
import { runDemo } from './demo/command.js';
import { runHessian } from './hessian/command.js';
import { runLoss } from './loss/command.js';

const VERSION = '0.1.0';

function buildProgram(write: (text: string) => void): Command {
  const program = new Command('dualtape')
    .description('Exact derivatives in TypeScript: gradients and Hessians by forward-over-reverse automatic differentiation.')
    .version(VERSION)
    .option('--debug', 'show the stack trace of an error')
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (str, write) => write(`dualtape: ${str.replace(/^error: /, '')}`) })
    .exitOverride();

  program
    .command('hessian')
    .description('value, gradient and exact Hessian of an expression, with eigenvalues and definiteness')
    .argument('<expr>', 'expression, e.g. "log(sigma) + (x-mu)^2/(2*sigma^2)"; one that begins with "-" works too, except the bare -h and -V (help, version): write "-(h)"')
    .option('--wrt <names>', 'variables to differentiate, comma-separated (default: all, in order of appearance)')
    .option('--at <name=value,...>', 'the point and the constants, e.g. x=1.3,mu=0.2,sigma=0.8 (repeatable)', collect, [])
    .option('--json', 'print exactly one JSON object {"value","wrt","gradient","hessian"}')
    .option('--trace', 'print the recorded tape: primal, tangent, adjoint and adjoint tangent per node')
    .option('--trace-format <format>', 'trace as table, dot (Graphviz) or json (implies --trace)')
    .option('--trace-file <path>', 'write the trace to a file instead of stdout (implies --trace)')
    .option('--debug', 'show the stack trace of an error')
    .addHelpText(
      'after',
      [
        '',
        'Grammar: numbers (1e-3), names, + - * /, ^ (right-associative, tighter than unary minus: -x^2 = -(x^2)),',
        '( ), exp log log1p expm1 sqrt abs sin cos tan tanh sinh cosh sigmoid softplus square pow(a,b) atan2(y,x)',
        'min(a,b) max(a,b), constants pi and e.',
        '',
        'Example:',
        '  dualtape hessian "log(sigma) + 0.5*log(2*pi) + (x-mu)^2/(2*sigma^2)" --wrt mu,sigma --at x=1.3,mu=0.2,sigma=0.8',
      ].join('\n'),
    )
    .action((expr: string, opts) => write(runHessian(expr, opts)));

  program
    .command('demo')
    .description('the main job: fit μ(x) = a + b·x, log σ(x) = c + d·x to real data by Newton with exact Hessians, and show the curvature')
    .option('--data <file.csv>', 'your own CSV file (with a header row) instead of the bundled vega-datasets cars data')
    .option('--x <column>', 'the input column (cars: Horsepower)')
    .option('--y <column>', 'the target column (cars: Miles_per_Gallon)')
    .option('--svg <out.svg>', "write heatmaps of the output Hessian's top-left 40×40 corner and of the parameter Hessian")
    .option('--json', 'print all numbers as one JSON object')
    .option('--debug', 'show the stack trace of an error')
    .action((opts) => runDemo(opts, write));

  program
    .command('loss')
    .description("one sample's output gradient, Hessian and Fisher for a built-in loss, with eigenvalues")
    .argument('<kind>', 'gaussian or squared')
    .option('--x <number>', 'the observed target')
    .option('--mu <number>', 'the predicted mean')
    .option('--sigma <number>', 'the predicted standard deviation σ > 0 (gaussian)')
    .option('--param <name>', 'gaussian outputs: sigma (μ, σ; the default), logsigma (μ, log σ), variance (μ, σ²) or natural (η₁, η₂)')
    .option('--json', 'print one JSON object')
    .option('--debug', 'show the stack trace of an error')
    .action((kind: string, opts) => write(runLoss(kind, opts)));

  return program;
}

/** Options of `hessian` that take a value, and those that do not. */
const HESSIAN_VALUE_OPTIONS = ['--wrt', '--at', '--trace-format', '--trace-file'];
const HESSIAN_FLAGS = ['--json', '--trace', '--debug', '-h', '--help', '-V', '--version'];

/**
 * An expression that starts with a minus (`-x^2`) looks like an option to any argument parser.
 * For `hessian`, when no other token is the expression, a token that starts with a single "-"
 * and is none of its options is the expression: move it behind a `--` at the end, where
 * commander reads it as the positional argument. (Unknown `--options` stay options.)
 */
export function expressionFirst(argv: readonly string[]): string[] {
  const at = argv.indexOf('hessian');
  if (at < 0 || argv.includes('--')) return [...argv];
  const out = argv.slice(0, at + 1);
  let expr: string | undefined;
  let positional = false;
  for (let i = at + 1; i < argv.length; i++) {
    const t = argv[i]!;
    const name = t.split('=')[0]!;
    if (HESSIAN_VALUE_OPTIONS.includes(name)) {
      out.push(t);
      if (!t.includes('=') && i + 1 < argv.length) out.push(argv[++i]!);
    } else if (t.startsWith('-') && !t.startsWith('--') && !HESSIAN_FLAGS.includes(t) && expr === undefined) {
      expr = t;
    } else {
      positional ||= !t.startsWith('-');
      out.push(t);
    }
  }
  return expr === undefined || positional ? [...argv] : [...out, '--', expr];
}

/** Run the CLI on `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = buildProgram((text) => process.stdout.write(text));
  try {
    await program.parseAsync(expressionFirst(argv), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message already (help and --version exit with code 0).
      return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (err instanceof ExpressionSyntaxError) {
      process.stderr.write(`dualtape: ${err.display()}\n`);
    } else if (err instanceof DualtapeError) {
      process.stderr.write(`dualtape: ${err.message}\n`);
    } else {
      process.stderr.write(`dualtape: internal error: ${(err as Error)?.message ?? String(err)}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
      if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
      return 1;
    }
    if (debug) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return EXIT_BAD_INPUT;
  }
}

// `dualtape … | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
