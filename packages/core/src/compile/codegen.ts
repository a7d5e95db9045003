/**
 * JavaScript source from a rerolled tape (reroll.ts): the tape's sweeps, written out as code.
 *
 * Arrays shared with the caller, indexed by slot (layout.ts: the tape's nodes that are not
 * held in locals, in tape order, constants last; inputs are slots 0 … n−1):
 *   v  values (inputs and constants filled in by the caller)      w  adjoints v̄
 *   t  tangents v̇ (inputs seeded by the caller)                   u  adjoint tangents (v̄)˙
 *
 * Programs:
 *   forward(v)          v[i] = value of node i, in tape order
 *   reverse(v, w, gx)   the gradient sweep of sweeps.ts `reverseSweep`: partials are computed
 *                       from v by the rule table's formulas (symbolic.ts), so nothing but
 *                       values is stored in the forward pass; the inputs' adjoints go to gx
 *                       (the caller's fresh result, length n) when layout.ts allows it
 *   tangent(v, t)       forward with tangents: sweeps.ts `tangentSweep` for one direction
 *   hvp(v, t, w, u, hx) `reverseSweep` and `hvpSweep` fused in one backward pass; the inputs'
 *                       adjoint tangents (H·v) go to hx likewise
 *
 * Every statement mirrors the interpreted sweep it replaces: the same products, accumulated
 * in the same order, with the same zero skipping (sweeps.ts, "Zero skipping"). For one
 * direction a row of the sweeps is "live" exactly when it can be non-zero, so testing for an
 * exact zero is the same skip. Results therefore equal the interpreted sweeps', except that
 * an exact zero may come out as −0 where the sweep gives +0. Each program also comes without
 * the zero-skipping guards ("fast"; see {@link generate} for why that is exact unless a result
 * is NaN), and a backward program reports which forward-written slots it reads, so that only
 * that part of the forward program runs before it (prelude.ts).
 *
 * The source contains opcodes' expressions, node indices, loop counts and literals of the
 * rule table — never a value of the tape.
 */
import { PRIMITIVE_OF_CODE, type Primitive } from '../rules.js';
import { PACKED } from '../sweeps.js';
import type { ArgInfo, Layout } from './layout.js';
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
 * also be written to its array slot (a value read outside the iteration). A constant argument
 * (layout.ts) has no adjoint slots (`w`, `u` undefined: nothing accumulates into them) and the
 * tangent {@link ZERO}; its value may be a local read once before the loops (`K12`).
 */
interface Ref {
  readonly v: string;
  readonly w?: string;
  readonly t: string;
  readonly u?: string;
  readonly vStore?: string;
  readonly tStore?: string;
}
/** The tangent of a constant: terms it multiplies are dropped at compile time. */
const ZERO = '0';
const arrayRef = (i: string): Ref => ({ v: `v[${i}]`, w: `w[${i}]`, t: `t[${i}]`, u: `u[${i}]` });
/** Name of the local holding the value of a hoisted constant (layout.ts), read from `slot` at the top of each function. */
const hoisted = (slot: number): string => `K${slot}`;

/** Reference to argument s of `it` at slot expression `e`: an array slot, or a constant. */
function argRef(ctx: Context, it: Item, s: number, e: Affine): Ref {
  const info = ctx.args.get(it)?.[s];
  if (info?.input === true && ctx.routeInputs) {
    // an input: its adjoint (gradient) or adjoint tangent (HVP) goes straight into the result
    // array the caller passes (gx, hx); the HVP program never needs the inputs' adjoints at all
    const i = affineJS(e);
    const r = arrayRef(i);
    const { w, u } = ctx.em.inputs ?? {};
    return { ...r, w: w === undefined ? undefined : `${w}[${i}]`, u: u === undefined ? undefined : `${u}[${i}]` };
  }
  if (info?.leaf === true && !info.constant) return arrayRef(affineJS(e)); // an input or a constant: never forward-written
  if (info === undefined || !info.constant) return storedRef(ctx, e);
  return { v: info.hoist >= 0 ? hoisted(info.hoist) : `v[${affineJS(e)}]`, t: ZERO };
}

