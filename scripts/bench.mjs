#!/usr/bin/env node
// `npm run bench -- <name> [<name>…]`: builds, then runs bench/<name>.ts's `run()` from dist/.
// Benchmarks run against CARAVAN_BENCH_DATABASE_URL / CARAVAN_BENCH_NATS_URL (default: this
// machine's local services) in a private database and topology, and print each figure beside a raw
// baseline measured in the same run.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const available = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && f !== 'support.ts')
  .map((f) => f.replace(/\.ts$/, ''));
const names = process.argv.slice(2);
if (names.length === 0 || names.some((n) => !available.includes(n))) {
  console.error(`usage: npm run bench -- <${available.join('|')}> …`);
  process.exit(2);
}
execSync('npm run build --silent', { stdio: 'inherit' });
for (const name of names) {
  const file = `dist/bench/${name}.js`;
  if (!existsSync(file)) throw new Error(`${file} missing after build`);
  const mod = await import(pathToFileURL(file).href);
  console.log(`\n== bench ${name} ==`);
  await mod.run();
}
process.exit(0);
