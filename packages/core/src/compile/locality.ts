/**
 * Which nodes of the innermost loops never leave their iteration.
 *
 * A node is *iteration-local* when it is not the output and every node that uses it belongs to
 * the same iteration of the same innermost loop. Its value, tangent, adjoint and adjoint
 * tangent can then live in locals of the generated loop body (codegen.ts) instead of the tape
 * arrays: in Rosenbrock's Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², everything but the running sum.
 *
 * A loop body is one piece of code for all its instances, so a body node counts as local only
 * if every instance of it is: the analysis walks the items concretely (O(tape size)).
 */
import { ARITY } from '../rules.js';
import type { Tape } from '../tape.js';
import type { Item } from './reroll.js';
import type { Locality } from './codegen.js';

/** Call `visit` for every operation node the items stand for, with its constants and innermost-iteration id (−1 outside innermost loops). */
function walk(items: readonly Item[], consts: Int32Array, iteration: number, next: { id: number }, visit: (it: Item, consts: Int32Array, iteration: number) => void): void {
  let q = 0;
  for (const it of items) {
    const mine = consts.subarray(q, q + it.consts.length);
    q += it.consts.length;
    if (it.kind === 'node') {
      visit(it, mine, iteration);
      continue;
    }
    const innermost = it.body.every((b) => b.kind === 'node');
    const body = new Int32Array(mine.length);
    for (let k = 0; k < it.count; k++) {
      for (let r = 0; r < body.length; r++) body[r] = mine[r]! + k * it.delta[r]!;
      walk(it.body, body, innermost ? next.id++ : -1, next, visit);
    }
  }
}

/** The iteration-locality of each body node of the innermost loops (see the file comment). */
export function iterationLocal(tape: Tape, items: readonly Item[], out: number): Locality {
  const all = new Int32Array(items.reduce((s, it) => s + it.consts.length, 0));
  let q = 0;
  for (const it of items) {
    all.set(it.consts, q);
    q += it.consts.length;
  }
  const iteration = new Int32Array(tape.size).fill(-1);
  walk(items, all, -1, { id: 0 }, (_it, c, k) => (iteration[c[0]!] = k));
  // a node stops being local as soon as one user lies in another iteration (or outside)
  const escapes = new Uint8Array(tape.size);
  if (out >= 0) escapes[out] = 1;
  const { op, arg } = tape;
  let s = 0;
  for (let i = 0; i < tape.size; i++) {
    const n = ARITY[op[i]!]!;
    for (let j = s; j < s + n; j++) if (iteration[arg[j]!] !== iteration[i]) escapes[arg[j]!] = 1;
    s += n;
  }
  const local = new Map<Item, boolean>();
  walk(items, all, -1, { id: 0 }, (it, c, k) => {
    if (k < 0) return;
    const i = c[0]!;
    local.set(it, (local.get(it) ?? true) && escapes[i] === 0);
  });
  return local;
}
