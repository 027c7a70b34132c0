// The distributor's one job (SPEC §5, §6): for each recorded event, in position order, every
// recipient's copy under the originator's policy version in force at the event's position; the
// deliveries recorded with the checkpoint in ONE statement; then the copies published, in order.
//
// Pipelined, so that one batch's latency is not the sum of its round trips:
// - a batch of bus messages only says "positions up to N are recorded": the events are read from
//   the ledger (the authority; this also fills any gap the bus might show), next to a check of the
//   directory's fingerprint;
// - they are decided chunk by chunk, and chunk N+1 is decided while chunk N's statement runs, also
//   across batches: the consumer hands over the next batch while this one's statement runs
//   (pipelineDepth 2), and it is decided from where this one's decisions end;
// - each chunk's copies go to the StreamPublisher as soon as the chunk is committed, and the batch
//   is acked (the handler resolves) once every chunk is committed (and every earlier batch's), not
//   once every copy has its PubAck: the copies are in the database by then, and publishing goes on
//   behind the next batch, bounded by `maxUnpublished`.
//
// Crash safety rests on the `published` mark beside the checkpoint, which never moves past copies
// without their PubAcks: it travels with the next chunk's statement (or is written alone when
// nothing else is coming). Whenever this instance becomes active, and after any failure, it first
// publishes again, in order, the stored copies after that mark that the stream does not hold yet
// (they form a prefix of the publish order, so the last message on each subject says where to resume;
// Nats-Msg-Id `<eventId>:<recipient>` makes the stream drop any it holds after all). So a crash between commit and publish loses
// nothing, doubles nothing, and no recipient sees a later copy before an earlier one: the publisher
// never stores a message after one it failed to store.
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
import { canonicalJson, currentAlert, currentSeizure, evaluateSharing, toSharedCopy } from '@caravan/domain';
import { LedgerReader } from '@caravan/ledger-store';
import { describeError, PoisonMessageError, type StreamMessage, type StreamPublisher } from '@caravan/messaging';
import { SharingStore, type DeliveryRecord } from '@caravan/sharing-store';
import { serialiseCopy } from './delivered-copy.js';
import { DirectoryWatch } from './directory-watch.js';
import { eventsBeforeKill, killNow, type DistributorFaults } from './fault-hook.js';
import { PolicyHistory } from './policy-history.js';

/** Structured log sink (one JSON object per line). */
export type DistributorLog = (level: 'log' | 'warn' | 'error', fields: Record<string, unknown>) => void;

export interface DistributionOptions {
  readonly db: DataSource;
  /** Publishes to CARAVAN_SHARE, in order; this service is its only user. */
  readonly publisher: StreamPublisher;
  /** How many of these copies, in publish order, CARAVAN_SHARE holds already (storedPrefixLength). */
  readonly storedPrefix: (messages: readonly StreamMessage[]) => Promise<number>;
  readonly topology: Topology;
  /** The hub pseudonym secret. */
  readonly secret: string;
  /** The checkpoint's name: the distributor's durable. */
  readonly checkpointName: string;
  /** Events per recording statement. */
  readonly chunkSize: number;
  /** Copies recorded but not yet acknowledged by the stream, beyond which a batch waits (2,000 by default). */
  readonly maxUnpublished?: number;
  readonly faults: DistributorFaults;
  /** Called with directory agencies not seen before, to provision their share consumers. */
  readonly onAgencies: (codes: readonly AgencyCode[]) => Promise<void>;
  readonly log: DistributorLog;
}

const ORIGINALS = new Set(['seizure.reported', 'threat.alert.issued']);

/** One chunk's decisions, ready to record and publish. */
interface DecidedChunk {
  readonly first: number;
  readonly last: number;
  readonly events: number;
  readonly records: readonly DeliveryRecord[];
}

