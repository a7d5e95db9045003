/**
 * Load and initialise the peers. A peer that fails to import or initialise still gets rows in
 * every table, saying why (instead of a blank).
 */
import type { Case, Task } from '../lib/harness.js';
import type { Problem } from '../workloads/problem.js';
import type { PeerSlot } from '../suites/suite.js';

const PEERS: readonly { label: string; load: () => Promise<import('./peer.js').Peer> }[] = [
  { label: 'tfjs (cpu, f32)', load: async () => (await import('./tfjs.js')).tfjsPeer },
  { label: 'jax-js (wasm, jit, f64)', load: async () => (await import('./jax.js')).jaxPeer },
];

export async function loadPeers(): Promise<PeerSlot[]> {
  const slots: PeerSlot[] = [];
  for (const { label, load } of PEERS) {
    try {
      const peer = await load();
      const reason = await peer.init();
      slots.push(reason === null ? { label: peer.label, peer } : { label: peer.label, peer: null, reason });
    } catch (e) {
      slots.push({ label, peer: null, reason: `failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
    }
  }
  return slots;
}

type PeerTask = 'gradient' | 'hvp' | 'hessian';

/**
 * Every peer's rows for a problem. A peer that is not there gets one 'unavailable' row per
 * task; a task in `skipped` gets a row giving the reason it was not run in this mode.
 */
export function peerCases(slots: readonly PeerSlot[], p: Problem, tasks: readonly PeerTask[], skipped: Partial<Record<PeerTask, string>> = {}): Case[] {
  const run = tasks.filter((t) => skipped[t] === undefined);
  return slots.flatMap((s) => [
    ...(s.peer ? s.peer.cases(p, run) : run.map((task): Case => ({ task: task as Task, impl: s.label, unavailable: s.reason ?? 'not loaded' }))),
    ...tasks.filter((t) => skipped[t] !== undefined).map((task): Case => ({ task, impl: s.label, unavailable: skipped[task]! })),
  ]);
}
