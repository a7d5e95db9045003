/**
 * The part of a forward program that a backward program needs.
 *
 * A backward program recomputes the values and tangents of its loops' iteration-local nodes;
 * it reads from the arrays only the slots that codegen.ts reports (`GeneratedSource.reads`).
 * Before a gradient (without f's value) or an HVP, only the top-level items that write those
 * slots — and, transitively, the items whose slots those read — must run. For a sum of terms
 * such as Rosenbrock's that is a handful of nodes instead of the whole tape; a network whose
 * backward pass reads its hidden activations keeps its whole forward pass.
 */
import { allConsts, walk } from './locality.js';
import type { Item } from './reroll.js';

/**
 * The top-level items (in slot space, layout.ts) to run so that every slot in `reads` holds its
 * value: an item is kept if one of its nodes writes a needed slot, and then every slot it reads
 * is needed too. Items are in tape order and read only earlier slots, so one backward pass over
 * them settles it. O(tape size).
 */
export function forwardSubset(items: readonly Item[], reads: ReadonlySet<number>, slots: number): Item[] {
  const needed = new Uint8Array(slots);
  for (const s of reads) needed[s] = 1;
  const keep = new Array<boolean>(items.length).fill(false);
  for (let t = items.length - 1; t >= 0; t--) {
    const it = items[t]!;
    const consts = allConsts([it]);
    let writes = false;
    walk([it], consts, -1, { id: 0 }, (_node, c) => {
      if (c[0]! >= 0 && needed[c[0]!]) writes = true;
    });
    if (!writes) continue;
    keep[t] = true;
    walk([it], consts, -1, { id: 0 }, (_node, c) => {
      for (let r = 1; r < c.length; r++) if (c[r]! >= 0) needed[c[r]!] = 1;
    });
  }
  return items.filter((_, t) => keep[t]);
}