/** Decides, records and publishes every recipient's copy of the events it is handed. */
export class DistributionService {
  private readonly ledger: LedgerReader;
  private readonly store: SharingStore;
  private readonly directories: DirectoryRepository;
  private readonly directory: DirectoryWatch;
  private readonly policies: PolicyHistory;
  private readonly known = new Set<AgencyCode>();
  private committed = 0;
  /** Events of the chunk whose statement is running (test kills count them ahead). */
  private recordingEvents = 0;
  /** The statement of the last chunk handed to the database: each waits for the one before. */
  private recording: Promise<void> | undefined;
  /** Every event up to here is decided, its chunk recorded or being recorded. */
  private decidedUpTo = 0;
  /**
   * Recipients decided per aggregate in chunks perhaps not committed yet, for follow-ups decided
   * before those chunks are readable from the store; `position` is the latest such chunk's.
   */
  private readonly uncommitted = new Map<string, { position: number; recipients: Map<AgencyCode, number> }>();
  /** The handle() call before the running one: the next batch is decided where its decisions end. */
  private previousBatch: { readonly decided: Promise<boolean>; readonly finished: Promise<void> } | undefined;
  private batchesInHand = 0;

  // This instance's view of its marks, trusted only while `synced` (see sync()).
  private synced = false;
  /** The checkpoint: every event up to here is recorded. */
  private recorded = 0;
  /** Every copy of every event up to here has its PubAck. */
  private confirmed = 0;
  /** The `published` mark as last written. */
  private storedPublished = 0;
  /** Resolves when every chunk handed to the publisher so far has settled; never rejects. */
  private publishing: Promise<void> = Promise.resolve();
  private publishFailure: unknown;
  private markWrite: Promise<void> | undefined;

  constructor(private readonly options: DistributionOptions) {
    this.ledger = new LedgerReader(options.db);
    this.store = new SharingStore(options.db);
    this.directories = new DirectoryRepository(options.db);
    this.directory = new DirectoryWatch(options.db, this.directories);
    this.policies = new PolicyHistory(this.ledger);
  }

  /**
   * Takes over as the active instance: republishes whatever a predecessor recorded but did not
   * confirm published. A failure is logged and left to the next batch, which tries again.
   */
  async activate(): Promise<void> {
    this.synced = false;
    try {
      await this.sync();
    } catch (error) {
      this.options.log('warn', {
        msg: 'republish on activation failed, retried with the next batch',
        error: describeError(error),
      });
    }
  }

  /** Lets every copy handed to the publisher settle and records how far they got (before giving up the lock). */
  async drain(): Promise<void> {
    await this.previousBatch?.finished;
    await this.publishing;
    await this.markWrite;
    if (this.synced && this.confirmed > this.storedPublished) {
      await this.store
        .markPublished(this.options.checkpointName, this.confirmed)
        .catch((error: unknown) =>
          this.options.log('warn', { msg: 'published mark not saved', error: describeError(error) }),
        );
    }
  }

  /**
   * Handles a batch of `caravan.evt.*` bodies (ChainedEvent JSON) in stream order; resolves once
   * every event up to the batch's last is recorded. Calls may overlap, in stream order: a batch is
   * decided once the one before it is, and fails if the one before it fails.
   */
  handle(bodies: readonly unknown[]): Promise<void> {
    const upTo = Math.max(...bodies.map(positionOf));
    const previous = this.previousBatch;
    let decided: (ok: boolean) => void = () => undefined;
    const decidedAll = new Promise<boolean>((resolve) => (decided = resolve));
    const finished = this.handleAfter(previous, upTo, decided);
    this.previousBatch = { decided: decidedAll, finished: finished.catch(() => undefined) };
    return finished;
  }

