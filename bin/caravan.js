#!/usr/bin/env node
// The `caravan` command: runs the compiled CLI from dist/ (built with `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/apps/cli/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('caravan: not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(main.href);
