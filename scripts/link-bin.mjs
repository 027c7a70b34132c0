#!/usr/bin/env node
// Makes `npx caravan` work inside this repository: npm links the bins of dependencies into
// node_modules/.bin, but never the root package's own. Runs on `npm install` / `npm ci` (prepare).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/caravan', { force: true });
symlinkSync('../../bin/caravan.js', 'node_modules/.bin/caravan');
chmodSync('bin/caravan.js', 0o755);
