// The identifier index of hit/no-hit: identifier key → the seizures and alerts whose CURRENT state
// carries it (stream id, originator). A projection of the ledger with its own checkpoint, caught up
// to the ledger's head before every answer.
//
// Why here and not in the ledger's own transaction (a writer hook would never lag):
// - The ledger's batch transaction is the hub's one serialised write path; folding aggregates and
//   rewriting index rows there (reading the stream first for every amendment) would slow every
//   writer, for a read model of one gateway endpoint.
// - The ledger tables are append-only and the hub role may only INSERT; the index deletes rows on
//   every amendment and retraction, so it would need rights and a failure mode (an index bug rolling
//   back appends) that the authoritative record should not have.
// - A ledger that already holds events needs a backfill anyway, i.e. exactly this catch-up.
// Not from JetStream either: the bus is downstream of the ledger and cannot tell a query whether it
// has seen everything committed before it.
//
// Why it cannot drift:
// - Rows and checkpoint change in one transaction, so after a crash they agree; the checkpoint row
//   is locked for the step, so two gateways never apply the same range twice in parallel.
// - A step reads the ledger strictly after the checkpoint and up to a head read beforehand; positions
//   are gap-free for every reader (ledger-store README), so no event below that head is missed.
// - Each touched aggregate is folded again from ALL its events (currentIdentifiers, the same fold the
//   old per-query scan did) and its rows are replaced whole: applying a range twice gives the same
//   rows, and deleting every row and the checkpoint rebuilds the same index (hit-index.int.spec.ts).
// - A query catches up to the head as it finds it before looking anything up, so every event
//   committed before the query is in its answer, as it was with the scan.
//
// The cost a query pays is the events recorded since the last catch-up; the gateway's follower
// (HitsService) keeps that near zero by catching up on each ledger notification.
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { ChainedEvent } from '@caravan/contracts';
import type { LedgerReader } from '@caravan/ledger-store';
import {
  currentIdentifiers,
  INDEXED_TYPES,
  sliceByStream,
  type AggregateIdentifiers,
} from './aggregate-identifiers.js';

/** An aggregate that holds an identifier asked about. */
export interface IndexedHolder {
  readonly key: string;
  readonly streamId: string;
  readonly originator: string;
}

/** The SHA-256 the index stores for an identifier key, as hex. */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class HitIndex {
  /** One catch-up at a time per process: others wait for it instead of queueing on the row lock. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly ledger: LedgerReader,
    private readonly options: { readonly pageSize?: number } = {},
  ) {}

  /** The ledger position up to which the index is exact. */
  async checkpoint(): Promise<number> {
    const rows: { position: string }[] = await this.db.query(
      'SELECT position FROM gateway_hit_index_checkpoint WHERE id = 1',
    );
    return Number(rows[0]?.position ?? 0);
  }

  /**
   * Brings the index up to the ledger's head as this call finds it (so to every event committed
   * before the call); resolves with the checkpoint reached.
   */
  catchUp(): Promise<number> {
    const run = this.tail.then(() => this.advance());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** The aggregates of originators other than `except` that hold any of `keys` now. */
  async holders(keys: readonly string[], except: string): Promise<IndexedHolder[]> {
    const byDigest = new Map(keys.map((key) => [keyDigest(key), key]));
    if (byDigest.size === 0) return [];
    const rows: { digest: string; stream_id: string; originator: string }[] = await this.db.query(
      `SELECT encode(key_sha256, 'hex') AS digest, stream_id, originator FROM gateway_hit_index
        WHERE key_sha256 IN (SELECT decode(d, 'hex') FROM unnest($1::text[]) AS d) AND originator <> $2
        ORDER BY stream_id`,
      [[...byDigest.keys()], except],
    );
    return rows.map((row) => ({
      key: byDigest.get(row.digest) ?? '',
      streamId: row.stream_id,
      originator: row.originator,
    }));
  }

  /** Empties the index; the next catch-up rebuilds it from position 1. */
  async reset(): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.query('SELECT position FROM gateway_hit_index_checkpoint WHERE id = 1 FOR UPDATE');
      await manager.query('DELETE FROM gateway_hit_index');
      await manager.query('UPDATE gateway_hit_index_checkpoint SET position = 0 WHERE id = 1');
    });
  }

  private async advance(): Promise<number> {
    // Read here, never passed in: a target beyond the visible head would skip events for good.
    const target = (await this.ledger.head()).position;
    let position = await this.checkpoint();
    while (position < target) position = await this.step(target);
    return position;
  }

  /** Applies one page of the ledger after the checkpoint, up to `target`, in one transaction. */
  private async step(target: number): Promise<number> {
    const pageSize = this.options.pageSize ?? 1000;
    return this.db.transaction(async (manager) => {
      const locked: { position: string }[] = await manager.query(
        'SELECT position FROM gateway_hit_index_checkpoint WHERE id = 1 FOR UPDATE',
      );
      // Another gateway may have moved it while this one waited for the lock.
      const from = Number(locked[0]?.position ?? 0);
      if (from >= target) return from;
      const page = await this.ledger.readPage({ after: from, upTo: target, types: INDEXED_TYPES }, pageSize);
      const to = page.length < pageSize ? target : (page.at(-1)?.position ?? target);
      const aggregates: AggregateIdentifiers[] = [];
      for (const slice of sliceByStream(page)) {
        const events = slice.whole ? slice.events : await this.streamUpTo(slice.streamId, to);
        aggregates.push(currentIdentifiers(slice.streamId, events));
      }
      await replaceRows(manager, aggregates);
      await manager.query('UPDATE gateway_hit_index_checkpoint SET position = $1 WHERE id = 1', [to]);
      return to;
    });
  }

  private async streamUpTo(streamId: string, upTo: number): Promise<ChainedEvent[]> {
    const events: ChainedEvent[] = [];
    for await (const event of this.ledger.readAll({ streamId, upTo })) events.push(event);
    return events;
  }
}

async function replaceRows(manager: EntityManager, aggregates: readonly AggregateIdentifiers[]): Promise<void> {
  if (aggregates.length === 0) return;
  await manager.query('DELETE FROM gateway_hit_index WHERE stream_id = ANY($1::text[])', [
    aggregates.map((a) => a.streamId),
  ]);
  const digests: string[] = [];
  const streams: string[] = [];
  const originators: string[] = [];
  for (const aggregate of aggregates) {
    for (const key of aggregate.keys) {
      digests.push(keyDigest(key));
      streams.push(aggregate.streamId);
      originators.push(aggregate.originator);
    }
  }
  if (digests.length === 0) return;
  await manager.query(
    `INSERT INTO gateway_hit_index (key_sha256, stream_id, originator)
     SELECT decode(d, 'hex'), s, o FROM unnest($1::text[], $2::text[], $3::text[]) AS t(d, s, o)`,
    [digests, streams, originators],
  );
}
