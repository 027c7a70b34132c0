// The distributor's one job (SPEC §5, §6): for each recorded event, in position order, every
// recipient's copy under the originator's policy version in force at the event's position; the
// deliveries recorded with the checkpoint in ONE transaction; then the copies published; then the
// JetStream messages acked (by the transport, when `handle` resolves).
//
// Crash safety: a crash before the commit leaves the events unacked, so they come back and are
// processed afresh; a crash between commit and publish leaves the checkpoint's `published` mark
// behind its position, and the next batch first republishes the stored copies in between, in order
// (Nats-Msg-Id `<eventId>:<recipient>` drops those that did land). Either way nothing is lost,
// nothing is doubled, and no recipient sees a later copy before an earlier one.
//
// The bus message only says "position N is recorded": the events themselves are read from the ledger
// (the authority), which also fills any gap the bus might show.
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import {
  subjects,
  type AgencyCode,
  type ChainedEvent,
  type Directory,
  type Handling,
  type SharedCopy,
  type Topology,
} from '@caravan/contracts';
import { DirectoryRepository } from '@caravan/directory';
import { copyDigest, currentAlert, currentSeizure, evaluateSharing, toSharedCopy } from '@caravan/domain';
import { LedgerReader } from '@caravan/ledger-store';
import { describeError, PoisonMessageError, publishAllToStream } from '@caravan/messaging';
import { SharingStore, type DeliveryRecord } from '@caravan/sharing-store';
import { eventsBeforeKill, killNow, type DistributorFaults } from './fault-hook.js';
import { PolicyHistory } from './policy-history.js';

/** Structured log sink (one JSON object per line). */
export type DistributorLog = (level: 'log' | 'warn' | 'error', fields: Record<string, unknown>) => void;

export interface DistributionOptions {
  readonly db: DataSource;
  readonly nc: NatsConnection;
  readonly topology: Topology;
  /** The hub pseudonym secret. */
  readonly secret: string;
  /** The checkpoint's name: the distributor's durable. */
  readonly checkpointName: string;
  /** Events per recording transaction. */
  readonly chunkSize: number;
  readonly faults: DistributorFaults;
  /** Called with directory agencies not seen before, to provision their share consumers. */
  readonly onAgencies: (codes: readonly AgencyCode[]) => Promise<void>;
  readonly log: DistributorLog;
}

const ORIGINALS = new Set(['seizure.reported', 'threat.alert.issued']);

/** Decides, records and publishes every recipient's copy of the events it is handed. */
export class DistributionService {
  private readonly ledger: LedgerReader;
  private readonly store: SharingStore;
  private readonly directories: DirectoryRepository;
  private readonly policies: PolicyHistory;
  private readonly known = new Set<AgencyCode>();
  private committed = 0;

  constructor(private readonly options: DistributionOptions) {
    this.ledger = new LedgerReader(options.db);
    this.store = new SharingStore(options.db);
    this.directories = new DirectoryRepository(options.db);
    this.policies = new PolicyHistory(this.ledger);
  }

  /** Handles a batch of `caravan.evt.*` bodies (ChainedEvent JSON) in stream order. */
  async handle(bodies: readonly unknown[]): Promise<void> {
    const upTo = Math.max(...bodies.map(positionOf));
    const name = this.options.checkpointName;
    try {
      const { recorded, published } = await this.store.progress(name);
      if (published < recorded) {
        // Recorded but never confirmed on NATS (a crash between commit and publish, or a failed
        // publish): out again first, in order, so nothing new overtakes them. Copies that did land
        // are dropped by the stream as duplicates of their Nats-Msg-Id.
        const stored = await this.store.unpublished(name);
        await this.publish(stored.map((d) => d.copy));
        await this.store.markPublished(name, recorded);
        this.options.log('log', {
          msg: 'republished',
          fromPosition: published + 1,
          toPosition: recorded,
          deliveries: stored.length,
        });
      }
      // Messages at or below `recorded` are redeliveries of work done: acked with nothing more to do.
      if (upTo > recorded) await this.distributeRange(recorded, upTo);
    } catch (error) {
      // Any failure here is retried (nak with back-off), never dead-lettered: skipping an event would
      // stall every later one behind the checkpoint, or worse, lose it.
      throw new Error(describeError(error), { cause: error });
    }
  }

  /** Provisions the share consumers of every directory agency not provisioned yet. */
  async provisionAgencies(directory?: Directory): Promise<Directory> {
    const current = directory ?? (await this.directories.loadDirectory());
    const fresh = current.agencies.map((a) => a.code).filter((code) => !this.known.has(code));
    if (fresh.length > 0) {
      await this.options.onAgencies(fresh);
      for (const code of fresh) this.known.add(code);
    }
    return current;
  }

  private async distributeRange(checkpoint: number, upTo: number): Promise<void> {
    // Read per batch, so a new agency or group takes effect from the next batch on.
    const directory = await this.provisionAgencies();
    let expected = checkpoint + 1;
    let chunk: ChainedEvent[] = [];
    // Chunk N is published while chunk N+1 is decided and recorded: publishing mostly waits on
    // PubAcks, deciding is CPU. Publishes stay in chunk order (a chain), and the batch is acked only
    // after the last one, so a crash at any point leaves the recorded chunks to be republished.
    let publishing: Promise<void> = Promise.resolve();
    const flush = async () => {
      const first = chunk[0]!.position;
      const last = chunk[chunk.length - 1]!.position;
      const copies = await this.decideAndRecord(chunk, directory);
      chunk = [];
      publishing = publishing.then(async () => {
        await this.publish(copies);
        await this.store.markPublished(this.options.checkpointName, last);
        this.options.log('log', {
          msg: 'distributed',
          fromPosition: first,
          toPosition: last,
          deliveries: copies.length,
        });
      });
      // Awaited below; this only keeps a failure from counting as unhandled meanwhile.
      publishing.catch(() => undefined);
    };
    const limit = () => Math.min(this.options.chunkSize, eventsBeforeKill(this.options.faults, this.committed));
    try {
      for await (const event of this.ledger.readAll({ after: checkpoint, upTo })) {
        if (event.position !== expected) {
          throw new Error(`ledger position ${expected} is missing (found ${event.position})`);
        }
        expected += 1;
        chunk.push(event);
        if (chunk.length >= limit()) await flush();
      }
      if (chunk.length > 0) await flush();
      if (expected <= upTo) throw new Error(`ledger positions ${expected}..${upTo} are not readable yet`);
    } finally {
      await publishing;
    }
  }

