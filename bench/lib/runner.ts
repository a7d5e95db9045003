/**
 * Runs suites in order, writes results/<suite>.json for each and regenerates RESULTS.md from
 * every results file present (so a single suite can be re-run without losing the others).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadPeers } from '../peers/load.js';
import type { Context, Suite, SuiteOutput } from '../suites/suite.js';
import { machine } from './machine.js';
import type { Mode } from './modes.js';
import { renderReport } from './report.js';
import { readResults, writeResult } from './results.js';

export interface RunOptions {
  readonly mode: Mode;
  readonly suites: readonly Suite[];
  /** results folder; omit to write nothing (smoke mode). */
  readonly folder?: string;
  /** RESULTS.md path; omit to not render. */
  readonly report?: string;
  readonly peers?: boolean;
  readonly log?: (line: string) => void;
}

export async function runSuites(opts: RunOptions): Promise<Map<string, SuiteOutput>> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const peers = opts.peers === false ? [] : await loadPeers();
  for (const p of peers) log(p.peer ? `peer ready: ${p.label}` : `peer unavailable: ${p.label}: ${p.reason}`);
  const ctx: Context = { mode: opts.mode, peers, ...(opts.folder ? { folder: opts.folder } : {}) };
  const outputs = new Map<string, SuiteOutput>();
  for (const suite of opts.suites) {
    log(`\n== ${suite.name}: ${suite.title} (${opts.mode})`);
    const t0 = performance.now();
    const out = await suite.run(ctx);
    const durationSeconds = (performance.now() - t0) / 1e3;
    outputs.set(suite.name, out);
    for (const t of out.targets ?? []) log(`  target ${t.ok ? 'met   ' : 'MISSED'} ${t.name}: ${t.measured.toPrecision(3)} ${t.unit} (limit ${t.target} ${t.unit})${t.detail ? ` — ${t.detail}` : ''}`);
    log(`  ${suite.name} done in ${durationSeconds.toFixed(1)} s`);
    if (opts.folder) {
      const file = writeResult(opts.folder, {
        suite: suite.name,
        title: suite.title,
        issues: suite.issues,
        mode: opts.mode,
        date: new Date().toISOString(),
        machine: machine(),
        durationSeconds,
        ...out,
      });
      log(`  wrote ${path.relative(process.cwd(), file)}`);
    }
  }
  if (opts.folder && opts.report) {
    fs.writeFileSync(opts.report, renderReport(readResults(opts.folder)));
    log(`\nwrote ${path.relative(process.cwd(), opts.report)}`);
  }
  return outputs;
}
