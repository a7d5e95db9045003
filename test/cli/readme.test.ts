/** The console example in packages/cli/README.md is what the built CLI prints. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { dualtape } from './run.js';

it('the README example of dualtape hessian matches the output', () => {
  const readme = readFileSync(new URL('../../packages/cli/README.md', import.meta.url), 'utf8');
  const block = /```console\n\$ dualtape (hessian .*)\n([\s\S]*?)```/.exec(readme)!;
  const args = block[1]!.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"(.*)"$/, '$1'));
  const r = dualtape(args);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(block[2]);
});
