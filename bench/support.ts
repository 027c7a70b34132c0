// Shared measuring helpers for benchmarks: medians over repeated runs, percentiles, and the ratio
// line that puts our figure beside a raw baseline from the same run (this machine is shared and
// noisy, so absolute numbers alone mean little).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { isolatedTopology, type Topology } from '@caravan/contracts';

/** Where benchmarks find PostgreSQL and NATS. */
export const benchServices = {
  adminDatabaseUrl: process.env['CARAVAN_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  natsUrl: process.env['CARAVAN_BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222',
};

/** A private, throw-away database for one benchmark. */
export async function benchDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `caravan_bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: benchServices.adminDatabaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(benchServices.adminDatabaseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** A private subject prefix and stream names for one benchmark. */
export function benchTopology(label: string): Topology {
  return isolatedTopology(`b${label}${randomBytes(3).toString('hex')}`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `measure` `runs` times and returns every result (after one unmeasured warm-up). */
export async function repeat(runs: number, measure: () => Promise<number>): Promise<number[]> {
  await measure();
  const results: number[] = [];
  for (let i = 0; i < runs; i++) results.push(await measure());
  return results;
}

/** Prints `label: ours vs baseline (ratio)` with medians. */
export function printRatio(label: string, ours: readonly number[], baseline: readonly number[], unit: string): void {
  const a = median(ours);
  const b = median(baseline);
  console.log(
    `${label}: ${a.toFixed(0)} ${unit} vs baseline ${b.toFixed(0)} ${unit}, ratio ${(a / b).toFixed(2)} ` +
      `(medians of ${ours.length} runs; ours ${ours.map((v) => v.toFixed(0)).join('/')}, baseline ${baseline
        .map((v) => v.toFixed(0))
        .join('/')})`,
  );
}

/** CPU seconds a process has used so far, where /proc tells (Linux); undefined elsewhere. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // utime and stime, in clock ticks (100 a second on Linux), after the parenthesised command name.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : undefined;
}
