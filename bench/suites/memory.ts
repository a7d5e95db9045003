/**
 * Memory (issue 5): bytes per recorded tape node for every workload, the extra working memory
 * of one HVP, and the peak memory of the W2 n = 1000 dense Hessian (in a child process).
 * Nothing here is timed.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chooseChunk } from '@dualtape/core';
import { byMode } from '../lib/modes.js';
import { tapeStats } from '../lib/tape-stats.js';
import type { Problem } from '../workloads/problem.js';
import { gaussianProblem, mlpWorkload, rosenbrockProblem } from '../workloads/zoo-problems.js';
import type { ExtraTable, Suite } from './suite.js';

const MiB = 2 ** 20;
const mib = (b: number): string => (b / MiB).toFixed(2);

interface PeakReport {
  n: number;
  resultBytes: number;
  rssBefore: number;
  maxRSSBefore: number;
  maxRSSAfter: number;
  raisedHighWater: boolean;
  method: string;
  peakAddedBytes: number | null;
  heapUsedDelta: number;
  arrayBuffersDelta: number;
}

/** Run lib/peak-heap.ts in a fresh Node process (tsx loader, sources of the workspace). */
export function measurePeak(n: number): PeakReport {
  const script = fileURLToPath(new URL('../lib/peak-heap.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=@dualtape/source', script, String(n)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as PeakReport;
}

export const memory: Suite = {
  name: 'memory',
  title: 'Memory — bytes per tape node per workload; peak memory of the W2 n = 1000 dense Hessian',
  issues: [5],
  async run(ctx) {
    const problems: Problem[] = byMode(ctx.mode, {
      full: [...[10, 100, 1000].map(gaussianProblem), ...[10, 100, 1000].map((n) => rosenbrockProblem(n)), ...[10_000, 100_000].map((n) => rosenbrockProblem(n, `W3 n=${n}`)), mlpWorkload()],
      quick: [gaussianProblem(1000), rosenbrockProblem(1000), rosenbrockProblem(10_000, 'W3 n=10000'), mlpWorkload()],
      smoke: [gaussianProblem(4), rosenbrockProblem(6), mlpWorkload(8)],
    });
    const rows = problems.map((p) => {
      const s = tapeStats(p.f as never, p.x);
      return {
        id: p.id,
        stats: s,
        cells: [p.id, String(p.n), String(s.nodes), String(s.ops), String(s.constants), String(s.bytesUsed), s.bytesPerNode.toFixed(1), s.bytesPerOp.toFixed(1), mib(s.capacityBytes), (s.hvpExtraBytes / s.nodes).toFixed(1)],
      };
    });
    const tapeTable: ExtraTable = {
      title: 'Tape per workload',
      columns: ['workload', 'variables', 'nodes', 'ops', 'constants', 'bytes used', 'B per node', 'B per op', 'allocated MiB', 'HVP extra B per node'],
      rows: rows.map((r) => r.cells),
      notes: [
        'bytes used = tape.bytesUsed (9 B per node: opcode + value; 12 B per argument slot: index + local partial). B per op = bytes used ÷ operation nodes (constants and inputs charged to the operations).',
        'allocated = the typed arrays actually held (capacity after doubling from 1024 nodes), so up to 2× bytes used.',
        'HVP extra = adjoints (8 B/node) + packed local second partials (8 B each) + one tangent and one adjoint-tangent per node (16 B/node); a dense Hessian with chunk K needs 16·K B/node for the last two, plus n²·8 B for the result.',
      ],
      data: rows.map((r) => ({ id: r.id, ...r.stats })),
    };

    const n = byMode(ctx.mode, { full: 1000, quick: 1000, smoke: 50 });
    const peak = measurePeak(n);
    const s = tapeStats(rosenbrockProblem(n).f as never, rosenbrockProblem(n).x);
    const K = chooseChunk(n);
    const expected = s.capacityBytes + 8 * s.nodes + 8 * s.secondPartials + 16 * s.nodes * K + 8 * n * n;
    const peakTable: ExtraTable = {
      title: `Peak memory of one dense Hessian, W2 extended Rosenbrock n = ${n} (fresh process)`,
      columns: ['quantity', 'MiB'],
      rows: [
        [`peak resident set added by the call (peak RSS − RSS before; ${peak.method})`, peak.peakAddedBytes === null ? `≤ ${mib(peak.maxRSSBefore - peak.rssBefore)} (did not raise the process high-water mark)` : mib(peak.peakAddedBytes)],
        ['held right after the call: V8 heap (heapUsed Δ)', mib(peak.heapUsedDelta)],
        ['held right after the call: typed arrays (arrayBuffers Δ)', mib(peak.arrayBuffersDelta)],
        [`expected: tape arrays + adjoints + second partials + 2 sweep buffers (chunk ${K}) + n² result`, mib(expected)],
        ['of which the n×n result', mib(peak.resultBytes)],
      ],
      notes: ['The tape is pooled (withTape), so its arrays stay allocated after the call and count in arrayBuffers Δ.'],
      data: { peak, expectedBytes: expected, chunk: K },
    };
    return { tables: [], extra: [tapeTable, peakTable] };
  },
};
