#!/usr/bin/env node
// Runs one tier of the Jest suite (unit | int | e2e | all) in ESM mode and ends with the plain line
// `tests: N passed, N failed[, N skipped]` read from Jest's own JSON results, so that CI (which does
// not parse Jest's summary) sees what ran. Exits non-zero on any failure or when no test ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tiers = { unit: ['unit'], int: ['int'], e2e: ['e2e'], all: ['unit', 'int', 'e2e'] };
const [tier = 'all', ...rest] = process.argv.slice(2);
const projects = tiers[tier];
if (!projects) {
  console.error(`usage: node scripts/jest.mjs unit|int|e2e|all [jest args…]`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'caravan-jest-'));
const resultsFile = join(dir, 'results.json');
const nodeOptions = [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning']
  .filter(Boolean)
  .join(' ');
const run = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '--selectProjects', ...projects, '--json', '--outputFile', resultsFile, ...rest],
  { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
);

let results;
try {
  results = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  console.error('jest wrote no results: it did not run');
  console.log('tests: 0 passed, 1 failed');
  process.exit(run.status || 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const passed = results.numPassedTests;
const failedSuites = results.numRuntimeErrorTestSuites ?? 0;
const failed = results.numFailedTests + failedSuites;
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (failed > 0 || run.status !== 0) process.exit(run.status || 1);
if (passed === 0) {
  console.error('no test ran');
  process.exit(1);
}
