/**
 * JavaScript source from a rerolled tape (reroll.ts): the tape's sweeps, written out as code.
 *
 * Arrays shared with the caller, indexed by tape node:
 *   v  values (inputs and constants filled in by the caller)      w  adjoints v̄
 *   t  tangents v̇ (inputs seeded by the caller)                   u  adjoint tangents (v̄)˙
 *
 * Programs:
 *   forward(v)          v[i] = value of node i, in tape order
 *   reverse(v, w)       the gradient sweep of sweeps.ts `reverseSweep`: partials are computed
 *                       from v by the rule table's formulas (symbolic.ts), so nothing but
 *                       values is stored in the forward pass
 *   tangent(v, t)       forward with tangents: sweeps.ts `tangentSweep` for one direction
 *   hvp(v, t, w, u)     `reverseSweep` and `hvpSweep` fused in one backward pass
 *
 * Every statement mirrors the interpreted sweep it replaces: the same products, accumulated
 * in the same order, with the same zero skipping (sweeps.ts, "Zero skipping"). For one
 * direction a row of the sweeps is "live" exactly when it can be non-zero, so testing for an
 * exact zero is the same skip. Results therefore equal the interpreted sweeps', except that
 * an exact zero may come out as −0 where the sweep gives +0.
 *
 * The source contains opcodes' expressions, node indices, loop counts and literals of the
 * rule table — never a value of the tape.
 */
import { PRIMITIVE_OF_CODE, type Primitive } from '../rules.js';
import { PACKED } from '../sweeps.js';
import { nodeCount, type Item, type NodeItem } from './reroll.js';
import { partialCode, valueExpression, type PartialCode } from './symbolic.js';

/** An index expression: c + Σ k_l·d_l over enclosing loop variables. */
interface Affine {
  readonly c: number;
  readonly terms: readonly (readonly [string, number])[];
}

const affineJS = ({ c, terms }: Affine): string => {
  let s = terms.length === 0 || c !== 0 ? String(c) : '';
  for (const [k, d] of terms) {
    const term = d === 1 ? k : `${k} * ${d}`;
    s = s === '' ? term : d < 0 ? `${s} - ${d === -1 ? k : `${k} * ${-d}`}` : `${s} + ${term}`;
  }
  return s;
};

/**
 * Where a node's four quantities live in generated code: array slots (`v[17]`) or, inside an
 * innermost loop, locals of the iteration (`v3`). `vStore`/`tStore` are set when a local must
 * also be written to its array slot (a value read outside the iteration).
 */
interface Ref {
  readonly v: string;
  readonly w: string;
  readonly t: string;
  readonly u: string;
  readonly vStore?: string;
  readonly tStore?: string;
}
const arrayRef = (i: string): Ref => ({ v: `v[${i}]`, w: `w[${i}]`, t: `t[${i}]`, u: `u[${i}]` });

/** What to emit for one node, given its primitive and the references of itself and its arguments. */
type NodeEmitter = (p: Primitive, self: Ref, args: readonly Ref[]) => string[];

/** A program's per-node emitters: `node` for every node, `recompute` to rebuild an iteration's locals first (backward programs). */
interface Emitters {
  readonly node: NodeEmitter;
  readonly recompute?: NodeEmitter;
  /** Locals that the backward pass accumulates into (adjoints, adjoint tangents). */
  readonly accumulators: readonly ('w' | 'u')[];
}

/**
 * What the compiler knows about the tape beyond the items (locality.ts): for each operation
 * NodeItem of an innermost loop, whether every instance of it is used only inside its own
 * iteration (then its value, tangent, adjoint and adjoint tangent are locals), and for each of
 * its arguments the body node it refers to in the same iteration in every instance (−1 if not).
 */
export interface Locality {
  readonly local: ReadonlyMap<Item, boolean>;
  readonly links: ReadonlyMap<Item, Int32Array>;
}
const NO_LOCALITY: Locality = { local: new Map(), links: new Map() };

/** Statements for `items` in order (or reversed, loops counting down), one block per node. */
function emitItems(items: readonly Item[], env: readonly Affine[], depth: number, reverse: boolean, em: Emitters, local: Locality, out: string[]): void {
  const starts: number[] = [];
  let pos = 0;
  for (const it of items) {
    starts.push(pos);
    pos += it.consts.length;
  }
  for (let r = 0; r < items.length; r++) {
    const idx = reverse ? items.length - 1 - r : r;
    const it = items[idx]!;
    const mine = env.slice(starts[idx]!, starts[idx]! + it.consts.length);
    if (it.kind === 'node') {
      out.push(...em.node(PRIMITIVE_OF_CODE[it.code]!, arrayRef(affineJS(mine[0]!)), mine.slice(1).map((a) => arrayRef(affineJS(a)))));
      continue;
    }
    const k = `k${depth}`;
    const inner = mine.map((e, q) => (it.delta[q] === 0 ? e : { c: e.c, terms: [...e.terms, [k, it.delta[q]!] as const] }));
    out.push(reverse ? `for (let ${k} = ${it.count - 1}; ${k} >= 0; ${k}--) {` : `for (let ${k} = 0; ${k} < ${it.count}; ${k}++) {`);
    if (it.body.every((b) => b.kind === 'node')) emitIteration(it.body as NodeItem[], inner, reverse, em, local, out);
    else emitItems(it.body, inner, depth + 1, reverse, em, local, out);
    out.push('}');
  }
}

