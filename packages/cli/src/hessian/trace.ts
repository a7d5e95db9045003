/**
 * `--trace`: the recorded tape of an expression, node by node, with every quantity the
 * forward-over-reverse Hessian uses (sweeps.ts in core):
 *
 *   primal   vᵢ            the value recorded in the forward pass
 *   tangent  v̇ᵢ            the forward tangent sweep seeded with e_k (k = the first --wrt variable)
 *   adjoint  v̄ᵢ = ∂f/∂vᵢ   the reverse sweep seeded with 1 at the output
 *   adjoint tangent (v̄ᵢ)˙  the second-order reverse sweep; on input j it is ∂²f/∂x_j∂x_k, i.e.
 *                          the input rows of this column are column k of the Hessian.
 */
import {
  PRIM,
  SweepBuffers,
  codeName,
  hvpSweep,
  record,
  reverseSweep,
  secondPartials,
  tangentSweep,
  withTape,
  type OpName,
  type Scalar,
} from '@dualtape/core';
import { fmt, table } from '../format.js';
import type { Problem } from './problem.js';

export interface TraceNode {
  readonly index: number;
  /** `input`, `const` or a primitive's name. */
  readonly op: string;
  /** Node indices of the arguments. */
  readonly args: number[];
  /** Local partials ∂vᵢ/∂v_arg recorded in the forward pass, one per argument. */
  readonly partials: number[];
  /** The variable's name, for input nodes. */
  readonly name?: string;
  readonly primal: number;
  readonly tangent: number;
  readonly adjoint: number;
  readonly adjointTangent: number;
}

export interface Trace {
  /** The --wrt variable whose unit vector seeds the tangents. */
  readonly direction: string;
  /** Index of the output node (−1 if f does not depend on its inputs). */
  readonly output: number;
  readonly nodes: TraceNode[];
  readonly bytesUsed: number;
}

/** Arity of an opcode: 0 for inputs and constants, else from core's primitive table. */
function arityOf(code: number): number {
  const prim = PRIM[codeName(code) as OpName] as { rule: { arity: number } } | undefined;
  return prim?.rule.arity ?? 0;
}

/** Record f at the problem's point and run the three sweeps; copy everything off the tape. */
export function traceProblem(p: Problem): Trace {
  const n = p.wrt.length;
  return withTape((tape) => {
    const rec = record(tape, (v: Scalar[]) => p.f(v), [...p.x], 'trace');
    const out = rec.outNodes[0] ?? -1;
    const N = tape.size;
    const adj = new Float64Array(N);
    const buf = new SweepBuffers(N, 1);
    if (out >= 0) {
      adj[out] = 1;
      reverseSweep(tape, adj);
      if (n > 0) buf.seed(0, 0, 1); // input node k is the k-th --wrt variable: seed e_0
      tangentSweep(tape, buf);
      hvpSweep(tape, adj, secondPartials(tape), buf);
    }
    const nodes: TraceNode[] = [];
    let s = 0;
    for (let i = 0; i < N; i++) {
      const code = tape.op[i]!;
      const k = arityOf(code);
      const args = Array.from(tape.arg.subarray(s, s + k));
      const partials = Array.from(tape.partial.subarray(s, s + k));
      s += k;
      const node: TraceNode = {
        index: i,
        op: codeName(code),
        args,
        partials,
        ...(i < n ? { name: p.wrt[i]! } : {}),
        primal: tape.value[i]!,
        tangent: buf.tangent(i, 0),
        adjoint: adj[i]!,
        adjointTangent: buf.adjointTangent(i, 0),
      };
      nodes.push(node);
    }
    if (s !== tape.argSize) throw new Error(`trace: argument slots ${s} ≠ tape.argSize ${tape.argSize} (a primitive outside core's table?)`);
    return { direction: p.wrt[0] ?? '', output: out, nodes, bytesUsed: tape.bytesUsed };
  });
}

/** The trace as an aligned table, with a legend. */
export function traceTable(t: Trace): string {
  const k = t.direction;
  const rows = t.nodes.map((nd) => [
    `%${nd.index}`,
    nd.name !== undefined ? `input ${nd.name}` : nd.op === 'const' ? `const ${fmt(nd.primal)}` : nd.op,
    nd.args.map((a) => `%${a}`).join(' '),
    nd.primal,
    nd.tangent,
    nd.adjoint,
    nd.adjointTangent,
  ]);
  const head = ['node', 'op', 'args', 'primal', `tangent (d/d${k})`, 'adjoint', 'adjoint tangent'];
  const body = table(rows, head).split('\n');
  const lines = body.map((l, i) => (i - 1 === t.output ? `${l}   ← output` : l));
  return [
    `tape: ${t.nodes.length} nodes, ${t.bytesUsed} bytes; tangents seeded with e_${k}`,
    ...lines,
    `adjoint = ∂f/∂node (reverse sweep); adjoint tangent = its derivative along e_${k} (forward-over-reverse):`,
    `on the inputs it is column ${k} of the Hessian.`,
  ].join('\n');
}

/** The trace as a Graphviz digraph: one box per node, edges from arguments labelled with the local partial. */
export function traceDot(t: Trace): string {
  const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const lines = ['digraph tape {', '  rankdir=BT;', '  node [shape=box, fontname="monospace"];'];
  for (const nd of t.nodes) {
    const title = nd.name !== undefined ? `input ${nd.name}` : nd.op === 'const' ? `const ${fmt(nd.primal)}` : nd.op;
    const label = [
      `%${nd.index} ${title}`,
      `primal ${fmt(nd.primal)}`,
      `tangent ${fmt(nd.tangent)}`,
      `adjoint ${fmt(nd.adjoint)}`,
      `adjoint tangent ${fmt(nd.adjointTangent)}`,
    ]
      .map(esc)
      .join('\\n');
    const style = nd.index === t.output ? ', style=bold' : nd.name !== undefined ? ', style=rounded' : '';
    lines.push(`  n${nd.index} [label="${label}"${style}];`);
    nd.args.forEach((a, j) => lines.push(`  n${a} -> n${nd.index} [label="${fmt(nd.partials[j]!)}"];`));
  }
  lines.push('}');
  return lines.join('\n');
}
