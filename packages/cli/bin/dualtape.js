#!/usr/bin/env node
// The `dualtape` command: runs the compiled CLI (build it with `pnpm build`).
import '../dist/main.js';
