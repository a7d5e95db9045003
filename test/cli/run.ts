/**
 * Run the BUILT command line (`node packages/cli/bin/dualtape.js …`) as a child process, the
 * way a user or a harness does. The root test script builds every package first; when running
 * this folder alone, build with `npx -y pnpm@10 build`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../packages/cli/bin/dualtape.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `dualtape …args` and collect its exit code and output. */
export function dualtape(args: readonly string[], options: { cwd?: string; input?: string } = {}): Run {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first with \`npx -y pnpm@10 build\``);
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A non-finite-aware JSON number: the CLI writes NaN/±∞ as strings. */
export const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
