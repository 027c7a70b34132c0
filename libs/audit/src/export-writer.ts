// Writes the export of SPEC §4 (or a filtered listing) from the ledger, streaming page by page. The
// range is fixed when the export starts (up to the head then), so the checkpoints written at the end
// are exactly those of the range. Needs only a reader of the ledger (structurally a LedgerReader).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ChainedEvent } from '@caravan/contracts';
import { GENESIS_HASH, type Checkpoint } from '@caravan/domain';
import { chainStartLine, checkpointLine, eventLine, publicKeyLine, type ExportFilter } from './export-format.js';

/** What the writer reads: a subset of LedgerReader from @caravan/ledger-store. */
export interface LedgerSource {
  head(): Promise<{ readonly position: number; readonly hash: string }>;
  readPage(
    filter: ExportFilter & { readonly after?: number; readonly upTo?: number },
    limit?: number,
  ): Promise<ChainedEvent[]>;
  readCheckpoints(range: { readonly after?: number; readonly upTo?: number }): AsyncIterable<Checkpoint>;
}

/** Progress of an export, reported every `progressEvery` events and once at the end. */
export interface ExportProgress {
  /** The last position written. */
  readonly position: number;
  /** Events written so far. */
  readonly events: number;
  /** The last position of the range. */
  readonly upTo: number;
}

/** What to export. Every field is optional: by default the whole ledger as a verifiable export. */
export interface ExportOptions {
  /** Export positions after this one (default 0: from the start). */
  readonly after?: number;
  /** Up to and including this position (default: the head when the export starts). */
  readonly upTo?: number;
  /** Filters make a listing with gaps: no longer verifiable as a chain. */
  readonly filter?: ExportFilter;
  /** Write the checkpoints of the range after the events (default true). */
  readonly checkpoints?: boolean;
  /** Close with this key line (the ledger public key). */
  readonly publicKey?: { readonly pem: string; readonly rawHex: string };
  /**
   * Continue an interrupted export (see `scanExport`): pass `after` = the last position the file
   * holds and `resume.startedAfter` = where the file began. No chainStart line is written (the file
   * has its own), and the checkpoints cover the whole file's range.
   */
  readonly resume?: { readonly startedAfter: number };
  readonly onProgress?: (progress: ExportProgress) => void;
  readonly progressEvery?: number;
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

/** What an export wrote. */
export interface ExportSummary {
  readonly after: number;
  readonly upTo: number;
  readonly events: number;
  readonly checkpoints: number;
  readonly lastPosition: number;
}

const FLUSH_BYTES = 64 * 1024;

/** Streams an export into `out`, respecting its back-pressure; does not end it. */
export async function writeExport(
  source: LedgerSource,
  out: Writable,
  options: ExportOptions = {},
): Promise<ExportSummary> {
  const after = options.after ?? 0;
  const upTo = options.upTo ?? (await source.head()).position;
  const filter = compact(options.filter ?? {});
  const filtered = Object.keys(filter).length > 0;
  const pageSize = options.pageSize ?? 2000;
  const progressEvery = options.progressEvery ?? 10_000;
  let buffered = '';
  const flush = async (force = false) => {
    if (buffered.length === 0 || (!force && buffered.length < FLUSH_BYTES)) return;
    const chunk = buffered;
    buffered = '';
    if (!out.write(chunk)) await once(out, 'drain', options.signal ? { signal: options.signal } : {});
  };

  if (!options.resume && (after > 0 || filtered)) {
    buffered += chainStartLine({
      afterPosition: after,
      prevHash: await hashAt(source, after),
      ...(filtered ? { filter } : {}),
    });
  }

  let events = 0;
  let lastPosition = after;
  let nextReport = progressEvery;
  // Pipelined: the next page is requested before this one is serialised.
  let pending = upTo > after ? source.readPage({ ...filter, after, upTo }, pageSize) : undefined;
  while (pending) {
    options.signal?.throwIfAborted();
    const page = await pending;
    const last = page[page.length - 1];
    pending =
      last && page.length === pageSize && last.position < upTo
        ? source.readPage({ ...filter, after: last.position, upTo }, pageSize)
        : undefined;
    for (const event of page) {
      buffered += eventLine(event);
      events += 1;
      lastPosition = event.position;
      if (buffered.length >= FLUSH_BYTES) await flush();
      if (events >= nextReport) {
        options.onProgress?.({ position: lastPosition, events, upTo });
        nextReport += progressEvery;
      }
    }
  }

  let checkpoints = 0;
  if (options.checkpoints ?? true) {
    const from = options.resume ? options.resume.startedAfter : after;
    for await (const checkpoint of source.readCheckpoints({ after: from, upTo })) {
      buffered += checkpointLine(checkpoint);
      checkpoints += 1;
      await flush();
    }
  }
  if (options.publicKey) buffered += publicKeyLine(options.publicKey);
  await flush(true);
  options.onProgress?.({ position: lastPosition, events, upTo });
  return { after, upTo, events, checkpoints, lastPosition };
}

async function hashAt(source: LedgerSource, position: number): Promise<string> {
  if (position === 0) return GENESIS_HASH;
  const [event] = await source.readPage({ after: position - 1, upTo: position }, 1);
  if (!event) throw new Error(`the ledger has no position ${position} to start the export after`);
  return event.hash;
}

function compact(filter: ExportFilter): ExportFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}