/**
 * The body of an innermost loop. Body node j is named `v<j>`, `t<j>` (its value and tangent, in
 * locals, written to the arrays too unless the node is iteration-local), and, if it is
 * iteration-local, `w<j>`, `u<j>` (its adjoint and adjoint tangent, starting at 0 in every
 * iteration). A backward program first recomputes the iteration's values (and tangents) into
 * the locals — the same operations on the same numbers — then runs its nodes in reverse. This
 * keeps the values, adjoints and tangents of iteration-local nodes out of memory altogether.
 */
function emitIteration(body: readonly NodeItem[], env: readonly Affine[], reverse: boolean, em: Emitters, local: Locality, out: string[]): void {
  const index: string[] = [];
  const argIndex: string[][] = [];
  let q = 0;
  for (const it of body) {
    index.push(affineJS(env[q]!));
    argIndex.push(Array.from({ length: it.consts.length - 1 }, (_, m) => affineJS(env[q + 1 + m]!)));
    q += it.consts.length;
  }
  const ref = (j: number, stores: boolean): Ref => {
    const isLocal = local.local.get(body[j]!) === true;
    const arr = arrayRef(index[j]!);
    return {
      v: `v${j}`,
      t: `t${j}`,
      w: isLocal ? `w${j}` : arr.w,
      u: isLocal ? `u${j}` : arr.u,
      vStore: stores && !isLocal ? arr.v : undefined,
      tStore: stores && !isLocal ? arr.t : undefined,
    };
  };
  // An argument reads a body node's locals only where locality.ts proved it is that node in every instance.
  const argRefs = (j: number, stores: boolean): Ref[] =>
    argIndex[j]!.map((a, s) => {
      const m = local.links.get(body[j]!)?.[s] ?? -1;
      return m >= 0 && m < j ? ref(m, stores) : arrayRef(a);
    });
  out.push(`let ${body.map((_, j) => `v${j}, t${j}`).join(', ')};`);
  if (!reverse) {
    body.forEach((it, j) => out.push(...em.node(PRIMITIVE_OF_CODE[it.code]!, ref(j, true), argRefs(j, true))));
    return;
  }
  body.forEach((it, j) => out.push(...em.recompute!(PRIMITIVE_OF_CODE[it.code]!, ref(j, false), argRefs(j, false))));
  const locals = body.map((_, j) => j).filter((j) => local.local.get(body[j]!) === true);
  if (locals.length > 0) out.push(`let ${locals.flatMap((j) => em.accumulators.map((a) => `${a}${j} = 0`)).join(', ')};`);
  for (let j = body.length - 1; j >= 0; j--) out.push(...em.node(PRIMITIVE_OF_CODE[body[j]!.code]!, ref(j, false), argRefs(j, false)));
}

/** Top-level items split into groups of at most this many emitted nodes, one function each. */
const NODES_PER_FUNCTION = 400;

const emittedNodes = (it: Item): number => (it.kind === 'node' ? 1 : it.body.reduce((s, b) => s + emittedNodes(b), 0));

/**
 * One program: a function per group of top-level items (so that no function is too large for
 * the optimising compiler), called in order, or in reverse order for a backward pass.
 */
function program(name: string, params: string, items: readonly Item[], reverse: boolean, em: Emitters, local: Locality): string {
  const groups: Item[][] = [];
  let size = Infinity;
  for (const it of items) {
    const n = emittedNodes(it);
    if (size + n > NODES_PER_FUNCTION) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(it);
    size += n;
  }
  const parts: string[] = [];
  const calls: string[] = [];
  groups.forEach((group, g) => {
    const env: Affine[] = [];
    for (const it of group) for (const c of it.consts) env.push({ c, terms: [] });
    const body: string[] = [];
    emitItems(group, env, 0, reverse, em, local, body);
    parts.push(`function ${name}${g}(${params}) {\n${indent(body)}\n}`);
    calls.push(`${name}${g}(${params});`);
  });
  if (reverse) calls.reverse();
  parts.push(`function ${name}(${params}) {\n${indent(calls)}\n}`);
  return parts.join('\n');
}