  /** Decides every copy of the chunk's events and records them with the checkpoint; returns the copies. */
  private async decideAndRecord(chunk: readonly ChainedEvent[], directory: Directory): Promise<SharedCopy[]> {
    const records: DeliveryRecord[] = [];
    // Recipients of this chunk's copies, not yet committed, for follow-ups in the same chunk.
    const pending = new Map<string, Map<AgencyCode, number>>();
    // The follow-ups' reads (aggregate handling, stored recipients) all at once rather than one round
    // trip after another: neither depends on this chunk's decisions, which are merged in below.
    const handlings = new Map<string, Promise<Handling>>();
    const stored = new Map<string, Promise<Map<AgencyCode, number>>>();
    for (const event of chunk) {
      if (event.type === 'policy.set' || ORIGINALS.has(event.type)) continue;
      handlings.set(event.eventId, settledLater(this.currentHandling(event)));
      if (!stored.has(event.streamId))
        stored.set(event.streamId, settledLater(this.store.recipientsOf(event.streamId)));
    }
    for (const event of chunk) {
      if (event.type === 'policy.set') {
        // Never shared: an agency's policy is its own business. Later events see the new version.
        this.policies.invalidate(event.originator);
        continue;
      }
      const policies = await this.policies.of(event.originator);
      const followUp = !ORIGINALS.has(event.type);
      const deliveries = evaluateSharing({
        event,
        policy: policies.at(event.position),
        rulesOfVersion: (version) => policies.rulesOf(version),
        directory,
        secret: this.options.secret,
        ...(followUp
          ? {
              aggregate: { handling: await handlings.get(event.eventId)! },
              previousRecipients: withPending(await stored.get(event.streamId)!, pending.get(event.streamId)),
            }
          : {}),
      });
      for (const delivery of deliveries) {
        const copy = toSharedCopy(event, delivery);
        records.push({ copy, paths: delivery.paths, digest: copyDigest(copy) });
        const seen = pending.get(event.streamId) ?? new Map<AgencyCode, number>();
        if (!seen.has(delivery.recipient)) seen.set(delivery.recipient, delivery.policyVersion);
        pending.set(event.streamId, seen);
      }
    }
    const last = chunk[chunk.length - 1]!.position;
    await this.store.record(this.options.checkpointName, last, records);
    this.committed += chunk.length;
    if (eventsBeforeKill(this.options.faults, this.committed) === 0) {
      this.options.log('warn', { msg: 'test fault: SIGKILL after commit, before publish', position: last });
      killNow();
    }
    return records.map((r) => r.copy);
  }

  /** The aggregate's handling with this event applied: follow-ups carry no TLP of their own. */
  private async currentHandling(event: ChainedEvent): Promise<Handling> {
    const events: ChainedEvent[] = [];
    for await (const e of this.ledger.readAll({ streamId: event.streamId, upTo: event.position })) events.push(e);
    const view = event.type.startsWith('seizure.') ? currentSeizure(events) : currentAlert(events);
    if (!view) throw new Error(`${event.type} at position ${event.position} has no original in ${event.streamId}`);
    return view.payload.handling;
  }

  /**
   * Publishes every copy pipelined (all sent on the one connection, then every PubAck awaited): they
   * leave in order, so each recipient's subject receives them in position order. It resolves only
   * when every copy has its PubAck; if any fails for good it rejects and the caller marks nothing
   * published, so the next batch sends the whole range again, in order.
   */
  private async publish(copies: readonly SharedCopy[]): Promise<void> {
    const s = subjects(this.options.topology);
    await publishAllToStream(
      this.options.nc,
      copies.map((copy) => ({
        subject: s.share(copy.recipient, copy.type),
        body: copy,
        meta: {
          msgId: `${copy.eventId}:${copy.recipient}`,
          position: copy.position,
          type: copy.type,
          schemaVersion: copy.schemaVersion,
          policyVersion: copy.policyVersion,
        },
      })),
    );
  }
}

/** The stored recipients plus this chunk's (a copy: the stored map is shared by the chunk's follow-ups). */
function withPending(
  stored: ReadonlyMap<AgencyCode, number>,
  pending: ReadonlyMap<AgencyCode, number> | undefined,
): Map<AgencyCode, number> {
  const recipients = new Map(stored);
  for (const [recipient, version] of pending ?? []) {
    if (!recipients.has(recipient)) recipients.set(recipient, version);
  }
  return recipients;
}

/** The same promise, marked handled: it is awaited later, and a failure then must not count as unhandled meanwhile. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function positionOf(body: unknown): number {
  const b = body as { eventId?: unknown; position?: unknown } | null;
  if (
    typeof b?.eventId !== 'string' ||
    typeof b.position !== 'number' ||
    !Number.isInteger(b.position) ||
    b.position < 1
  ) {
    throw new PoisonMessageError('not a recorded event (eventId and position expected)');
  }
  return b.position;
}