/**
 * The array slots of an operation node, whose value and tangent only a forward program writes.
 * The expressions are noted with the loops around them, to tell afterwards which slots a
 * backward program reads ({@link GeneratedSource.reads}).
 */
function storedRef(ctx: Context, e: Affine): Ref {
  const r = arrayRef(affineJS(e));
  for (const text of [r.v, r.t]) {
    let list = ctx.stored.get(text);
    if (list === undefined) ctx.stored.set(text, (list = []));
    list.push({ e, loops: [...ctx.loops] });
  }
  return r;
}

/** A loop around generated code: its variable and its count. */
interface Loop {
  readonly k: string;
  readonly count: number;
}

/** Every slot that `e` takes over the ranges of `loops`. */
function enumerate(e: Affine, loops: readonly Loop[], into: Set<number>): void {
  const count = new Map(loops.map((l) => [l.k, l.count]));
  const go = (t: number, c: number): void => {
    if (t === e.terms.length) return void into.add(c);
    const [k, d] = e.terms[t]!;
    for (let i = 0; i < count.get(k)!; i++) go(t + 1, c + i * d);
  };
  go(0, e.c);
}

/** What to emit for one node, given its primitive and the references of itself and its arguments. */
type NodeEmitter = (p: Primitive, self: Ref, args: readonly Ref[], guards: boolean) => string[];

/** A program's per-node emitters: `node` for every node, `recompute` to rebuild an iteration's locals first (backward programs). */
interface Emitters {
  readonly node: NodeEmitter;
  readonly recompute?: NodeEmitter;
  /** Locals that the backward pass accumulates into (adjoints, adjoint tangents). */
  readonly accumulators: readonly ('w' | 'u')[];
  /**
   * Backward programs: the arrays that receive the inputs' adjoints and adjoint tangents — the
   * result arrays, fresh per call, indexed like slots 0 … n−1 (none: not computed; the HVP
   * program needs no adjoint of an input).
   */
  readonly inputs?: { readonly w?: string; readonly u?: string };
  /** Forward programs: what they compute per node (values, and tangents), carried from one iteration to the next for loop-carried nodes. */
  readonly carried?: readonly ('v' | 't')[];
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
  /** Loop-carried body nodes: [m, s] = the body node and argument that use it in the next iteration (locality.ts). */
  readonly carries: ReadonlyMap<Item, readonly [number, number]>;
}

/** What one program's emission needs: its emitters and what layout.ts proved about the items. */
interface Context {
  readonly em: Emitters;
  /** Expressions of forward-written slots met while emitting, with their loops (see {@link storedRef}). */
  readonly stored: Map<string, { e: Affine; loops: readonly Loop[] }[]>;
  /** The loops around the code being emitted. */
  readonly loops: Loop[];
  /** Emit the zero-skipping guards (see {@link generate}). */
  readonly guards: boolean;
  /** Send the inputs' adjoints to the result arrays (layout.ts, `inputsRouted`). */
  readonly routeInputs: boolean;
  readonly local: Locality;
  readonly args: ReadonlyMap<Item, readonly ArgInfo[]>;
}