function indent(lines: readonly string[]): string {
  let depth = 1;
  return lines
    .map((l) => {
      if (l.startsWith('}')) depth--;
      const s = '  '.repeat(depth) + l;
      if (l.endsWith('{')) depth++;
      return s;
    })
    .join('\n');
}

// ------------------------------------------------------------------ partials, cached per opcode
const firstCache = new Map<string, PartialCode>();
const secondCache = new Map<string, PartialCode>();
function first(p: Primitive, j: number): PartialCode {
  const key = `${p.code}:${j}`;
  let c = firstCache.get(key);
  if (c === undefined) firstCache.set(key, (c = partialCode(p, j, false, `d${j}_`)));
  return c;
}
function second(p: Primitive, t: number): PartialCode {
  const key = `${p.code}:${t}`;
  let c = secondCache.get(key);
  if (c === undefined) secondCache.set(key, (c = partialCode(p, t, true, `h${t}_`)));
  return c;
}

const OPERAND = ['a', 'b', 'c'];

/** `const y = …, a = …` for the names that `codes` read. */
function loads(self: Ref, args: readonly Ref[], codes: readonly PartialCode[]): string[] {
  const names = new Set<string>();
  for (const c of codes) for (const r of c.reads) names.add(r);
  const out: string[] = [];
  if (names.has('y')) out.push(`const y = ${self.v};`);
  args.forEach((a, j) => {
    if (names.has(OPERAND[j]!)) out.push(`const ${OPERAND[j]} = ${a.v};`);
  });
  return out;
}

/** `ref.v = expr` (and its array slot too, when the reference says so). */
function assign(ref: Ref, which: 'v' | 't', expr: string): string[] {
  const store = which === 'v' ? ref.vStore : ref.tStore;
  const out = [`${ref[which]} = ${expr};`];
  if (store !== undefined) out.push(`${store} = ${ref[which]};`);
  return out;
}

/** `target += factor·p` for a partial p, skipping an exact-zero partial (sweeps.ts). */
function accumulate(target: string, factor: string, p: PartialCode, name: string): string[] {
  if (p.constant === 0) return [];
  if (p.constant === 1) return [`${target} += ${factor};`];
  if (p.constant === -1) return [`${target} -= ${factor};`];
  if (p.constant !== undefined) return [`${target} += ${factor} * ${p.value};`];
  return [`if (${name} !== 0) ${target} += ${factor} * ${name};`];
}

/** Statements defining the non-constant partials `d0, d1, …` of a node. */
function partialLines(codes: readonly PartialCode[], name: (j: number) => string): string[] {
  const out: string[] = [];
  codes.forEach((c, j) => {
    if (c.constant !== undefined) return;
    out.push(...c.lines, `const ${name(j)} = ${c.value};`);
  });
  return out;
}

const firstPartials = (p: Primitive): PartialCode[] => Array.from({ length: p.rule.arity }, (_, j) => first(p, j));

// ------------------------------------------------------------------ the node emitters
const valueNode: NodeEmitter = (p, self, args) => assign(self, 'v', valueExpression(p, args.map((a) => a.v)));

const reverseNode: NodeEmitter = (p, self, args) => {
  const d = firstPartials(p);
  const body = [...loads(self, args, d), ...partialLines(d, (j) => `p${j}`)];
  d.forEach((c, j) => body.push(...accumulate(args[j]!.w, 'g', c, `p${j}`)));
  if (body.length === 0) return [];
  return ['{', `const g = ${self.w};`, 'if (g !== 0) {', ...body, '}', '}'];
};

const tangentNode: NodeEmitter = (p, self, args) => {
  const d = firstPartials(p);
  const lines = ['{', ...args.map((a, j) => `const ${OPERAND[j]} = ${a.v};`), `const y = ${valueExpression(p, OPERAND.slice(0, args.length))};`, ...assign(self, 'v', 'y')];
  lines.push(...partialLines(d, (j) => `p${j}`), 'let td = 0;');
  d.forEach((c, j) => {
    if (c.constant === 0) return;
    const s = `s${j}`;
    const term = c.constant === undefined ? `p${j} * ${s}` : c.constant === 1 ? s : `${c.value} * ${s}`;
    const guard = c.constant === undefined ? `p${j} !== 0 && ${s} !== 0` : `${s} !== 0`;
    lines.push(`const ${s} = ${args[j]!.t};`, `if (${guard}) td = td + ${term};`);
  });
  lines.push(...assign(self, 't', 'td'), '}');
  return lines;
};

