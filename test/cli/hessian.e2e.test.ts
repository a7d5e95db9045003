/**
 * `dualtape hessian` end to end: the built CLI as a child process.
 */
import { describe, expect, it } from 'vitest';
import { dualtape, num } from './run.js';

const SEED = 'log(sigma) + 0.5*log(2*pi) + (x-mu)^2/(2*sigma^2)';
const SEED_AT = 'x=1.3,mu=0.2,sigma=0.8';

/**
 * Relative tolerance against exact closed forms: each entry is a chain of ~15 rounded
 * operations, so its error is a few ulps; 1e-14 ≈ 45 ulps leaves margin and still catches any
 * wrong formula.
 */
const EXACT = 1e-14;
const close = (got: number, want: number, rel = EXACT) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)));

function json(args: string[]): { value: number; wrt: string[]; gradient: number[]; hessian: number[][] } {
  const r = dualtape(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1); // exactly one JSON object
  const o = JSON.parse(lines[0]!);
  expect(Object.keys(o)).toEqual(['value', 'wrt', 'gradient', 'hessian']);
  return { value: num(o.value), wrt: o.wrt, gradient: o.gradient.map(num), hessian: o.hessian.map((r: unknown[]) => r.map(num)) };
}

describe('dualtape hessian --json', () => {
  it("gives the seed's exact Gaussian NLL gradient and Hessian", () => {
    const o = json(['hessian', SEED, '--wrt', 'mu,sigma', '--at', SEED_AT, '--json']);
    expect(o.wrt).toEqual(['mu', 'sigma']);
    // closed form: r = x − μ = 1.1; value log σ + ½log 2π + r²/(2σ²)
    close(o.value, Math.log(0.8) + 0.5 * Math.log(2 * Math.PI) + 1.21 / 1.28);
    close(o.gradient[0]!, -1.71875); // −r/σ²
    close(o.gradient[1]!, -1.11328125); // 1/σ − r²/σ³
    close(o.hessian[0]![0]!, 1.5625); // 1/σ²
    close(o.hessian[0]![1]!, 4.296875); // 2r/σ³
    close(o.hessian[1]![0]!, 4.296875);
    close(o.hessian[1]![1]!, 7.2998046875); // 3r²/σ⁴ − 1/σ²
  });

  it('orders gradient and Hessian as --wrt does, and takes the other variables from --at as constants', () => {
    const o = json(['hessian', SEED, '--wrt', 'sigma,mu', '--at', 'x=1.3', '--at', 'mu=0.2,sigma=0.8', '--json']);
    expect(o.wrt).toEqual(['sigma', 'mu']);
    close(o.gradient[0]!, -1.11328125);
    close(o.hessian[0]![0]!, 7.2998046875);
    close(o.hessian[0]![1]!, 4.296875);
  });

  it('differentiates every variable, in order of appearance, when --wrt is omitted', () => {
    const o = json(['hessian', 'x*y^2', '--at', 'y=3,x=2', '--json']);
    expect(o.wrt).toEqual(['x', 'y']);
    expect(o.gradient).toEqual([9, 12]);
    expect(o.hessian).toEqual([[0, 6], [6, 4]]);
  });

  it('writes non-finite numbers as the strings "NaN", "Infinity", "-Infinity"', () => {
    const r = dualtape(['hessian', 'log(x) + y/z', '--wrt', 'x,z', '--at', 'x=-1,y=1,z=0', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.value).toBe('NaN'); // log(−1)
    expect(o.gradient[1]).toBe('-Infinity'); // −y/z² at z = 0
    expect(o.hessian[1][1]).toBe('Infinity'); // 2y/z³ at z = +0
  });

  /**
   * The grammar's mapping to core's operations, checked against hand-written JavaScript
   * functions: the value to 1e-14 and the Hessian against central second differences with
   * h = 1e-4. Their error is O(h²)·|f⁗| ≈ 1e-8 plus rounding 4·eps·|f|/h² ≈ 1e-7 for |f| ≈ 10,
   * so 2e-6·max(1, |f|, |H|) is a safe bound that still catches a wrong sign or factor.
   */
  const cases: [string, (a: number, b: number) => number, [number, number]][] = [
    ['exp(a*b) - log(a) + log1p(b^2) + expm1(-a)', (a, b) => Math.exp(a * b) - Math.log(a) + Math.log1p(b ** 2) + Math.expm1(-a), [0.7, -0.4]],
    ['sqrt(a^2 + b^2) * abs(a - 3*b) + sin(a)*cos(b) + tan(a/2)', (a, b) => Math.sqrt(a * a + b * b) * Math.abs(a - 3 * b) + Math.sin(a) * Math.cos(b) + Math.tan(a / 2), [0.7, -0.4]],
    ['tanh(a-b) + sigmoid(2*a*b) + softplus(b - a) + square(a + b) + sinh(b) * cosh(a)', (a, b) => Math.tanh(a - b) + 1 / (1 + Math.exp(-2 * a * b)) + Math.log1p(Math.exp(b - a)) + (a + b) ** 2 + Math.sinh(b) * Math.cosh(a), [0.7, -0.4]],
    ['pow(a, b) + atan2(b, a) + min(a, 2*b) + max(a^2, b) + pi*e', (a, b) => a ** b + Math.atan2(b, a) + Math.min(a, 2 * b) + Math.max(a * a, b) + Math.PI * Math.E, [1.7, 0.6]],
    [' -a^2^b / (1 + b^2) + 2^-a - -b', (a, b) => -(a ** (2 ** b)) / (1 + b * b) + 2 ** -a + b, [1.3, 0.8]],
  ];
  it.each(cases)('%s matches a hand-written function and central differences', (expr, f, [a, b]) => {
    const o = json(['hessian', expr, '--wrt', 'a,b', '--at', `a=${a},b=${b}`, '--json']);
    close(o.value, f(a, b));
    const h = 1e-4;
    const x = [a, b];
    const at = (d: number[]) => f(x[0]! + d[0]!, x[1]! + d[1]!);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const e = (k: number, s: number) => [k === 0 ? s : 0, k === 1 ? s : 0];
        const add = (u: number[], v: number[]) => [u[0]! + v[0]!, u[1]! + v[1]!];
        const fd = (at(add(e(i, h), e(j, h))) - at(add(e(i, h), e(j, -h))) - at(add(e(i, -h), e(j, h))) + at(add(e(i, -h), e(j, -h)))) / (4 * h * h);
        const H = o.hessian[i]![j]!;
        expect(Math.abs(H - fd)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(f(a, b)), Math.abs(H)));
      }
    }
    // H is symmetric up to rounding (the two entries come from different sweeps)
    expect(Math.abs(o.hessian[0]![1]! - o.hessian[1]![0]!)).toBeLessThanOrEqual(EXACT * Math.max(1, Math.abs(o.hessian[0]![1]!)));
  });

  it('reads -x^2 as -(x^2), 2^3^2 as 512 and 1e-3 as a number', () => {
    expect(json(['hessian', ' -x^2', '--at', 'x=3', '--json'])).toMatchObject({ value: -9, gradient: [-6], hessian: [[-2]] });
    // an expression that begins with "-" is recognised as the expression, before or after the options
    expect(json(['hessian', '-x^2', '--at', 'x=3', '--json'])).toMatchObject({ value: -9, gradient: [-6], hessian: [[-2]] });
    expect(json(['hessian', '--at', 'x=3', '-x^2*y', '--wrt', 'x', '--at', 'y=2', '--json'])).toMatchObject({ value: -18, gradient: [-12], hessian: [[-4]] });
    expect(json(['hessian', '2^3^2 + 1e-3*x', '--at', 'x=1', '--json'])).toMatchObject({ value: 512.001, gradient: [0.001] });
  });

  it('parses a 10⁵-character expression without overflowing the stack', () => {
    const terms = 25_000; // 'x*y' joined by '+': 4·25000 − 1 = 99 999 characters
    const long = Array.from({ length: terms }, () => 'x*y').join('+');
    expect(long.length).toBe(99_999);
    const o = json(['hessian', long, '--wrt', 'x,y', '--at', 'x=2,y=3', '--json']);
    expect(o.value).toBe(6 * terms);
    expect(o.gradient).toEqual([3 * terms, 2 * terms]);
    expect(o.hessian).toEqual([[0, terms], [terms, 0]]);
    const signs = json(['hessian', ' ' + '-'.repeat(99_997) + 'x^2', '--at', 'x=3', '--json']); // odd count: −x²
    expect(signs).toMatchObject({ value: -9, gradient: [-6], hessian: [[-2]] });
    const tower = json(['hessian', Array.from({ length: 40_000 }, () => 'x').join('^'), '--at', 'x=1', '--json']);
    expect(tower.value).toBe(1);
  });
});

