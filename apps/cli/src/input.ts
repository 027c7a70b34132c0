// Reading what the user hands the CLI: a JSON file or standard input (`-`), a PEM key, option values.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './cli-error.js';
import type { CliContext } from './cli-context.js';

/** The text of FILE, or of standard input when FILE is `-`. */
export async function readInput(context: CliContext, file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of context.io.stdin)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(context.path(file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** One JSON document, or each line of NDJSON, or each element of a top-level array: the bodies to send. */
export function parseJsonDocuments(text: string, source: string): unknown[] {
  const trimmed = text.trim();
  if (!trimmed) throw new UsageError(`${source} is empty: expected a JSON object`);
  try {
    const value: unknown = JSON.parse(trimmed);
    return Array.isArray(value) ? value : [value];
  } catch {
    // Not one document: maybe NDJSON, one object a line.
  }
  return trimmed
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line !== '')
    .map(({ line, index }) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        throw new UsageError(`${source} line ${index + 1} is not valid JSON (${(error as Error).message})`);
      }
    });
}

/** One JSON object from a file or stdin. */
export async function readJsonObject(context: CliContext, file: string): Promise<Record<string, unknown>> {
  const source = file === '-' ? 'standard input' : file;
  const documents = parseJsonDocuments(await readInput(context, file), source);
  const [first] = documents;
  if (documents.length !== 1 || typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new UsageError(`${source} must hold one JSON object`);
  }
  return first as Record<string, unknown>;
}

/** Commander parser for a non-negative integer option (`--after 120`). */
export function nonNegativeInteger(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return Number(value);
}

/** Commander parser for a positive integer option (`--limit 10`). */
export function positiveInteger(value: string): number {
  const n = nonNegativeInteger(value);
  if (n === 0) throw new InvalidArgumentError('must be a whole number, 1 or more');
  return n;
}

/** Commander parser for a comma-separated list (`--roles publisher,recipient`). */
export function commaList(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('must list at least one value, comma-separated');
  return items;
}

/** Commander parser for an RFC 3339 time (`--at 2025-06-01T12:00:00Z`). */
export function rfc3339(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError('must be an RFC 3339 time such as 2025-06-01T12:00:00Z');
  }
  return value;
}