const hvpNode: NodeEmitter = (p, self, args) => {
  const n = args.length;
  const d = firstPartials(p);
  const h = Array.from({ length: (n * (n + 1)) / 2 }, (_, t) => second(p, t));
  const body = [...loads(self, args, [...d, ...h]), ...partialLines(d, (j) => `p${j}`)];
  // reverseSweep: v̄ⱼ += v̄ᵢ·∂vᵢ/∂vⱼ
  const grad: string[] = [];
  d.forEach((c, j) => grad.push(...accumulate(args[j]!.w, 'g', c, `p${j}`)));
  if (grad.length > 0) body.push('if (g !== 0) {', ...grad, '}');
  // hvpSweep, first-order terms: (v̄ⱼ)˙ += ∂vᵢ/∂vⱼ·(v̄ᵢ)˙
  const firstOrder: string[] = [];
  d.forEach((c, j) => firstOrder.push(...accumulate(args[j]!.u, 'gd', c, `p${j}`)));
  if (firstOrder.length > 0) body.push('if (gd !== 0) {', ...firstOrder, '}');
  // hvpSweep, second-order terms: (v̄ⱼ)˙ += (v̄ᵢ·∂²vᵢ/∂vⱼ∂vₘ)·v̇ₘ for arguments m with a non-zero tangent
  const secondOrder: string[] = [];
  if (h.some((c) => c.constant !== 0)) {
    secondOrder.push(...partialLines(h, (t) => `q${t}`));
    for (let m = 0; m < n; m++) {
      const terms: string[] = [];
      for (let j = 0; j < n; j++) {
        const t = PACKED[n]![j * n + m]!;
        const c = h[t]!;
        if (c.constant === 0) continue;
        const factor = c.constant === undefined ? `g * q${t}` : `g * ${c.value}`;
        const update = `${args[j]!.u} += (${factor}) * sm;`;
        terms.push(c.constant === undefined ? `if (q${t} !== 0) ${update}` : update);
      }
      if (terms.length > 0) secondOrder.push('{', `const sm = ${args[m]!.t};`, 'if (sm !== 0) {', ...terms, '}', '}');
    }
  }
  if (secondOrder.length > 0) body.push('if (g !== 0) {', ...secondOrder, '}');
  return ['{', `const g = ${self.w}, gd = ${self.u};`, 'if (g !== 0 || gd !== 0) {', ...body, '}', '}'];
};

// ------------------------------------------------------------------ assembling a module
/** The generated source of the four programs, and the names of the functions it needs. */
export interface GeneratedSource {
  readonly source: string;
  /** Tape nodes the items stand for, and statements' worth of nodes emitted (after rerolling). */
  readonly nodes: number;
  readonly emitted: number;
}

/** Which program to generate. */
export type ProgramKind = 'forward' | 'reverse' | 'tangent' | 'hvp';

const PROGRAMS: Record<ProgramKind, { params: string; reverse: boolean; em: Emitters }> = {
  forward: { params: 'v', reverse: false, em: { node: valueNode, accumulators: [] } },
  reverse: { params: 'v, w', reverse: true, em: { node: reverseNode, recompute: valueNode, accumulators: ['w'] } },
  tangent: { params: 'v, t', reverse: false, em: { node: tangentNode, accumulators: [] } },
  hvp: { params: 'v, t, w, u', reverse: true, em: { node: hvpNode, recompute: tangentNode, accumulators: ['w', 'u'] } },
};

/** The source of one program over rerolled items. */
export function generate(kind: ProgramKind, items: readonly Item[], local: Locality = NO_LOCALITY): GeneratedSource {
  const { params, reverse, em } = PROGRAMS[kind];
  return {
    source: program(kind, params, items, reverse, em, local),
    nodes: items.reduce((s, it) => s + nodeCount(it), 0),
    emitted: items.reduce((s, it) => s + emittedNodes(it), 0),
  };
}

/** The functions of the rule table a source calls (F<code>, D<code>_<j>, DD<code>_<t>). */
export function ruleFunctions(source: string): Map<string, (...args: number[]) => number> {
  const out = new Map<string, (...args: number[]) => number>();
  for (const [name] of source.matchAll(/\b(?:F|D|DD)\d+(?:_\d+)?\b/g)) {
    if (out.has(name)) continue;
    const m = /^(F|DD|D)(\d+)(?:_(\d+))?$/.exec(name)!;
    const rule = PRIMITIVE_OF_CODE[Number(m[2])]!.rule;
    const fn = m[1] === 'F' ? rule.value : m[1] === 'D' ? rule.d[Number(m[3])] : rule.dd[Number(m[3])];
    out.set(name, fn as (...args: number[]) => number);
  }
  return out;
}

/**
 * Compile sources into functions. The rule functions they call are passed in as parameters;
 * the text itself holds only what this module wrote (see the file comment).
 */
export function instantiate<T>(source: string, entry: string): T {
  const fns = ruleFunctions(source);
  const names = [...fns.keys()];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the tape's opcodes and indices only
  const factory = new Function(...names, `'use strict';\n${source}\nreturn ${entry};`) as (...f: unknown[]) => T;
  return factory(...names.map((n) => fns.get(n)));
}
