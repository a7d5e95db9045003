/**
 * Child process: peak memory of one dense Hessian of extended Rosenbrock (W2), measured in a
 * fresh process so nothing else's garbage is counted. Prints one JSON line.
 *
 *   node --expose-gc --import tsx --conditions=@dualtape/source lib/peak-heap.ts <n>
 *
 * The call is synchronous, so memory cannot be sampled during it; the OS high-water mark can.
 * On Linux the mark is reset just before the call (`5` written to /proc/self/clear_refs resets
 * VmHWM, Linux ≥ 4.0) and read after it from /proc/self/status, so VmHWM − RSS before is the
 * peak the call added. Elsewhere `process.resourceUsage().maxRSS` is used, which only shows the
 * call's peak if the call raised the process's high-water mark (reported as such).
 * heapUsed and arrayBuffers right after the call (no GC in between) show where it went: the
 * tape and the sweep buffers are typed arrays (arrayBuffers), the result is one Float64Array.
 */
import fs from 'node:fs';
import { hessian } from '@dualtape/core';
import { rosenbrockProblem } from '../workloads/zoo-problems.js';

const n = Number(process.argv[2] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
const small = rosenbrockProblem(20);
hessian(small.f, small.x); // compile the code paths first
const p = rosenbrockProblem(n);
gc?.();
gc?.();
/** VmHWM (peak RSS) in bytes from /proc/self/status, or null where there is no procfs. */
const vmHWM = (): number | null => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
};
let hwmReset = false;
try {
  fs.writeFileSync('/proc/self/clear_refs', '5');
  hwmReset = true;
} catch {
  // not Linux, or not permitted: fall back to maxRSS
}
const before = process.memoryUsage();
const maxRSSBefore = process.resourceUsage().maxRSS * 1024;
const H = hessian(p.f, p.x);
const hwm = hwmReset ? vmHWM() : null;
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
    method: hwm !== null ? 'VmHWM reset before the call' : 'maxRSS',
    peakAddedBytes: hwm !== null ? hwm - before.rss : maxRSSAfter > maxRSSBefore ? maxRSSAfter - before.rss : null,
    heapUsedDelta: after.heapUsed - before.heapUsed,
    arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers,
    gcExposed: gc !== undefined,
  }) + '\n',
);
