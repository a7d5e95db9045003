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

/**
 * Call `visit` for every operation node the items stand for, with its constants, its
 * innermost-iteration id (−1 outside innermost loops; iteration k + 1 of a loop instance has the
 * id of iteration k plus one) and whether that iteration is the last of its loop instance.
 */
export function walk(
  items: readonly Item[],
  consts: Int32Array,
  iteration: number,
  next: { id: number },
  visit: (it: Item, consts: Int32Array, iteration: number, last: boolean) => void,
  last = false,
): void {
  let q = 0;
  for (const it of items) {
    const mine = consts.subarray(q, q + it.consts.length);
    q += it.consts.length;
    if (it.kind === 'node') {
      visit(it, mine, iteration, last);
      continue;
    }
    const innermost = it.body.every((b) => b.kind === 'node');
    const body = new Int32Array(mine.length);
    for (let k = 0; k < it.count; k++) {
      for (let r = 0; r < body.length; r++) body[r] = mine[r]! + k * it.delta[r]!;
      walk(it.body, body, innermost ? next.id++ : -1, next, visit, innermost && k === it.count - 1);
    }
  }
}

/** The consts of top-level items, concatenated, as {@link walk} takes them. */
export function allConsts(items: readonly Item[]): Int32Array {
  const all = new Int32Array(items.reduce((s, it) => s + it.consts.length, 0));
  let q = 0;
  for (const it of items) {
    all.set(it.consts, q);
    q += it.consts.length;
  }
  return all;
}

/**
 * The iteration-locality of each body node of the innermost loops (see the file comment), and
 * for each argument of a body node the body node it always refers to within the same
 * iteration (−1 when it does not, in some instance): only such links may read a local.
 */
export function iterationLocal(tape: Tape, items: readonly Item[], out: number): Locality {
  const all = allConsts(items);
  const iteration = new Int32Array(tape.size).fill(-1);
  walk(items, all, -1, { id: 0 }, (_it, c, k) => (iteration[c[0]!] = k));
  // position in its iteration's body of each node (valid where iteration ≥ 0)
  const position = new Int32Array(tape.size).fill(-1);
  const bodies = new Map<number, Item[]>();
  walk(items, all, -1, { id: 0 }, (it, c, k) => {
    if (k < 0) return;
    let b = bodies.get(k);
    if (b === undefined) bodies.set(k, (b = []));
    position[c[0]!] = b.length;
    b.push(it);
  });
  // links: the body position an argument refers to, if the same in every instance
  const links = new Map<Item, Int32Array>();
  walk(items, all, -1, { id: 0 }, (it, c, k) => {
    if (k < 0) return;
    let l = links.get(it);
    const fresh = l === undefined;
    if (l === undefined) links.set(it, (l = new Int32Array(c.length - 1)));
    for (let s = 1; s < c.length; s++) {
      const t = c[s]!;
      const j = iteration[t] === k ? position[t]! : -1;
      l[s - 1] = fresh || l[s - 1] === j ? j : -1;
    }
  });
  // a node stops being local as soon as one use lies in another iteration, outside, or is not a fixed link
  const escapes = new Uint8Array(tape.size);
  if (out >= 0) escapes[out] = 1;
  const { op, arg } = tape;
  let s = 0;
  for (let i = 0; i < tape.size; i++) {
    const n = ARITY[op[i]!]!;
    for (let j = s; j < s + n; j++) if (iteration[arg[j]!] !== iteration[i]) escapes[arg[j]!] = 1;
    s += n;
  }
  walk(items, all, -1, { id: 0 }, (it, c, k) => {
    if (k < 0) return;
    const l = links.get(it)!;
    for (let r = 0; r < l.length; r++) if (l[r]! < 0) escapes[c[r + 1]!] = 1;
  });
  const local = new Map<Item, boolean>();
  walk(items, all, -1, { id: 0 }, (it, c, k) => {
    if (k < 0) return;
    local.set(it, (local.get(it) ?? true) && escapes[c[0]!] === 0);
  });
  return { local, links, carries: carriedLinks(tape, items, all, out, iteration, position) };
}

/**
 * Loop-carried nodes: a body node every instance of which, except in the last iteration, has
 * exactly one use — the same argument s of the same body node m, in the next iteration (a
 * running sum or product). Backward programs keep its adjoint in a local carried from one
 * iteration to the next instead of a store and a load per iteration, which serialise on
 * memory (codegen.ts). Returns [m, s] per carried body node.
 */
function carriedLinks(tape: Tape, items: readonly Item[], all: Int32Array, out: number, iteration: Int32Array, position: Int32Array): Map<Item, readonly [number, number]> {
  const uses = new Int32Array(tape.size);
  const user = new Int32Array(tape.size);
  const userArg = new Int32Array(tape.size);
  if (out >= 0) uses[out] = 1;
  const { op, arg } = tape;
  let s = 0;
  for (let i = 0; i < tape.size; i++) {
    const n = ARITY[op[i]!]!;
    for (let j = 0; j < n; j++) {
      const a = arg[s + j]!;
      uses[a]!++;
      user[a] = i;
      userArg[a] = j;
    }
    s += n;
  }
  const found = new Map<Item, readonly [number, number] | null>();
  walk(items, all, -1, { id: 0 }, (it, c, k, last) => {
    if (k < 0 || last || found.get(it) === null) return;
    const i = c[0]!;
    const u = user[i]!;
    if (uses[i] !== 1 || iteration[u] !== k + 1) return void found.set(it, null);
    const link = found.get(it);
    if (link === undefined) found.set(it, [position[u]!, userArg[i]!]);
    else if (link![0] !== position[u] || link![1] !== userArg[i]) found.set(it, null);
  });
  const carries = new Map<Item, readonly [number, number]>();
  for (const [it, link] of found) if (link !== null) carries.set(it, link);
  return carries;
}
