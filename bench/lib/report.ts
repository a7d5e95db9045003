/**
 * Renders bench/RESULTS.md from results/*.json: a headline (issue targets, dualtape against
 * the peers, Hessian cost against the closed form), then per suite one table per workload with
 * ops/s, ms per call, the ratios measured in the same run and the largest error.
 */
import type { MeasuredTable, Row } from './harness.js';
import type { SuiteResult } from './results.js';

const ORDER = ['engine', 'w1-gaussian', 'w2-rosenbrock', 'w3-hvp', 'w4-mlp', 'memory', 'scaling', 'losses'];

const sig = (x: number, d = 3): string => (x >= 10 ** d ? x.toFixed(0) : x.toPrecision(d));
const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toPrecision(3) : x.toPrecision(2));
const ratio = (x: number | undefined): string => (x === undefined ? '' : `${sig(x)}×`);
const err = (x: number | undefined | string): string =>
  x === undefined ? '' : typeof x === 'string' ? x : x === 0 ? '0' : Number.isNaN(x) ? 'NaN' : x.toExponential(1);
const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** Is this row dualtape's default for its task (what a user calling grad/hvp/hessian gets)? */
export function isDualtapeDefault(r: Row): boolean {
  return r.impl === 'dualtape' || r.impl.startsWith('dualtape dense, default');
}
const isPeer = (r: Row): boolean => r.impl.startsWith('tfjs') || r.impl.startsWith('jax-js');

function renderTable(t: MeasuredTable): string[] {
  const lines = [`#### ${t.title}`, '', '| task | implementation | ops/s | ms/call | ±% | × closed form | × plain f | max error | note |', '|---|---|--:|--:|--:|--:|--:|--:|---|'];
  for (const r of t.rows) {
    if (r.status !== 'ok') {
      const why = r.status === 'unavailable' ? `cannot: ${r.reason}` : `failed: ${r.reason}`;
      lines.push(`| ${r.task} | ${cell(r.impl)} | — | — | | | | | ${cell(why)} |`);
      continue;
    }
    const timed = r.ms !== undefined;
    lines.push(
      `| ${r.task} | ${cell(r.impl)} | ${timed ? sig(r.ops!) : ''} | ${timed ? ms(r.ms!) : ''} | ${r.margin ?? ''} | ${ratio(r.ratioClosed)} | ${ratio(r.ratioPlain)} | ${err(r.maxError)} | ${cell(r.note ?? '')} |`,
    );
  }
  lines.push('');
  for (const n of t.notes) lines.push(`- ${n}`);
  if (t.notes.length) lines.push('');
  return lines;
}

/**
 * dualtape's exact rows of a task: the default call, `compile` (recorded once, like a peer's
 * jit), each dense chunk size, HVP columns and the sparse colouring paths (fresh, or with the
 * pattern reused as a Newton loop would). Finite differences are left out: they are not exact.
 */
const isExactDualtape = (r: Row): boolean => r.impl.startsWith('dualtape') && !r.impl.includes('FD') && r.ms !== undefined;
/** The strategy of a dualtape row, for the headline: "compiled", "sparse, pattern reused", …. */
const strategy = (r: Row): string => r.impl.replace(/^dualtape\s*/, '') || 'default';

/**
 * Per table and task: dualtape's default row and, where it exists, its compiled row against
 * each peer's row (peer ms / dualtape ms). jax-js times jitted functions (traced once), so the
 * like-for-like dualtape row is the compiled one; the default call re-records f every time.
 */
function versusPeers(results: readonly SuiteResult[]): string[] {
  const lines = [
    '| workload | task | dualtape ms (default) | × closed form | fastest dualtape ms (strategy) | peer | peer ms | peer × closed form | default ahead by | fastest dualtape ahead by | peer max error |',
    '|---|---|--:|--:|--:|---|--:|--:|--:|--:|--:|',
  ];
  let any = false;
  const tally = { default: { ahead: 0, behind: [] as string[] }, best: { ahead: 0, behind: [] as string[] } };
  const verdict = (by: number): string => (by >= 1 ? `${sig(by)}×` : `**behind: ${sig(1 / by)}× slower**`);
  for (const s of results) {
    if (!/^w\d/.test(s.suite)) continue;
    for (const t of s.tables) {
      for (const task of ['gradient', 'hvp', 'hessian'] as const) {
        const dt = t.rows.find((r) => r.task === task && isDualtapeDefault(r) && r.ms !== undefined);
        if (!dt) continue;
        const fastest = t.rows.filter((r) => r.task === task && isExactDualtape(r)).reduce((a, b) => (b.ms! < a.ms! ? b : a), dt);
        const best = fastest.ms!;
        const dc = fastest === dt ? undefined : fastest;
        for (const p of t.rows.filter((r) => r.task === task && isPeer(r))) {
          any = true;
          if (p.ms === undefined) {
            lines.push(`| ${t.id} | ${task} | ${ms(dt.ms!)} | ${ratio(dt.ratioClosed)} | ${dc ? `${ms(dc.ms!)} (${cell(strategy(dc))})` : ''} | ${cell(p.impl)} | — | | ${cell(p.reason ?? p.status)} | | |`);
            continue;
          }
          const label = `${t.id} ${task} vs ${p.impl.split(' ')[0]}`;
          for (const [k, v] of [['default', dt.ms!], ['best', best]] as const) {
            const by = p.ms / v;
            if (by >= 1) tally[k].ahead++;
            else tally[k].behind.push(`${label} (${sig(1 / by)}×)`);
          }
          lines.push(
            `| ${t.id} | ${task} | ${ms(dt.ms!)} | ${ratio(dt.ratioClosed)} | ${dc ? `${ms(dc.ms!)} (${cell(strategy(dc))})` : ''} | ${cell(p.impl)} | ${ms(p.ms)} | ${ratio(p.ratioClosed)} | ${verdict(p.ms / dt.ms!)} | ${verdict(p.ms / best)} | ${err(p.maxError)} |`,
          );
        }
      }
    }
  }
  if (!any) return [];
  const summary = (what: string, k: 'default' | 'best'): string => {
    const { ahead, behind } = tally[k];
    return `- ${what}: ahead on ${ahead} of ${ahead + behind.length} timed rows` + (behind.length ? `; **missed** on ${behind.length}: ${behind.join('; ')}.` : ' — **met**.');
  };
  return [
    'Issue 5 target "dualtape ahead of both peers on every row":',
    '',
    summary("dualtape's default call (grad / hvp / hessian, f recorded at every call)", 'default'),
    summary('the fastest exact dualtape strategy of the same table (`compile`, recorded once like the peers\' jit; sparse colouring, fresh or with the pattern reused; dense chunk sizes)', 'best'),
    '',
    ...lines,
  ];
}