/** Statements for `items` in order (or reversed, loops counting down), one block per node. */
function emitItems(items: readonly Item[], env: readonly Affine[], depth: number, reverse: boolean, ctx: Context, out: string[]): void {
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
      out.push(...ctx.em.node(PRIMITIVE_OF_CODE[it.code]!, storedRef(ctx, mine[0]!), mine.slice(1).map((a, s) => argRef(ctx, it, s, a)), ctx.guards));
      continue;
    }
    const k = `k${depth}`;
    const inner = mine.map((e, q) => (it.delta[q] === 0 ? e : { c: e.c, terms: [...e.terms, [k, it.delta[q]!] as const] }));
    const pre: string[] = [];
    const body: string[] = [];
    const peel: string[] = [];
    ctx.loops.push({ k, count: it.count });
    if (it.body.every((b) => b.kind === 'node')) emitIteration(it.body as NodeItem[], inner, { k, count: it.count }, reverse, ctx, body, pre, peel);
    else emitItems(it.body, inner, depth + 1, reverse, ctx, body);
    ctx.loops.pop();
    const loop = [reverse ? `for (let ${k} = ${it.count - 1}; ${k} >= ${peel.length > 0 ? 1 : 0}; ${k}--) {` : `for (let ${k} = 0; ${k} < ${it.count}; ${k}++) {`, ...body, '}'];
    if (peel.length > 0) loop.push('{', `const ${k} = 0;`, ...peel, '}'); // iteration 0, peeled (emitIteration)
    // a block scopes the locals declared before the loop (carried adjoints)
    out.push(...(pre.length > 0 ? ['{', ...pre, ...loop, '}'] : loop));
  }
}

/** The affine expression `e` with loop variable `k` fixed at `value`. */
const at = (e: Affine, k: string, value: number): Affine => ({
  c: e.c + e.terms.reduce((s, [name, d]) => (name === k ? s + d * value : s), 0),
  terms: e.terms.filter(([name]) => name !== k),
});

/**
 * The body of an innermost loop. Body node j is named `v<j>`, `t<j>` (its value and tangent, in
 * locals, written to the arrays too unless the node is iteration-local), and, if it is
 * iteration-local, `w<j>`, `u<j>` (its adjoint and adjoint tangent, starting at 0 in every
 * iteration). A backward program first recomputes the iteration's values (and tangents) into
 * the locals — the same operations on the same numbers — then runs its nodes in reverse. This
 * keeps the values, adjoints and tangents of iteration-local nodes out of memory altogether.
 *
 * A loop-carried node j (a running sum; locality.ts) used by argument s of body node m in the
 * next iteration: forward, its value (and tangent) reach node m through `pv<j>` (`pt<j>`), a
 * local set from the previous iteration. Backward, its adjoint is `w<j>` too, taken at the
 * start of the iteration from `cw<j>` (declared in `pre`, starting from its last instance's
 * array slot), into which node m then accumulates the adjoint of the previous iteration's
 * instance. In iteration 0 that argument is a node before the loop, which may be accumulated
 * into by other terms of the same iteration: so iteration 0 is emitted into `peel`, to run
 * after the loop, with that argument accumulated into its own slot at the very statement where
 * the interpreted sweep adds it (the order of additions is part of the result).
 */
