/**
 * `pnpm bench` — run every benchmark suite and regenerate RESULTS.md.
 *
 *   tsx run.ts [--quick | --smoke] [--suite=name,name] [--no-peers]      (after `pnpm build`)
 *
 * --quick     the headline sizes with short sampling (< 1 min)
 * --smoke     every case once at a tiny size, checked, not timed, nothing written
 * --suite     run only these suites (results of the others stay in results/ and in RESULTS.md)
 * --no-peers  skip TF.js and jax-js
 */
import { fileURLToPath } from 'node:url';
import { runSuites } from './lib/runner.js';
import type { Mode } from './lib/modes.js';
import { SUITES } from './suites/index.js';

const args = process.argv.slice(2);
const mode: Mode = args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full';
const only = args.find((a) => a.startsWith('--suite='))?.slice('--suite='.length).split(',');
const unknown = only?.filter((name) => !SUITES.some((s) => s.name === name)) ?? [];
if (unknown.length) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const t0 = performance.now();
await runSuites({
  mode,
  suites: only ? SUITES.filter((s) => only.includes(s.name)) : SUITES,
  peers: !args.includes('--no-peers'),
  ...(mode === 'smoke' ? {} : { folder: here('./results'), report: here('./RESULTS.md') }),
});
console.log(`\nall suites done in ${((performance.now() - t0) / 1e3).toFixed(1)} s (${mode})`);
