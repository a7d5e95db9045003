/**
 * Loop rerolling: recover the loops of the program that a tape was recorded from.
 *
 * A tape is the program unrolled: `for (i …) s = add(s, term(x[i]))` leaves n copies of the
 * same few nodes, whose argument indices move by a fixed stride per copy. Straight-line code
 * for such a tape is as long as the tape, which no JavaScript engine optimises (V8 stops
 * optimising functions above ~60 KB of bytecode). So the compiler rolls the copies back into
 * loops, the way a decompiler recovers loops from unrolled code.
 *
 * Model. The tape's operation nodes (inputs and constants are data, not code) become *items*,
 * each with a shape (an interned id of everything but the node indices) and a vector of
 * integer constants (the node indices it refers to):
 *   - a node: shape = its opcode; constants = [its index, its arguments' indices];
 *   - a loop: shape = (count, the body's shapes, the per-iteration strides); constants = those
 *     of its first iteration's body, concatenated.
 * A run of K ≥ {@link MIN_COUNT} consecutive groups of L items is a loop when all groups have
 * the same shapes and each constant is affine in the group number k: c + k·δ. The run is
 * replaced by one loop item, and passes repeat, so loops nest (the samples of a batch, the
 * units of a layer, the terms of a dot product).
 *
 * Exactness: a loop item stands for exactly the nodes it replaced, in the same order, so code
 * generated from items performs the same floating-point operations in the same order as the
 * tape's own sweeps.
 *
 * Cost: a pass sweeps the items once per period L ≤ {@link MAX_PERIOD}, rejecting most
 * positions by one shape comparison; a run found is skipped over whole, so a regular tape
 * shrinks to a handful of items within the first few sweeps.
 */
import { ARITY, OP_CONST, OP_INPUT } from '../rules.js';
import type { Tape } from '../tape.js';

/** An operation node of the tape. `consts` = [node index, argument indices…]. */
export interface NodeItem {
  readonly kind: 'node';
  readonly shape: number;
  readonly code: number;
  readonly consts: Int32Array;
}

/** `count` iterations of `body`; constant q of the body is `consts[q] + k·delta[q]` in iteration k. */
export interface LoopItem {
  readonly kind: 'loop';
  readonly shape: number;
  readonly count: number;
  readonly body: readonly Item[];
  readonly consts: Int32Array;
  readonly delta: Int32Array;
  /** Tape nodes per iteration (operation nodes, counted through nested loops). */
  readonly nodesPerIteration: number;
}

export type Item = NodeItem | LoopItem;

/** Fewest iterations worth a loop. */
export const MIN_COUNT = 3;
/** Longest period (in items) looked for in one pass. */
export const MAX_PERIOD = 256;
/** Passes at most (loop nesting depth). */
const MAX_PASSES = 8;

/** Tape nodes an item stands for. */
export const nodeCount = (it: Item): number => (it.kind === 'node' ? 1 : it.count * it.nodesPerIteration);

/** The items of a tape's operation nodes, rerolled into loops. */
export function reroll(tape: Tape): Item[] {
  const shapes = new Map<string, number>();
  const intern = (key: string): number => {
    let id = shapes.get(key);
    if (id === undefined) shapes.set(key, (id = shapes.size));
    return id;
  };
  const { op, arg, size } = tape;
  let items: Item[] = [];
  let s = 0;
  for (let i = 0; i < size; i++) {
    const code = op[i]!;
    const n = ARITY[code]!;
    if (code !== OP_INPUT && code !== OP_CONST) {
      const consts = new Int32Array(1 + n);
      consts[0] = i;
      for (let j = 0; j < n; j++) consts[1 + j] = arg[s + j]!;
      items.push({ kind: 'node', shape: intern(`n${code}`), code, consts });
    }
    s += n;
  }
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = items.length;
    for (let L = 1; L <= MAX_PERIOD && MIN_COUNT * L <= items.length; L++) items = rerollPeriod(items, L, intern);
    if (items.length === before) break;
  }
  return items;
}

/**
 * One sweep for one period L: replace every run of ≥ MIN_COUNT repeated groups of L items by a
 * loop item. Sweeps go through L = 1, 2, … so that short periods (inner loops) are rolled up
 * everywhere before longer ones are looked for: the longer groups then consist of rolled items.
 */
function rerollPeriod(items: readonly Item[], L: number, intern: (key: string) => number): Item[] {
  const out: Item[] = [];
  const M = items.length;
  let p = 0;
  while (p < M) {
    const K = p + MIN_COUNT * L <= M && sameShapes(items, p, p + L, L) ? runLength(items, p, L) : 0;
    if (K >= MIN_COUNT) {
      out.push(makeLoop(items, p, L, K, intern));
      p += K * L;
    } else {
      out.push(items[p]!);
      p++;
    }
  }
  return out;
}

function sameShapes(items: readonly Item[], p: number, q: number, L: number): boolean {
  for (let j = 0; j < L; j++) if (items[p + j]!.shape !== items[q + j]!.shape) return false;
  return true;
}

/** How many groups of L items, starting at p, repeat with every constant affine in the group number. */
function runLength(items: readonly Item[], p: number, L: number): number {
  const M = items.length;
  let K = 2; // groups 0 and 1 define the strides; group k must match c₀ + k·(c₁ − c₀)
  while (p + (K + 1) * L <= M && sameShapes(items, p, p + K * L, L)) {
    for (let j = 0; j < L; j++) {
      const c0 = items[p + j]!.consts;
      const c1 = items[p + L + j]!.consts;
      const ck = items[p + K * L + j]!.consts;
      for (let q = 0; q < c0.length; q++) if (ck[q] !== c0[q]! + K * (c1[q]! - c0[q]!)) return K;
    }
    K++;
  }
  return K;
}

function makeLoop(items: readonly Item[], p: number, L: number, K: number, intern: (key: string) => number): LoopItem {
  const body = items.slice(p, p + L);
  let total = 0;
  for (const it of body) total += it.consts.length;
  const consts = new Int32Array(total);
  const delta = new Int32Array(total);
  let q = 0;
  let nodes = 0;
  for (let j = 0; j < L; j++) {
    const c0 = items[p + j]!.consts;
    const c1 = items[p + L + j]!.consts;
    for (let r = 0; r < c0.length; r++, q++) {
      consts[q] = c0[r]!;
      delta[q] = c1[r]! - c0[r]!;
    }
    nodes += nodeCount(body[j]!);
  }
  const shape = intern(`L${K}:${body.map((it) => it.shape).join(',')}:${delta.join(',')}`);
  return { kind: 'loop', shape, count: K, body, consts, delta, nodesPerIteration: nodes };
}