function emitIteration(
  body: readonly NodeItem[],
  env: readonly Affine[],
  loop: { readonly k: string; readonly count: number },
  reverse: boolean,
  ctx: Context,
  out: string[],
  pre: string[],
  peel: string[],
): void {
  const { em, local } = ctx;
  const index: Affine[] = [];
  const argIndex: Affine[][] = [];
  let q = 0;
  for (const it of body) {
    index.push(env[q]!);
    argIndex.push(env.slice(q + 1, q + it.consts.length));
    q += it.consts.length;
  }
  // carries[j] = [m, s]; carriedBy: "m:s" → j; carried: the same, for adjoints (backward programs)
  const carries = body.map((it) => local.carries.get(it));
  const carriedBy = new Map<string, number>();
  carries.forEach((c, j) => c !== undefined && carriedBy.set(`${c[0]}:${c[1]}`, j));
  const carried = reverse ? carries : [];
  const inLocals = (j: number): boolean => local.local.get(body[j]!) === true || carried[j] !== undefined;
  const ref = (j: number, stores: boolean): Ref => {
    const isLocal = local.local.get(body[j]!) === true;
    const arr = arrayRef(affineJS(index[j]!));
    return {
      v: `v${j}`,
      t: `t${j}`,
      w: inLocals(j) ? `w${j}` : arr.w,
      u: inLocals(j) ? `u${j}` : arr.u,
      vStore: stores && !isLocal ? arr.v : undefined,
      tStore: stores && !isLocal ? arr.t : undefined,
    };
  };
  // Backward programs never write v or t, so each array value an iteration reads is loaded once,
  // into x<n> (the engine cannot know that v and t do not alias w and u, and would reload them).
  let loaded = new Map<string, string>();
  const load = (e: string): string => {
    if (!reverse || !/^[vt]\[/.test(e)) return e;
    let name = loaded.get(e);
    if (name === undefined) loaded.set(e, (name = `x${loaded.size}`));
    return name;
  };
  // An argument reads a body node's locals only where locality.ts proved it is that node in every
  // instance. `direct`: a carried argument is the node itself (iteration 0 of a backward loop).
  const argRefs = (j: number, stores: boolean, direct = false): Ref[] =>
    argIndex[j]!.map((a, s): Ref => {
      const m = local.links.get(body[j]!)?.[s] ?? -1;
      if (m >= 0 && m < j) return ref(m, stores);
      const c = direct ? undefined : carriedBy.get(`${j}:${s}`);
      if (c !== undefined && !reverse) return { ...arrayRef(affineJS(a)), v: `pv${c}`, t: `pt${c}` }; // the previous iteration's, from a local
      const r = c !== undefined ? { ...storedRef(ctx, a), w: `cw${c}`, u: `cu${c}` } : argRef(ctx, body[j]!, s, a);
      return { ...r, v: load(r.v), t: load(r.t) };
    });
  if (!reverse) {
    out.push(`let ${body.map((_, j) => `v${j}, t${j}`).join(', ')};`);
    // a loop-carried node's value (and tangent) reach the next iteration in a local, not through
    // its array slot (still written), so the iterations do not wait on a store and a load
    const vt = em.carried ?? [];
    const starts: string[] = [];
    carries.forEach((c, j) => {
      if (c === undefined) return;
      const first = affineJS(at(argIndex[c[0]]![c[1]]!, loop.k, 0));
      pre.push(`let ${vt.map((x) => `c${x}${j} = ${x}[${first}]`).join(', ')};`);
      starts.push(...vt.map((x) => `p${x}${j} = c${x}${j}`));
    });
    if (starts.length > 0) out.push(`const ${starts.join(', ')};`);
    body.forEach((it, j) => {
      out.push(...em.node(PRIMITIVE_OF_CODE[it.code]!, ref(j, true), argRefs(j, true), ctx.guards));
      if (carries[j] !== undefined) out.push(...vt.map((x) => `c${x}${j} = ${x}${j};`));
    });
    return;
  }
  const acc = em.accumulators;
  carried.forEach((c, j) => {
    if (c !== undefined) pre.push(`let ${acc.map((a) => `c${a}${j} = ${a}[${affineJS(at(index[j]!, loop.k, loop.count - 1))}]`).join(', ')};`);
  });
  out.push(...backwardIteration(false));
  // Iteration 0 of a loop with carried adjoints is emitted after the loop (peeled), with the
  // carried arguments' adjoints accumulated into their own slots — the nodes before the loop —
  // at the very statement where the interpreted sweep adds them, so the order of additions into
  // those slots is the recorded one.
  if (carried.some((c) => c !== undefined)) peel.push(...backwardIteration(true));

  /** One backward iteration: the recomputation it needs, then the nodes in reverse. */
  function backwardIteration(direct: boolean): string[] {
    loaded = new Map();
    const blocks = body.map((it, j) => em.recompute!(PRIMITIVE_OF_CODE[it.code]!, ref(j, false), argRefs(j, false, direct), ctx.guards));
    const backward: string[] = [];
    const starts: string[] = [];
    carried.forEach((c, j) => c !== undefined && starts.push(...acc.map((a) => `${a}${j} = c${a}${j}`)));
    const locals = body.map((_, j) => j).filter((j) => local.local.get(body[j]!) === true);
    const declared = [...starts, ...locals.flatMap((j) => acc.map((a) => `${a}${j} = 0`))];
    if (declared.length > 0) backward.push(`let ${declared.join(', ')};`);
    if (!direct) carried.forEach((c, j) => c !== undefined && backward.push(...acc.map((a) => `c${a}${j} = 0;`)));
    for (let j = body.length - 1; j >= 0; j--) backward.push(...em.node(PRIMITIVE_OF_CODE[body[j]!.code]!, ref(j, false), argRefs(j, false, direct), ctx.guards));
    // Recompute only what the backward part reads, directly or through another recomputed node
    // (so that no forward-written slot is loaded for nothing; see GeneratedSource.reads).
    let text = backward.join('\n');
    const kept: boolean[] = [];
    for (let j = body.length - 1; j >= 0; j--) {
      kept[j] = new RegExp(`\\b[vt]${j}\\b`).test(text);
      if (kept[j]) text += '\n' + blocks[j]!.join('\n');
    }
    const recompute = blocks.flatMap((b, j) => (kept[j] ? b : []));
    const used = [...loaded].filter(([, name]) => new RegExp(`\\b${name}\\b`).test(text)); // t is read only by hvp
    const lines = [`let ${body.map((_, j) => `v${j}, t${j}`).join(', ')};`];
    if (used.length > 0) lines.push(`const ${used.map(([e, name]) => `${name} = ${e}`).join(', ')};`);
    return [...lines, ...recompute, ...backward];
  }
}

/** Top-level items split into groups of at most this many emitted nodes, one function each. */
const NODES_PER_FUNCTION = 400;

const emittedNodes = (it: Item): number => (it.kind === 'node' ? 1 : it.body.reduce((s, b) => s + emittedNodes(b), 0));

/**
 * One program: a function per group of top-level items (so that no function is too large for
 * the optimising compiler), called in order, or in reverse order for a backward pass.
 */
function program(name: string, params: string, items: readonly Item[], reverse: boolean, ctx: Context): string {
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
    emitItems(group, env, 0, reverse, ctx, body);
    const constants = new Set([...body.join('\n').matchAll(/\bK(\d+)\b/g)].map((m) => Number(m[1])));
    body.unshift(...[...constants].map((slot) => `const ${hoisted(slot)} = v[${slot}];`));
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

/** `target += factor·p` for a partial p, skipping an exact-zero partial (sweeps.ts; with `guards`) and a constant's adjoint (no target). */
function accumulate(target: string | undefined, factor: string, p: PartialCode, name: string, guards: boolean): string[] {
  if (p.constant === 0 || target === undefined) return [];
  if (p.constant === 1) return [`${target} += ${factor};`];
  if (p.constant === -1) return [`${target} -= ${factor};`];
  if (p.constant !== undefined) return [`${target} += ${factor} * ${p.value};`];
  return [`${guards ? `if (${name} !== 0) ` : ''}${target} += ${factor} * ${name};`];
}

/** Statements defining the non-constant partials `d0, d1, …` of a node (those that `needed` keeps). */
function partialLines(codes: readonly PartialCode[], name: (j: number) => string, needed: (j: number) => boolean = () => true): string[] {
  const out: string[] = [];
  codes.forEach((c, j) => {
    if (c.constant !== undefined || !needed(j)) return;
    out.push(...c.lines, `const ${name(j)} = ${c.value};`);
  });
  return out;
}

const firstPartials = (p: Primitive): PartialCode[] => Array.from({ length: p.rule.arity }, (_, j) => first(p, j));

/**
 * Whether the terms `factor·pⱼ` for the arguments with a target all have a finite constant
 * partial. Then a zero factor adds ±0, which changes nothing but the sign of an exact zero, so
 * the zero-skipping guard on the factor is left out (it exists for 0·NaN; sweeps.ts).
 */
const finiteConstants = (d: readonly PartialCode[], targets: readonly (string | undefined)[]): boolean =>
  d.every((c, j) => targets[j] === undefined || (c.constant !== undefined && Number.isFinite(c.constant)));

/** `if (cond) { lines }`, or just the lines when `guard` is false. */
const when = (guard: boolean, cond: string, lines: readonly string[]): string[] => (lines.length === 0 ? [] : guard ? [`if (${cond}) {`, ...lines, '}'] : [...lines]);

// ------------------------------------------------------------------ the node emitters
const valueNode: NodeEmitter = (p, self, args) => assign(self, 'v', valueExpression(p, args.map((a) => a.v)));

const reverseNode: NodeEmitter = (p, self, args, guards) => {
  const d = firstPartials(p);
  const body = [...loads(self, args, d), ...partialLines(d, (j) => `p${j}`, (j) => args[j]!.w !== undefined)];
  d.forEach((c, j) => body.push(...accumulate(args[j]!.w, 'g', c, `p${j}`, guards)));
  if (body.length === 0) return [];
  return ['{', `const g = ${self.w};`, ...when(guards && !finiteConstants(d, args.map((a) => a.w)), 'g !== 0', body), '}'];
};

const tangentNode: NodeEmitter = (p, self, args, guards) => {
  const d = firstPartials(p);
  const lines = ['{', ...args.map((a, j) => `const ${OPERAND[j]} = ${a.v};`), `const y = ${valueExpression(p, OPERAND.slice(0, args.length))};`, ...assign(self, 'v', 'y')];
  lines.push(...partialLines(d, (j) => `p${j}`, (j) => args[j]!.t !== ZERO), 'let td = 0;');
  d.forEach((c, j) => {
    if (c.constant === 0 || args[j]!.t === ZERO) return;
    const s = `s${j}`;
    const term = c.constant === undefined ? `p${j} * ${s}` : c.constant === 1 ? s : `${c.value} * ${s}`;
    // a finite constant partial needs no guard: a zero tangent adds ±0 (see finiteConstants)
    if (!guards || (c.constant !== undefined && Number.isFinite(c.constant))) lines.push(`const ${s} = ${args[j]!.t};`, `td = td + ${term};`);
    else lines.push(`const ${s} = ${args[j]!.t};`, `if (${c.constant === undefined ? `p${j} !== 0 && ` : ''}${s} !== 0) td = td + ${term};`);
  });
  lines.push(...assign(self, 't', 'td'), '}');
  return lines;
};

const hvpNode: NodeEmitter = (p, self, args, guards) => {
  const n = args.length;
  const d = firstPartials(p);
  const h = Array.from({ length: (n * (n + 1)) / 2 }, (_, t) => second(p, t));
  const body = [...loads(self, args, [...d, ...h]), ...partialLines(d, (j) => `p${j}`, (j) => args[j]!.w !== undefined || args[j]!.u !== undefined)];
  // reverseSweep: v̄ⱼ += v̄ᵢ·∂vᵢ/∂vⱼ
  const grad: string[] = [];
  d.forEach((c, j) => grad.push(...accumulate(args[j]!.w, 'g', c, `p${j}`, guards)));
  body.push(...when(guards && !finiteConstants(d, args.map((a) => a.w)), 'g !== 0', grad));
  // hvpSweep, first-order terms: (v̄ⱼ)˙ += ∂vᵢ/∂vⱼ·(v̄ᵢ)˙
  const firstOrder: string[] = [];
  d.forEach((c, j) => firstOrder.push(...accumulate(args[j]!.u, 'gd', c, `p${j}`, guards)));
  body.push(...when(guards && !finiteConstants(d, args.map((a) => a.u)), 'gd !== 0', firstOrder));
  // hvpSweep, second-order terms: (v̄ⱼ)˙ += (v̄ᵢ·∂²vᵢ/∂vⱼ∂vₘ)·v̇ₘ for arguments m with a non-zero tangent
  const secondOrder: string[] = [];
  const used = new Set<number>();
  for (let m = 0; m < n; m++) {
    if (args[m]!.t === ZERO) continue;
    const terms: string[] = [];
    for (let j = 0; j < n; j++) {
      const t = PACKED[n]![j * n + m]!;
      const c = h[t]!;
      const target = args[j]!.u;
      if (c.constant === 0 || target === undefined) continue;
      used.add(t);
      const factor = c.constant === undefined ? `g * q${t}` : `g * ${c.value}`;
      const update = `${target} += (${factor}) * sm;`;
      terms.push(guards && c.constant === undefined ? `if (q${t} !== 0) ${update}` : update);
    }
    if (terms.length > 0) secondOrder.push('{', `const sm = ${args[m]!.t};`, ...when(guards, 'sm !== 0', terms), '}');
  }
  // (the g guard stays even for constant second partials: 0·NaN tangents must not leak)
  if (secondOrder.length > 0) body.push(...when(guards, 'g !== 0', [...partialLines(h, (t) => `q${t}`, (t) => used.has(t)), ...secondOrder]));
  const guarded = guards && (secondOrder.length > 0 || !finiteConstants(d, args.map((a) => a.w)));
  return ['{', `const g = ${self.w}, gd = ${self.u};`, ...when(guarded, 'g !== 0 || gd !== 0', body), '}'];
};

// ------------------------------------------------------------------ assembling a module
/** The generated source of the four programs, and the names of the functions it needs. */
export interface GeneratedSource {
  readonly source: string;
  /**
   * A backward program: the slots of operation nodes whose value or tangent it reads, which only
   * a forward program writes (a superset: an expression read anywhere counts everywhere). The
   * forward program need only compute those (compile/prelude.ts); if there are none — a sum of
   * terms, whose backward loop recomputes what it reads — a gradient needs no forward pass (f's
   * value aside) and an HVP no tangent pass.
   */
  readonly reads: ReadonlySet<number>;
  /** Tape nodes the items stand for, and statements' worth of nodes emitted (after rerolling). */
  readonly nodes: number;
  readonly emitted: number;
}

/** Which program to generate. */
export type ProgramKind = 'forward' | 'reverse' | 'tangent' | 'hvp';

const PROGRAMS: Record<ProgramKind, { params: string; reverse: boolean; em: Emitters }> = {
  forward: { params: 'v', reverse: false, em: { node: valueNode, accumulators: [], carried: ['v'] } },
  reverse: { params: 'v, w, gx', reverse: true, em: { node: reverseNode, recompute: valueNode, accumulators: ['w'], inputs: { w: 'gx' } } },
  tangent: { params: 'v, t', reverse: false, em: { node: tangentNode, accumulators: [], carried: ['v', 't'] } },
  hvp: { params: 'v, t, w, u, hx', reverse: true, em: { node: hvpNode, recompute: tangentNode, accumulators: ['w', 'u'], inputs: { u: 'hx' } } },
};

/**
 * The source of one program over rerolled items laid out in slots (layout.ts).
 *
 * With `guards` (the default) every term mirrors the interpreted sweeps' zero skipping. Without,
 * the terms with an exact-zero factor are computed too ("fast"). Such a term is ±0 when its
 * other factor is finite, which changes at most the sign of an exact zero, and NaN when it is
 * not; a NaN then flows, unguarded, into every adjoint below it, and so into the inputs' results
 * unless nothing below it is an input (and then it changes no input's result either). Hence: if
 * a fast program's results contain no NaN they equal the guarded program's, up to the sign of
 * zeros; if they do, the caller runs the guarded one (api/compile.ts).
 */
export function generate(kind: ProgramKind, { items, locality, args, inputsRouted }: Pick<Layout, 'items' | 'locality' | 'args' | 'inputsRouted'>, guards = true): GeneratedSource {
  const { params, reverse, em } = PROGRAMS[kind];
  const stored: Context['stored'] = new Map();
  const source = program(kind, params, items, reverse, { em, local: locality, args, guards, routeInputs: inputsRouted, stored, loops: [] });
  const reads = new Set<number>();
  if (reverse) for (const [text, refs] of stored) if (source.includes(text)) for (const r of refs) enumerate(r.e, r.loops, reads);
  return {
    source,
    reads,
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