export function renderReport(all: readonly SuiteResult[]): string {
  const results = [...all].sort((a, b) => ORDER.indexOf(a.suite) - ORDER.indexOf(b.suite));
  const m = results[0]?.machine;
  const out: string[] = ['# dualtape benchmark results', ''];
  out.push(
    'Generated by `bench/run.ts` (`npx -y pnpm@10 bench`, or `… bench --quick`); do not edit by hand. Raw numbers, benny\'s samples and the machine are in `bench/results/<suite>.json`.',
    '',
  );
  if (m) {
    out.push(`Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}, ${m.totalMemoryGiB} GiB; 1-min load average at start ${m.loadAverage}.`, '');
  }
  const modes = [...new Set(results.map((r) => r.mode))];
  const dates = results.map((r) => r.date).sort();
  out.push(
    `Runs: mode ${modes.join(', ')}; ${dates[0] ?? ''} … ${dates[dates.length - 1] ?? ''}. The machine is shared with other jobs, so absolute times are noisy; ` +
      'compare the **ratios**, which are measured within one run (every case of a suite is timed in the same benny suite).',
    '',
    'Columns: `ops/s` = benny (1 ÷ mean sample); `ms/call` = median sample (a load spike on the shared machine moves the mean more than the median; every ratio uses medians); `× closed form` = time ÷ the hand-written closed form of the same task in the same table; `× plain f` = time ÷ one evaluation of f on plain numbers (hand-written); `max error` = max |result − closed form| ÷ max |closed form| (normwise relative); `±%` = benny\'s relative margin of error.',
    '',
  );

  const targets = results.flatMap((r) => (r.targets ?? []).map((t) => ({ ...t, suite: r.suite })));
  if (targets.length) {
    out.push('## Headline: targets', '', '| target | measured | limit | status | detail |', '|---|--:|--:|---|---|');
    for (const t of targets) out.push(`| ${cell(t.name)} | ${sig(t.measured)} ${t.unit} | ${sig(t.target)} ${t.unit} | ${t.ok ? 'met' : '**missed**'} | ${cell(t.detail ?? '')} |`);
    out.push('');
  }
  const vs = versusPeers(results);
  if (vs.length) out.push('## Headline: dualtape against the peers', '', 'dualtape\'s default call (`grad`, `hvp`, `hessian`) and its fastest exact strategy — the compiled gradient and HVP (`compile(f, x)` once, then `c.grad(x)`, `c.hvp(x, v)`), the sparse Hessian by colouring (`sparseHessian`, fresh or with its pattern reused) — against each peer in the same table.', '', ...vs, '');

  for (const s of results) {
    out.push(`## ${s.title}`, '', `Suite \`${s.suite}\` (issue ${s.issues.map((i) => `#${i}`).join(', ')}), mode ${s.mode}, ${s.date}, ${s.durationSeconds.toFixed(0)} s.`, '');
    for (const n of s.notes ?? []) out.push(`- ${n}`);
    if (s.notes?.length) out.push('');
    for (const e of s.extra ?? []) {
      out.push(`#### ${e.title}`, '', `| ${e.columns.map(cell).join(' | ')} |`, `|${e.columns.map(() => '---').join('|')}|`);
      for (const r of e.rows) out.push(`| ${r.map(cell).join(' | ')} |`);
      out.push('');
      for (const n of e.notes ?? []) out.push(`- ${n}`);
      if (e.notes?.length) out.push('');
    }
    if (!s.hideTables) for (const t of s.tables) out.push(...renderTable(t));
  }
  return out.join('\n') + '\n';
}