  private async handleAfter(
    previous: { readonly decided: Promise<boolean>; readonly finished: Promise<void> } | undefined,
    upTo: number,
    decided: (ok: boolean) => void,
  ): Promise<void> {
    this.batchesInHand += 1;
    try {
      // A predecessor that failed leaves nothing to build on: wait until it has let go of everything.
      if (previous && !(await previous.decided)) await previous.finished;
      if (!this.synced || this.publishFailure !== undefined) {
        // sync() republishes from the marks, so nothing may still be recording or publishing.
        await previous?.finished;
        await this.sync();
      }
      // Messages at or below what is decided are redeliveries of work done (or in hand): nothing to do.
      if (upTo > this.decidedUpTo) await this.distributeRange(this.decidedUpTo, upTo);
      decided(true);
      // Acked only once recorded: this batch's last statement follows every earlier one.
      await this.recording;
    } catch (error) {
      decided(false);
      // Whatever failed, the marks are read again and the unconfirmed copies republished first, next
      // time. The batch is retried (nak with back-off), never dead-lettered: skipping an event would
      // stall every later one behind the checkpoint, or worse, lose it.
      this.synced = false;
      // Settled only once no statement of this instance is left running (sync() must come after it).
      await this.recording?.catch(() => undefined);
      throw new Error(describeError(error), { cause: error });
    } finally {
      this.batchesInHand -= 1;
      this.saveMarkIfIdle();
    }
  }

  /** Provisions the share consumers of every directory agency not provisioned yet. */
  async provisionAgencies(directory?: Directory): Promise<Directory> {
    const current = directory ?? (await this.directory.current()).directory;
    const fresh = current.agencies.map((a) => a.code).filter((code) => !this.known.has(code));
    if (fresh.length > 0) {
      await this.options.onAgencies(fresh);
      for (const code of fresh) this.known.add(code);
    }
    return current;
  }

  /**
   * Reads the marks and republishes, in order, the stored copies recorded but not confirmed
   * published (a crash between commit and publish, a failed publish, or a predecessor's last copies
   * in flight when it stopped). Runs before anything new is published.
   */
  private async sync(): Promise<void> {
    const name = this.options.checkpointName;
    await this.publishing;
    this.options.publisher.reset();
    this.publishFailure = undefined;
    // Another instance may have decided events since this one last did (a lead that lost its lock
    // and took it again later, or one that has not noticed losing it and finds the checkpoint
    // moved): a `policy.set` among them never went by here, so no cached history can be trusted.
    this.policies.clear();
    const { recorded, published } = await this.store.progress(name);
    if (published < recorded) {
      const stored = await this.store.unpublished(name);
      const messages = stored.map((d) => this.messageOf(d.copy, serialiseCopy(d.copy).json));
      // What landed before the crash is skipped, not left to the stream's duplicate window, which
      // a restart hours later would outlast.
      const held = await this.options.storedPrefix(messages);
      await this.options.publisher.publish(messages.slice(held));
      await this.store.markPublished(name, recorded);
      this.options.log('log', {
        msg: 'republished',
        fromPosition: published + 1,
        toPosition: recorded,
        deliveries: stored.length,
        alreadyStored: held,
      });
    }
    this.recorded = recorded;
    this.decidedUpTo = recorded;
    this.uncommitted.clear();
    this.recording = undefined;
    this.confirmed = recorded;
    this.storedPublished = recorded;
    this.synced = true;
  }

  private async distributeRange(checkpoint: number, upTo: number): Promise<void> {
    const pageSize = Math.max(this.options.chunkSize, 100);
    const readAfter = (after: number) => {
      const page = this.ledger.readPage({ after, upTo }, pageSize);
      // Awaited in turn; this only keeps a failure from counting as unhandled meanwhile.
      page.catch(() => undefined);
      return page;
    };
    // The first page and the directory check at once: both are needed before anything is decided.
    const [first, reading] = await Promise.all([readAfter(checkpoint), this.directory.current()]);
    const directory = reading.changed ? await this.provisionAgencies(reading.directory) : reading.directory;
    let expected = checkpoint + 1;
    let page: readonly ChainedEvent[] = first;
    while (page.length > 0) {
      const last = page[page.length - 1]!.position;
      // The next page is read while this one is decided.
      const next = page.length === pageSize && last < upTo ? readAfter(last) : undefined;
      let offset = 0;
      while (offset < page.length) {
        // Counting the chunk being recorded too, so a test kill lands on its exact event.
        const killIn = eventsBeforeKill(this.options.faults, this.committed + this.recordingEvents);
        const size = Math.max(1, Math.min(this.options.chunkSize, killIn));
        const chunk = page.slice(offset, offset + size);
        offset += chunk.length;
        for (const event of chunk) {
          if (event.position !== expected) {
            throw new Error(`ledger position ${expected} is missing (found ${event.position})`);
          }
          expected += 1;
        }
        // Decided while the previous chunk's statement runs; recorded strictly after it.
        const decision = await this.decide(chunk, directory);
        const before = this.recording;
        const recording = (async () => {
          await before;
          this.recordingEvents = decision.events;
          await this.record(decision);
        })();
        // Awaited by the next chunk or by handle(); this only keeps a failure from counting as unhandled meanwhile.
        recording.catch(() => undefined);
        this.recording = recording;
        this.decidedUpTo = decision.last;
        await this.options.publisher.whenPendingAtMost(this.options.maxUnpublished ?? 2_000);
        // The statement before this chunk's has finished (or failed): the next decision waits for it,
        // so at most one chunk is decided ahead of the database.
        await before;
      }
      if (!next) break;
      page = await next;
    }
    if (expected <= upTo) throw new Error(`ledger positions ${expected}..${upTo} are not readable yet`);
  }

