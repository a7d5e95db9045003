/**
 * The four workload suites of issue 5 (W1–W4): each size of each workload is one table with
 * plain f, the closed forms, dualtape (every Hessian strategy that applies) and the peers.
 */
import { measure, type Task } from '../lib/harness.js';
import { byMode, type Mode } from '../lib/modes.js';
import { peerCases } from '../peers/load.js';
import { dualtapeCases, type DualtapeRows } from '../workloads/dualtape-cases.js';
import type { Problem } from '../workloads/problem.js';
import { gaussianProblem, mlpWorkload, rosenbrockProblem } from '../workloads/zoo-problems.js';
import type { Suite } from './suite.js';

type Strategy = NonNullable<DualtapeRows['strategies']>[number];

interface WorkloadSpec {
  readonly name: string;
  readonly title: string;
  readonly sizes: Record<Mode, readonly number[]>;
  readonly make: (n: number) => Problem;
  readonly tasks: readonly ('gradient' | 'hvp' | 'hessian')[];
  /** Hessian strategies beyond dense-default, per size and mode (the slow ones are limited by the time budget). */
  readonly strategies: (n: number, mode: Mode) => readonly Strategy[];
  readonly notes: readonly string[];
  /** Peer tasks not run at this size in this mode, with the reason (time budget). */
  readonly peerSkip?: (n: number, mode: Mode) => Partial<Record<'gradient' | 'hvp' | 'hessian', string>>;
}

const QUICK_SKIP = 'not run in --quick mode (seconds per call); see a full run';

const ALL: readonly Strategy[] = ['chunk1', 'hvpColumns', 'fd', 'sparse'];
const STRATEGY_NAMES: Record<Strategy, string> = { chunk1: 'dense chunk 1', hvpColumns: 'n × hvp', fd: 'FD of gradient', sparse: 'sparse' };

const PEER_NOTES = [
  'tfjs: pure-JS cpu backend, float32 inputs and arithmetic (its errors are float32 rounding unless they are ≫ 1e-6). Its Hessian takes B columns per nested tf.grad call over B stacked copies of x (TF.js has no vmap/jacobian); a column-at-a-time loop would cost n × its HVP row instead.',
  'jax-js: wasm backend, float64 arrays, every transformation jitted; its float64 exp/tanh/log are approximations good to ~1e-8 relative, which bounds its W4 accuracy.',
];

function workloadSuite(spec: WorkloadSpec): Suite {
  return {
    name: spec.name,
    title: spec.title,
    issues: [5],
    async run(ctx) {
      const tables = byMode(ctx.mode, spec.sizes).map((n) => {
        const p = spec.make(n);
        const tasks = spec.tasks;
        const strategies = spec.strategies(n, ctx.mode);
        const left = tasks.includes('hessian') ? ALL.filter((s) => !strategies.includes(s)).map((s) => STRATEGY_NAMES[s]) : [];
        const budgetNote = left.length ? [`Left out at this size in ${ctx.mode} mode to stay within the run's time budget: ${left.join(', ')} (the smoke test still runs them).`] : [];
        return {
          id: p.id,
          title: p.title,
          cases: [...dualtapeCases(p, { tasks: tasks as readonly Task[], strategies }), ...peerCases(ctx.peers, p, tasks, spec.peerSkip?.(n, ctx.mode))],
          notes: [...spec.notes, ...budgetNote, ...PEER_NOTES],
        };
      });
      return { tables: await measure(spec.name, tables, ctx.mode, ctx.folder) };
    },
  };
}

export const w1Gaussian = workloadSuite({
  name: 'w1-gaussian',
  title: 'W1 — Gaussian NLL over n samples: gradient, one HVP, full 2n×2n Hessian',
  sizes: { full: [10, 100, 1000], quick: [1000], smoke: [4] },
  peerSkip: (n, mode) => (mode === 'quick' && n >= 1000 ? { hessian: QUICK_SKIP } : {}),
  make: gaussianProblem,
  tasks: ['gradient', 'hvp', 'hessian'],
  strategies: (n, mode) => (mode === 'smoke' || n <= 100 ? ALL : mode === 'full' ? ['chunk1', 'sparse'] : ['sparse']),
  notes: ['Closed form: the 2×2 per-sample blocks [[1/σ², 2r/σ³], [2r/σ³, 3r²/σ⁴ − 1/σ²]] written into the dense 2n×2n matrix.'],
});

export const w2Rosenbrock = workloadSuite({
  name: 'w2-rosenbrock',
  title: 'W2 — extended Rosenbrock: gradient and full Hessian',
  sizes: { full: [10, 100, 1000], quick: [100, 1000], smoke: [6] },
  peerSkip: (n, mode) => (mode === 'quick' && n >= 1000 ? { hessian: QUICK_SKIP } : {}),
  make: (n) => rosenbrockProblem(n),
  tasks: ['gradient', 'hessian'],
  strategies: (n, mode) => (mode === 'smoke' || n <= 100 ? ALL : mode === 'full' ? ['chunk1', 'sparse'] : ['sparse']),
  notes: ['Closed form: the tridiagonal Hessian written into the dense n×n matrix.'],
});

export const w3Hvp = workloadSuite({
  name: 'w3-hvp',
  title: 'W3 — one HVP of extended Rosenbrock at large n',
  sizes: { full: [10_000, 100_000], quick: [10_000], smoke: [50] },
  make: (n) => rosenbrockProblem(n, `W3 n=${n}`),
  tasks: ['gradient', 'hvp'],
  strategies: () => [],
  notes: ['Closed form: the tridiagonal H·v in O(n) (zoo rosenbrockHvp). The gradient rows are there for the HVP/gradient ratio.'],
});

export const w4Mlp = workloadSuite({
  name: 'w4-mlp',
  title: 'W4 — MLP 1-16-16-2 (tanh), outputs μ and log σ, Gaussian NLL over 400 samples: gradient, one HVP, full 338×338 Hessian',
  sizes: { full: [400], quick: [400], smoke: [8] },
  peerSkip: (_n, mode) => (mode === 'quick' ? { hessian: QUICK_SKIP } : {}),
  make: (samples) => mlpWorkload(samples),
  tasks: ['gradient', 'hvp', 'hessian'],
  strategies: (_n, mode) => (mode === 'full' ? ['chunk1', 'sparse'] : mode === 'smoke' ? ALL : ['sparse']),
  notes: [
    'Closed form: gradient by hand-written backpropagation, HVP by Pearlmutter’s R-operator on it, Hessian as 338 such HVPs (zoo mlp-derivatives.ts).',
  ],
});
