/**
 * Child process: peak memory of one dense Hessian of extended Rosenbrock (W2), measured in a
 * fresh process so nothing else's garbage is counted. Prints one JSON line.
 *
 *   node --expose-gc --import tsx --conditions=@dualtape/source lib/peak-heap.ts <n>
 *
 * The call is synchronous, so memory cannot be sampled during it; the OS high-water mark can:
 * `process.resourceUsage().maxRSS` after the call, minus the resident set just before it, is
 * the peak the call added (when the call raised the high-water mark — reported as such).
 * heapUsed and arrayBuffers right after the call (no GC in between) show where it went: the
 * tape and the sweep buffers are typed arrays (arrayBuffers), the result is one Float64Array.
 */
import { hessian } from '@dualtape/core';
import { rosenbrockProblem } from '../workloads/zoo-problems.js';

const n = Number(process.argv[2] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
const small = rosenbrockProblem(20);
hessian(small.f, small.x); // compile the code paths first
const p = rosenbrockProblem(n);
gc?.();
gc?.();
const before = process.memoryUsage();
const maxRSSBefore = process.resourceUsage().maxRSS * 1024;
const H = hessian(p.f, p.x);
const after = process.memoryUsage();
const maxRSSAfter = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  JSON.stringify({
    n,
    resultBytes: H.data.byteLength,
    rssBefore: before.rss,
    maxRSSBefore,
    maxRSSAfter,
    raisedHighWater: maxRSSAfter > maxRSSBefore,
    peakAddedBytes: maxRSSAfter > maxRSSBefore ? maxRSSAfter - before.rss : null,
    heapUsedDelta: after.heapUsed - before.heapUsed,
    arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers,
    gcExposed: gc !== undefined,
  }) + '\n',
);