  /** Decides every copy of the chunk's events. */
  private async decide(chunk: readonly ChainedEvent[], directory: Directory): Promise<DecidedChunk> {
    const records: DeliveryRecord[] = [];
    // What is committed the store gives from here on.
    for (const [streamId, entry] of this.uncommitted) {
      if (entry.position <= this.recorded) this.uncommitted.delete(streamId);
    }
    const followUps = chunk.filter((e) => e.type !== 'policy.set' && !ORIGINALS.has(e.type));
    // The follow-ups' reads (aggregate histories, stored recipients) at once, before any decision:
    // neither depends on this chunk's decisions, which are merged in below.
    const [histories, stored] =
      followUps.length === 0
        ? [new Map<string, ChainedEvent[]>(), new Map<string, Map<AgencyCode, number>>()]
        : await Promise.all([
            this.histories(followUps),
            this.store.recipientsOfAll([...new Set(followUps.map((e) => e.streamId))]),
          ]);
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
              aggregate: { handling: handlingAt(event, histories.get(event.streamId) ?? []) },
              previousRecipients: withDecided(
                stored.get(event.streamId),
                this.uncommitted.get(event.streamId)?.recipients,
              ),
            }
          : {}),
      });
      // Recipients under one rule share one payload: its JCS text is written once.
      const payloadTexts = new Map<object, string>();
      for (const delivery of deliveries) {
        const copy = toSharedCopy(event, delivery);
        let payloadJcs = payloadTexts.get(delivery.payload);
        if (payloadJcs === undefined)
          payloadTexts.set(delivery.payload, (payloadJcs = canonicalJson(delivery.payload)));
        const { json, digest } = serialiseCopy(copy, payloadJcs);
        records.push({ copy, paths: delivery.paths, digest, copyJson: json });
        let seen = this.uncommitted.get(event.streamId);
        if (!seen) this.uncommitted.set(event.streamId, (seen = { position: event.position, recipients: new Map() }));
        seen.position = event.position;
        if (!seen.recipients.has(delivery.recipient)) seen.recipients.set(delivery.recipient, delivery.policyVersion);
      }
    }
    return { first: chunk[0]!.position, last: chunk[chunk.length - 1]!.position, events: chunk.length, records };
  }

  /** Each follow-up's aggregate history up to the chunk's last follow-up of it: one read per aggregate. */
  private async histories(followUps: readonly ChainedEvent[]): Promise<Map<string, ChainedEvent[]>> {
    const upTo = new Map<string, number>();
    for (const e of followUps) upTo.set(e.streamId, Math.max(upTo.get(e.streamId) ?? 0, e.position));
    const entries = await Promise.all(
      [...upTo].map(async ([streamId, position]) => {
        const events: ChainedEvent[] = [];
        for await (const e of this.ledger.readAll({ streamId, upTo: position })) events.push(e);
        return [streamId, events] as const;
      }),
    );
    return new Map(entries);
  }

  /** Records a chunk with the checkpoint and the published mark, then hands its copies to the publisher. */
  private async record(chunk: DecidedChunk): Promise<void> {
    const published = this.confirmed;
    try {
      await this.store.record(this.options.checkpointName, chunk.last, chunk.records, { published });
    } finally {
      this.recordingEvents = 0;
    }
    this.recorded = chunk.last;
    this.storedPublished = Math.max(this.storedPublished, Math.min(published, chunk.last));
    this.committed += chunk.events;
    if (eventsBeforeKill(this.options.faults, this.committed) === 0) {
      this.options.log('warn', { msg: 'test fault: SIGKILL after commit, before publish', position: chunk.last });
      killNow();
    }
    this.publish(chunk);
  }

  /** Queues a committed chunk's copies behind the earlier ones; the confirmed mark follows their PubAcks in order. */
  private publish(chunk: DecidedChunk): void {
    // Handed over one turn later, so that the next chunk's statement (waiting for this commit) is
    // sent first and PostgreSQL runs it while this process serialises these copies.
    const sent = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.options.publisher.publish(chunk.records.map((r) => this.messageOf(r.copy, r.copyJson!))),
    );
    sent.catch(() => undefined);
    // Only these are kept until the PubAcks are in: the copies themselves are the publisher's now.
    const { first, last } = chunk;
    const deliveries = chunk.records.length;
    this.publishing = this.publishing.then(async () => {
      try {
        await sent;
      } catch (error) {
        // The publisher refuses everything after a failure until sync() has republished from the mark.
        this.publishFailure ??= error;
        this.options.log('warn', {
          msg: 'publish failed; the stored copies go out again before anything new',
          fromPosition: first,
          error: describeError(error),
        });
        return;
      }
      if (this.publishFailure !== undefined) return;
      this.confirmed = Math.max(this.confirmed, last);
      if (deliveries > 0)
        this.options.log('log', { msg: 'distributed', fromPosition: first, toPosition: last, deliveries });
      this.saveMarkIfIdle();
    });
  }

  /**
   * Writes the published mark when no chunk statement is coming to carry it, so a restart after a
   * quiet period republishes little. Losing this write costs only duplicates, which the stream drops.
   */
  private saveMarkIfIdle(): void {
    if (this.batchesInHand > 0 || this.markWrite || !this.synced || this.confirmed <= this.storedPublished) return;
    const mark = this.confirmed;
    this.markWrite = this.store
      .markPublished(this.options.checkpointName, mark)
      .then(
        () => {
          this.storedPublished = Math.max(this.storedPublished, mark);
        },
        (error: unknown) => this.options.log('warn', { msg: 'published mark not saved', error: describeError(error) }),
      )
      .finally(() => {
        this.markWrite = undefined;
        this.saveMarkIfIdle();
      });
  }

  private messageOf(copy: SharedCopy, json: string): StreamMessage {
    return {
      subject: subjects(this.options.topology).share(copy.recipient, copy.type),
      body: json,
      meta: {
        msgId: `${copy.eventId}:${copy.recipient}`,
        position: copy.position,
        type: copy.type,
        schemaVersion: copy.schemaVersion,
        policyVersion: copy.policyVersion,
      },
    };
  }
}

/** The aggregate's handling with this event applied: follow-ups carry no TLP of their own. */
function handlingAt(event: ChainedEvent, history: readonly ChainedEvent[]): Handling {
  const events = history.filter((e) => e.position <= event.position);
  const view = event.type.startsWith('seizure.') ? currentSeizure(events) : currentAlert(events);
  if (!view) throw new Error(`${event.type} at position ${event.position} has no original in ${event.streamId}`);
  return view.payload.handling;
}

/** The stored recipients plus those decided but perhaps not committed (a copy: both maps are shared by later follow-ups). */
function withDecided(
  stored: ReadonlyMap<AgencyCode, number> | undefined,
  decided: ReadonlyMap<AgencyCode, number> | undefined,
): Map<AgencyCode, number> {
  const recipients = new Map(stored);
  for (const [recipient, version] of decided ?? []) {
    if (!recipients.has(recipient)) recipients.set(recipient, version);
  }
  return recipients;
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
