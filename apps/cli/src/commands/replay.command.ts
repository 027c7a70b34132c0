// `caravan replay`: the ledger in position order from GET /v1/audit/events (auditor role), to stdout
// as NDJSON or, with --out, as an export file in the format of SPEC §4 (@caravan/audit's lines:
// chainStart when it does not begin at 1, events with hashes, checkpoints, the public key last) that
// `caravan verify` checks offline.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { ChainedEvent } from '@caravan/contracts';
import type { Checkpoint } from '@caravan/domain';
import type * as AuditLib from '@caravan/audit';
import { CliError, UsageError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';
import { ProgressBar } from '../format/progress.js';
import { GatewayError, type GatewayClient } from '../http/gateway-client.js';
import { textLines } from '../http/lines.js';
import { positiveInteger } from '../input.js';

interface ReplayOptions {
  readonly from?: number;
  readonly to?: number;
  readonly out?: string;
  readonly resume?: boolean;
  readonly type?: string;
  readonly stream?: string;
}

type Audit = typeof AuditLib;

export function registerReplay(program: Command, context: CliContext): void {
  program
    .command('replay')
    .description('stream the full ledger in position order (auditor role); with --out, write a verifiable export')
    .option('--from <position>', 'first position (default 1)', positiveInteger)
    .option('--to <position>', 'last position (default: the newest)', positiveInteger)
    .option('--out <file>', 'write an export: events with hashes, then signed checkpoints, then the public key')
    .option('--resume', 'with --out: continue an interrupted export after its last whole event (start it if missing)')
    .option('--type <type>', 'only events of this type (not with --out: an export must be the whole chain)')
    .option('--stream <streamId>', 'only this stream (not with --out)')
    .addHelpText(
      'after',
      `
Every read of full data by an auditor is itself recorded by the hub. Progress is shown on a
terminal. Verify an export offline with \`caravan verify FILE --key ledger.pem\`.

An export cut short (Ctrl-C, a lost connection) can be finished with --resume: the file's torn
last line is cut off, the events after its last whole one are appended (the hub must still hold
that event with the same hash), then the checkpoints of the whole file's range and the key. A file
that already has its checkpoints is complete and is left alone. --resume takes the start from the
file (an empty file starts at 1), so it does not go with --from; --to may be given.

Examples:
  caravan replay --from 1000 --to 2000 > events.ndjson
  caravan replay --out export.ndjson
  caravan replay --out export.ndjson --resume`,
    )
    .action(async (options: ReplayOptions) => {
      if (options.from !== undefined && options.to !== undefined && options.to < options.from) {
        throw new UsageError('--to must not be below --from');
      }
      if (options.out && (options.type || options.stream)) {
        throw new UsageError('--type and --stream leave gaps in the chain: an export (--out) takes the whole range');
      }
      if (options.resume && !options.out) throw new UsageError('--resume continues an export: it needs --out FILE');
      if (options.resume && options.from !== undefined) {
        throw new UsageError('--resume continues where the file stopped: leave out --from');
      }
      const client = context.client('agency');
      if (options.out) await writeExportFile(context, client, options, options.out);
      else for await (const line of ledgerLines(context, client, options)) context.io.stdout.write(`${line}\n`);
    });
}

async function* ledgerLines(context: CliContext, client: GatewayClient, options: ReplayOptions) {
  const response = await client.stream('/v1/audit/events', {
    accept: 'application/x-ndjson',
    query: { from: options.from, to: options.to, type: options.type, stream: options.stream },
  });
  if (!response.body) return;
  const progress = new ProgressBar(context.io.stderr, totalOf(response, options));
  let lines = 0;
  try {
    for await (const line of textLines(response.body)) {
      if (line.trim() === '') continue;
      lines += 1;
      progress.update(lines);
      yield line;
    }
  } finally {
    progress.finish();
  }
}

// The gateway may already send a complete export (chainStart, events, checkpoints, key); whatever
// it leaves out is completed here from the audit endpoints, so the file always verifies alone.
async function writeExportFile(context: CliContext, client: GatewayClient, options: ReplayOptions, file: string) {
  const audit: Audit = await import('@caravan/audit');
  const path = context.path(file);
  const resumed = options.resume ? await resumePoint(audit, path, file) : undefined;
  const out = createWriteStream(path, { flags: resumed ? 'a' : 'w' });
  await once(out, 'open').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write ${file}: ${error.code ?? error.message}`);
  });
  const firstWanted = resumed ? resumed.lastPosition + 1 : (options.from ?? 1);
  let events = 0;
  let last = resumed?.lastPosition ?? 0;
  let started = resumed !== undefined;
  const checkpoints: Checkpoint[] = [];
  let key: string | undefined;
  try {
    const wanted = options.to === undefined || firstWanted <= options.to;
    const lines = wanted ? ledgerLines(context, client, { ...options, from: firstWanted }) : [];
    for await (const line of lines) {
      const parsed = audit.parseExportLine(line);
      if (parsed.kind === 'checkpoint') checkpoints.push(parsed.checkpoint);
      if (parsed.kind === 'key') {
        key = line;
        continue;
      }
      if (resumed && events === 0 && (parsed.kind === 'start' || parsed.kind === 'event')) {
        // The hub's chain must go on from exactly where the file's stops (an empty file: from genesis).
        const link =
          parsed.kind === 'start'
            ? parsed.start
            : parsed.event.position === 1
              ? { afterPosition: 0, prevHash: '0'.repeat(64) }
              : await linkBefore(client, parsed.event.position);
        if (link.afterPosition !== resumed.lastPosition || link.prevHash !== resumed.lastHash) {
          throw new CliError(
            `${file} does not continue this ledger: it ends at position ${resumed.lastPosition} with hash ` +
              `${resumed.lastHash}, the hub has ${link.prevHash} after position ${link.afterPosition}`,
          );
        }
        if (parsed.kind === 'start') continue;
      }
      if (parsed.kind === 'start') started = true;
      if (parsed.kind === 'event') {
        if (!started && events === 0 && parsed.event.position > 1) {
          await write(out, audit.chainStartLine(await linkBefore(client, parsed.event.position)));
        }
        started = true;
        events += 1;
        last = parsed.event.position;
      }
      if (parsed.kind !== 'checkpoint') await write(out, `${line}\n`);
    }
    // Checkpoints cover the whole file, so a resumed one asks for them from where the file began.
    const from = resumed ? resumed.startedAfter + 1 : (options.from ?? 1);
    const signed = checkpoints.length > 0 && !resumed ? checkpoints : await fetchCheckpoints(client, from, last, audit);
    for (const checkpoint of signed) await write(out, audit.checkpointLine(checkpoint));
    if (key === undefined) {
      const served = await client.get<{ pem: string; hex: string }>('/v1/audit/keys');
      await write(out, audit.publicKeyLine({ pem: served.pem, rawHex: served.hex }));
    } else {
      await write(out, `${key}\n`);
    }
    const what = `${events} events, ${signed.length} checkpoints and the ledger public key`;
    context.io.stdout.write(
      resumed
        ? `resumed ${file} after position ${resumed.lastPosition}: wrote ${what}\n`
        : `wrote ${what} to ${file}\n`,
    );
  } finally {
    out.end();
    await once(out, 'close');
  }
}

// Where an interrupted export stopped; its torn last line is cut off. A missing file starts afresh.
async function resumePoint(audit: Audit, path: string, file: string): Promise<AuditLib.ExportScan | undefined> {
  let scan: AuditLib.ExportScan;
  try {
    scan = await audit.scanExport(createReadStream(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (scan.closed) {
    throw new UsageError(`${file} is complete (its checkpoints are written): nothing to resume`);
  }
  await truncate(path, scan.wholeBytes);
  return scan;
}

// An export that starts after position 1 chains from the hash of the event before it.
async function linkBefore(
  client: GatewayClient,
  position: number,
): Promise<{ afterPosition: number; prevHash: string }> {
  const response = await client.stream('/v1/audit/events', {
    accept: 'application/x-ndjson',
    query: { from: position - 1, to: position - 1 },
  });
  if (!response.body) throw new Error('the gateway sent no body');
  for await (const line of textLines(response.body)) {
    const event = JSON.parse(line) as Partial<ChainedEvent>;
    if (event.position === position - 1 && typeof event.hash === 'string') {
      return { afterPosition: position - 1, prevHash: event.hash };
    }
  }
  throw new Error(`the gateway did not return position ${position - 1}, which the export must chain from`);
}

// Checkpoints signed within the exported range, when the events stream did not carry them.
async function fetchCheckpoints(
  client: GatewayClient,
  from: number,
  last: number,
  audit: Audit,
): Promise<Checkpoint[]> {
  if (last === 0) return [];
  try {
    const body = await client.get<unknown>('/v1/audit/checkpoints', { query: { from, to: last } });
    const list = Array.isArray(body) ? body : ((body as { items?: unknown[] } | null)?.items ?? []);
    return list
      .map((item) => audit.parseExportLine(JSON.stringify({ checkpoint: item })))
      .flatMap((line) => (line.kind === 'checkpoint' ? [line.checkpoint] : []))
      .filter((c) => c.position >= from && c.position <= last);
  } catch (error) {
    if (error instanceof GatewayError && (error.status === 404 || error.status === 501)) return [];
    throw error;
  }
}

function totalOf(response: Response, options: ReplayOptions): number | undefined {
  const header = response.headers.get('caravan-last-position') ?? response.headers.get('x-total-count');
  const to = options.to ?? (header && /^\d+$/.test(header) ? Number(header) : undefined);
  return to === undefined ? undefined : to - (options.from ?? 1) + 1;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
