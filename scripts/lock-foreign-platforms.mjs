#!/usr/bin/env node
// The package registry this project installs from serves native binaries only for the platforms
// it runs on, so `npm install` leaves the other platforms' optional packages (@swc/core-darwin-arm64,
// …) out of package-lock.json, and `npm ci` then refuses the lock as "out of sync". This script
// records each missing optional package in the lock with the os/cpu its name declares, so that
// `npm ci` knows it is for another platform and skips it without fetching. Run it after every
// `npm install` that changes the lock (`npm run lock:fix`).
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = 'package-lock.json';
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  arm: 'arm',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.map((t) => CPU[t]).find(Boolean);
  if (!os || !cpu) return undefined;
  const libc = os === 'linux' ? (tokens.some((t) => t.startsWith('musl')) ? 'musl' : 'glibc') : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
}

const here = { os: process.platform, cpu: process.arch };
let added = 0;
for (const [path, info] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(info.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${dep}`;
    if (packages[nested] || packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) {
      console.error(`cannot tell the platform of ${dep}; leaving it out`);
      continue;
    }
    if (platform.os.includes(here.os) && platform.cpu.includes(here.cpu) && !platform.libc?.includes('musl')) {
      console.error(`${dep} is for this platform but missing from the lock: run npm install`);
      process.exitCode = 1;
      continue;
    }
    packages[`node_modules/${dep}`] = { version, ...platform, optional: true };
    added += 1;
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`recorded ${added} optional packages of other platforms in ${lockPath}`);