describe('dualtape hessian: human-readable output', () => {
  it('prints aligned tables with names, eigenvalues and the definiteness', () => {
    const r = dualtape(['hessian', SEED, '--wrt', 'mu,sigma', '--at', SEED_AT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gradient');
    expect(r.stdout).toMatch(/^ {2}mu {7}1\.5625 {5}4\.296875$/m);
    expect(r.stdout).toMatch(/^ {2}sigma {2}4\.296875 {2}7\.29980468\d*$/m);
    // eigenvalues of [[1.5625, 4.296875], [4.296875, 7.2998046875]]: (t ± √(t² − 4d))/2
    const t = 1.5625 + 7.2998046875;
    const d = 1.5625 * 7.2998046875 - 4.296875 ** 2;
    const lo = (t - Math.sqrt(t * t - 4 * d)) / 2;
    const hi = (t + Math.sqrt(t * t - 4 * d)) / 2;
    const eig = /eigenvalues {2}(\S+), (\S+)/.exec(r.stdout)!;
    expect(Number(eig[1])).toBeCloseTo(lo, 8);
    expect(Number(eig[2])).toBeCloseTo(hi, 8);
    expect(r.stdout).toContain('the Hessian is indefinite');
  });

  it('says positive definite, negative definite, semidefinite', () => {
    expect(dualtape(['hessian', 'x^2 + x*y + y^2', '--at', 'x=1,y=2']).stdout).toContain('is positive definite');
    expect(dualtape(['hessian', ' -x^2 - y^2', '--at', 'x=1,y=2']).stdout).toContain('is negative definite');
    // outside the domain: the value is NaN and the report says how to read the derivatives
    const out = dualtape(['hessian', 'log(x)', '--at', 'x=-1']).stdout;
    expect(out).toContain('the value is NaN');
    expect(out).toMatch(/gradient[\s\S]*-1/);
    expect(dualtape(['hessian', '(x+y)^2', '--at', 'x=1,y=2']).stdout).toContain('is positive semidefinite');
  });
});

describe('dualtape hessian --trace', () => {
  it('the json trace holds the sweeps: input adjoints = gradient, input adjoint tangents = first Hessian column', () => {
    const o = json(['hessian', SEED, '--wrt', 'mu,sigma', '--at', SEED_AT, '--json']);
    const r = dualtape(['hessian', SEED, '--wrt', 'mu,sigma', '--at', SEED_AT, '--trace-format', 'json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.direction).toBe('mu');
    const [mu, sigma] = t.nodes;
    expect([mu.name, mu.op, sigma.name]).toEqual(['mu', 'input', 'sigma']);
    expect([mu.tangent, sigma.tangent]).toEqual([1, 0]); // seed e_mu
    expect([mu.adjoint, sigma.adjoint]).toEqual(o.gradient);
    expect([mu.adjointTangent, sigma.adjointTangent]).toEqual([o.hessian[0]![0], o.hessian[1]![0]]);
    const out = t.nodes[t.output];
    expect(out.primal).toBe(o.value);
    expect(out.adjoint).toBe(1);
    // every argument refers to an earlier node (topological order), with one partial per argument
    for (const nd of t.nodes) {
      expect(nd.args.every((a: number) => a < nd.index)).toBe(true);
      expect(nd.partials).toHaveLength(nd.args.length);
    }
    // the tangent of the output is the directional derivative ∂f/∂mu
    expect(out.tangent).toBeCloseTo(o.gradient[0]!, 14);
  });

  it('prints a table with one row per node and exports Graphviz dot', () => {
    const table = dualtape(['hessian', 'x*y + exp(x)', '--at', 'x=0,y=2', '--trace']);
    expect(table.code).toBe(0);
    const rows = table.stdout.split('\n').filter((l) => /^%\d+ /.test(l));
    expect(rows).toHaveLength(5); // x, y, mul, exp, add
    expect(rows[4]).toContain('← output');
    expect(table.stdout).toMatch(/^node +op +args +primal +tangent \(d\/dx\) +adjoint +adjoint tangent$/m);
    const dot = dualtape(['hessian', 'x*y + exp(x)', '--at', 'x=0,y=2', '--trace-format', 'dot']);
    expect(dot.stdout.startsWith('digraph tape {')).toBe(true);
    expect(dot.stdout.trim().endsWith('}')).toBe(true);
    expect(dot.stdout.match(/^ {2}n\d+ \[label=/gm)).toHaveLength(5);
    expect(dot.stdout.match(/->/g)).toHaveLength(5); // mul: 2, exp: 1, add: 2
  });
});

describe('dualtape hessian: bad input gives one message on stderr and exit code 2', () => {
  const bad = (args: string[], message: RegExp, lines = 1) => {
    const r = dualtape(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(lines);
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
    return r.stderr;
  };

  it('syntax error: the message, the expression and a caret under the column', () => {
    const err = bad(['hessian', 'x + * 2', '--at', 'x=1'], /syntax error at column 5/, 3);
    const [, expr, caret] = err.trimEnd().split('\n');
    expect(expr).toBe('  x + * 2');
    expect(caret).toBe('      ^');
    bad(['hessian', '(x + 1', '--at', 'x=1'], /missing "\)"/, 3);
    bad(['hessian', '2x', '--at', 'x=1'], /syntax error/, 3);
  });
  it('unknown function', () => bad(['hessian', 'foo(x) + 1', '--at', 'x=1'], /unknown function foo/, 3));
  it('a variable with no value in --at', () => bad(['hessian', 'x*y', '--wrt', 'x', '--at', 'x=1'], /uses y, which has no value in --at/));
  it('a --wrt variable with no value in --at', () => bad(['hessian', 'x*y', '--wrt', 'x,y', '--at', 'x=1'], /no value for y/));
  it('--wrt naming a variable not in the expression', () => bad(['hessian', 'x*y', '--wrt', 'z', '--at', 'x=1,y=2'], /--wrt names z, which is not a variable of the expression/));
  it('non-numeric values', () => {
    bad(['hessian', 'x', '--at', 'x=1.3abc'], /--at x is "1.3abc"; expected a number/);
    bad(['hessian', 'x', '--at', 'x'], /expected name=value/);
  });
  it('a constant name given a value, a repeated name', () => {
    bad(['hessian', 'x*pi', '--at', 'x=1,pi=3'], /pi, which is a constant/);
    bad(['hessian', 'x', '--at', 'x=1,x=2'], /gives x twice/);
  });
  it('deeply nested parentheses give an error, not a crash', () => {
    const deep = '('.repeat(50_000) + 'x' + ')'.repeat(50_000);
    bad(['hessian', deep, '--at', 'x=1'], /nested deeper than 256 levels/, 3);
  });
  it('options the command does not know, a bad --trace-format, --json with a trace on stdout', () => {
    bad(['hessian', 'x', '--at', 'x=1', '--bogus'], /unknown option '--bogus'/);
    bad(['hessian', 'x', '--at', 'x=1', '--trace-format', 'svg'], /--trace-format is "svg"/);
    bad(['hessian', 'x', '--at', 'x=1', '--json', '--trace'], /--trace-file/);
  });
  it('--debug shows the stack trace', () => {
    const r = dualtape(['hessian', 'x*y', '--wrt', 'x', '--at', 'x=1', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});
