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
import { nodeCount, type Item } from './reroll.js';
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

/** What to emit for one node, given its opcode, its index expression and its arguments'. */
type NodeEmitter = (p: Primitive, i: string, args: readonly string[]) => string[];

/** Statements for `items` in order (or reversed, loops counting down), one block per node. */
function emitItems(items: readonly Item[], env: readonly Affine[], depth: number, reverse: boolean, node: NodeEmitter, out: string[]): void {
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
      out.push(...node(PRIMITIVE_OF_CODE[it.code]!, affineJS(mine[0]!), mine.slice(1).map(affineJS)));
      continue;
    }
    const k = `k${depth}`;
    const inner = mine.map((e, q) => (it.delta[q] === 0 ? e : { c: e.c, terms: [...e.terms, [k, it.delta[q]!] as const] }));
    out.push(reverse ? `for (let ${k} = ${it.count - 1}; ${k} >= 0; ${k}--) {` : `for (let ${k} = 0; ${k} < ${it.count}; ${k}++) {`);
    emitItems(it.body, inner, depth + 1, reverse, node, out);
    out.push('}');
  }
}

/** Top-level items split into groups of at most this many emitted nodes, one function each. */
const NODES_PER_FUNCTION = 400;

const emittedNodes = (it: Item): number => (it.kind === 'node' ? 1 : it.body.reduce((s, b) => s + emittedNodes(b), 0));

/**
 * One program: a function per group of top-level items (so that no function is too large for
 * the optimising compiler), called in order, or in reverse order for a backward pass.
 */
function program(name: string, params: string, items: readonly Item[], reverse: boolean, node: NodeEmitter): string {
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
    emitItems(group, env, 0, reverse, node, body);
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

/** `const y = v[i], a = v[A], …` for the names that `codes` read. */
function loads(i: string, args: readonly string[], codes: readonly PartialCode[]): string[] {
  const names = new Set<string>();
  for (const c of codes) for (const r of c.reads) names.add(r);
  const out: string[] = [];
  if (names.has('y')) out.push(`const y = v[${i}];`);
  args.forEach((a, j) => {
    if (names.has(OPERAND[j]!)) out.push(`const ${OPERAND[j]} = v[${a}];`);
  });
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
const forwardNode: NodeEmitter = (p, i, args) => [`v[${i}] = ${valueExpression(p, args.map((a) => `v[${a}]`))};`];

const reverseNode: NodeEmitter = (p, i, args) => {
  const d = firstPartials(p);
  const body = [...loads(i, args, d), ...partialLines(d, (j) => `p${j}`)];
  d.forEach((c, j) => body.push(...accumulate(`w[${args[j]}]`, 'g', c, `p${j}`)));
  if (body.length === 0) return [];
  return ['{', `const g = w[${i}];`, 'if (g !== 0) {', ...body, '}', '}'];
};

const tangentNode: NodeEmitter = (p, i, args) => {
  const d = firstPartials(p);
  const lines = ['{', ...args.map((a, j) => `const ${OPERAND[j]} = v[${a}];`), `const y = ${valueExpression(p, OPERAND.slice(0, args.length))};`, `v[${i}] = y;`];
  lines.push(...partialLines(d, (j) => `p${j}`), 'let td = 0;');
  d.forEach((c, j) => {
    if (c.constant === 0) return;
    const s = `s${j}`;
    const term = c.constant === undefined ? `p${j} * ${s}` : c.constant === 1 ? s : `${c.value} * ${s}`;
    const guard = c.constant === undefined ? `p${j} !== 0 && ${s} !== 0` : `${s} !== 0`;
    lines.push(`const ${s} = t[${args[j]}];`, `if (${guard}) td = td + ${term};`);
  });
  lines.push(`t[${i}] = td;`, '}');
  return lines;
};

/** PACKED[n][j·n + m]: position of ∂²/∂argⱼ∂argₘ in a node's packed second partials (as sweeps.ts). */
const packedIndex = (n: number, j: number, m: number): number => {
  const r = Math.min(j, m);
  const c = Math.max(j, m);
  return r * n - (r * (r - 1)) / 2 + (c - r);
};

const hvpNode: NodeEmitter = (p, i, args) => {
  const n = args.length;
  const d = firstPartials(p);
  const h = Array.from({ length: (n * (n + 1)) / 2 }, (_, t) => second(p, t));
  const body = [...loads(i, args, [...d, ...h]), ...partialLines(d, (j) => `p${j}`)];
  // reverseSweep: v̄ⱼ += v̄ᵢ·∂vᵢ/∂vⱼ
  const grad: string[] = [];
  d.forEach((c, j) => grad.push(...accumulate(`w[${args[j]}]`, 'g', c, `p${j}`)));
  if (grad.length > 0) body.push('if (g !== 0) {', ...grad, '}');
  // hvpSweep, first-order terms: (v̄ⱼ)˙ += ∂vᵢ/∂vⱼ·(v̄ᵢ)˙
  const firstOrder: string[] = [];
  d.forEach((c, j) => firstOrder.push(...accumulate(`u[${args[j]}]`, 'gd', c, `p${j}`)));
  if (firstOrder.length > 0) body.push('if (gd !== 0) {', ...firstOrder, '}');
  // hvpSweep, second-order terms: (v̄ⱼ)˙ += (v̄ᵢ·∂²vᵢ/∂vⱼ∂vₘ)·v̇ₘ for arguments m with a non-zero tangent
  const secondOrder: string[] = [];
  if (h.some((c) => c.constant !== 0)) {
    secondOrder.push(...partialLines(h, (t) => `q${t}`));
    for (let m = 0; m < n; m++) {
      const terms: string[] = [];
      for (let j = 0; j < n; j++) {
        const t = packedIndex(n, j, m);
        const c = h[t]!;
        if (c.constant === 0) continue;
        const factor = c.constant === undefined ? `g * q${t}` : `g * ${c.value}`;
        const update = `u[${args[j]}] += (${factor}) * sm;`;
        terms.push(c.constant === undefined ? `if (q${t} !== 0) ${update}` : update);
      }
      if (terms.length > 0) secondOrder.push('{', `const sm = t[${args[m]}];`, 'if (sm !== 0) {', ...terms, '}', '}');
    }
  }
  if (secondOrder.length > 0) body.push('if (g !== 0) {', ...secondOrder, '}');
  return ['{', `const g = w[${i}], gd = u[${i}];`, 'if (g !== 0 || gd !== 0) {', ...body, '}', '}'];
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

const PROGRAMS: Record<ProgramKind, { params: string; reverse: boolean; node: NodeEmitter }> = {
  forward: { params: 'v', reverse: false, node: forwardNode },
  reverse: { params: 'v, w', reverse: true, node: reverseNode },
  tangent: { params: 'v, t', reverse: false, node: tangentNode },
  hvp: { params: 'v, t, w, u', reverse: true, node: hvpNode },
};

/** The source of one program over rerolled items. */
export function generate(kind: ProgramKind, items: readonly Item[]): GeneratedSource {
  const { params, reverse, node } = PROGRAMS[kind];
  return {
    source: program(kind, params, items, reverse, node),
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
