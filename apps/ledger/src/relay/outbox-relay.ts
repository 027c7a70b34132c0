// The outbox relay (SPEC §4, §6): publishes every committed ledger event, in position order, to
// `caravan.evt.<type>` with Nats-Msg-Id = eventId and the Caravan headers.
//
// - The ledger table is the outbox. The relay reads it through LedgerReader, which sees committed
//   rows only, so it never publishes an event that could still roll back.
// - Its progress is a checkpoint row moved forward only after the events up to it were acknowledged
//   by JetStream. A crash between publish and checkpoint re-publishes a few events on restart, which
//   the stream drops as duplicates (same Nats-Msg-Id within the duplicate window): none is lost, none
//   is stored twice.
// - Pipelined for latency: pages go to one long-lived StreamPublisher, which stores them in position
//   order even across a failed publish; the next page is read while the previous one waits for its
//   PubAcks, and the checkpoint follows the PubAcks in order, off the publishing path (one write at
//   a time, to the latest acknowledged position, at most every relayCheckpointEveryMs). While active
//   the relay keeps its position in memory and reads the checkpoint row again only after a failure.
// - NATS away (or restarted): the publisher retries for a while, then the relay backs off and starts
//   again from its checkpoint; the connection reconnects by itself.
// - Woken by the ledger's NOTIFY of a new head, with a slow safety poll should a wake-up be lost.
// - Only the instance holding the relay lock publishes; the others stand by. The lock is a session
//   advisory lock (tryLeadership of @caravan/database) keyed by the checkpoint's name, so namespaces
//   sharing a database each have their relay. Two relays overlapping for a moment (a session that
//   dies slowly) would only publish duplicates, which JetStream drops by Nats-Msg-Id.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { streamConfigs, subjects, type ChainedEvent, type Topology } from '@caravan/contracts';
import { advanceRelayCheckpoint, readRelayCheckpoint } from '@caravan/ledger-store';
import { tryLeadership, type Leadership } from '@caravan/database';
import { jetstreamManager } from '@nats-io/jetstream';
import { describeError, lastStored, StreamPublisher } from '@caravan/messaging';
import { LedgerContext } from '../ledger.context.js';

const MAX_BACKOFF_MS = 2_000;
// "rela" in ASCII: the relay's class of advisory locks. Not the ledger's write lock (a transaction
// lock with another key): the relay never blocks appends.
const RELAY_LOCK = 0x72656c61;

/** The relay's checkpoint name: one per subject root, so a namespace relays into its own streams. */
export function relayCheckpointName(topology: Topology): string {
  return `events@${topology.subjectRoot}`;
}

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  /** The relay lock while this instance holds it. */
  private leadership: Leadership | undefined;
  private readonly publisher: StreamPublisher;
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;
  /** Events acknowledged, and events handed to the publisher (counted for the test kill). */
  private published = 0;
  private sent = 0;
  /** The last position handed to the publisher; undefined until read from the checkpoint. */
  private relayed: number | undefined;
  /** Settles when every page handed to the publisher is acknowledged. */
  private acknowledged: Promise<void> = Promise.resolve();
  /** Every event up to here has its PubAck; the checkpoint follows it. */
  private acknowledgedUpTo = 0;
  /** The checkpoint as last written by this instance. */
  private checkpointed = 0;
  private checkpointWrite: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Aborted when a publish fails, so the relay does not sit out the safety poll before starting again. */
  private onFailure = new AbortController();

  constructor(@Inject(LedgerContext) private readonly ctx: LedgerContext) {
    this.publisher = new StreamPublisher(ctx.nc, { retryForMs: ctx.tuning.relayPublishRetryMs });
  }

  private get checkpointName(): string {
    return relayCheckpointName(this.ctx.config.topology);
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  /** Finishes the publishes in progress, records how far they got, and gives the relay lock up. */
  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
    await this.acknowledged;
    await this.checkpointWrite;
    this.publisher.close();
    await this.leadership?.release();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let active = false;
    while (!this.stop.signal.aborted) {
      try {
        if (!(await this.lead())) {
          if (active) this.ctx.logger.warn({ msg: 'relay lost its lock; standing by' });
          active = false;
          this.relayed = undefined;
          await this.sleep(this.ctx.tuning.relayStandbyMs);
          continue;
        }
        if (!active) this.ctx.logger.log({ msg: 'relay active', checkpoint: this.checkpointName });
        active = true;
        const onFailure = (this.onFailure = new AbortController());
        const position = await this.publishPending();
        failures = 0;
        if (this.stop.signal.aborted) break;
        if (this.failure !== undefined) continue;
        await this.ctx.notifier.waitForHeadAfter(position, {
          timeoutMs: this.ctx.tuning.relayPollMs,
          signal: AbortSignal.any([this.stop.signal, onFailure.signal]),
        });
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures, 5));
        this.ctx.logger.warn({ msg: 'relay paused', error: describeError(error), retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  /** Hands everything after the last relayed position to the publisher; returns that position. */
  private async publishPending(): Promise<number> {
    if (this.failure !== undefined) {
      // Start again from the checkpoint, once nothing of the failed attempt is left in flight.
      await this.acknowledged;
      const failure = this.failure;
      this.failure = undefined;
      this.relayed = undefined;
      this.publisher.reset();
      throw failure;
    }
    let relayed = (this.relayed ??= await this.resumePoint());
    const pageSize = this.ctx.tuning.relayPageSize;
    for (;;) {
      const [, page]: [void, ChainedEvent[]] = await Promise.all([
        this.confirmLead(),
        this.ctx.reader.readPage({ after: relayed }, pageSize),
      ]);
      if (page.length === 0) return relayed;
      // A test kill (CARAVAN_FAULT_RELAY_KILL_AFTER) lands on its exact event: nothing is sent past it.
      const killAfter = this.ctx.tuning.relayKillAfter;
      const slice: ChainedEvent[] = killAfter === undefined ? page : page.slice(0, Math.max(0, killAfter - this.sent));
      if (slice.length === 0) {
        await this.acknowledged;
        return relayed;
      }
      this.send(slice);
      this.sent += slice.length;
      relayed = this.relayed = slice[slice.length - 1]!.position;
      if (this.stop.signal.aborted || page.length < pageSize || this.failure !== undefined) return relayed;
      // Reading runs ahead of the PubAcks by a few pages at most.
      await this.publisher.whenPendingAtMost(pageSize * 4);
    }
  }

  /** Queues a page behind the earlier ones; its checkpoint moves once its PubAcks (and theirs) are in. */
  private send(page: readonly ChainedEvent[]): void {
    const s = subjects(this.ctx.config.topology);
    const acked = this.publisher.publish(
      page.map((event) => ({
        subject: s.event(event.type),
        body: event,
        meta: { msgId: event.eventId, position: event.position, type: event.type, schemaVersion: event.schemaVersion },
      })),
    );
    acked.catch(() => undefined);
    const done = page[page.length - 1]!.position;
    this.acknowledged = this.acknowledged.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await acked;
        for (const event of page) await this.afterPublish(event);
        this.checkpointSoon(done);
      } catch (error) {
        this.fail(error);
      }
    });
  }

  /** Stops relaying past a failed publish or checkpoint write: publishPending starts again from the checkpoint. */
  private fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(describeError(error));
    this.onFailure.abort();
  }

  /** Moves the checkpoint to `position` (acknowledged, with everything before it) soon. */
  private checkpointSoon(position: number): void {
    this.acknowledgedUpTo = Math.max(this.acknowledgedUpTo, position);
    if (this.checkpointWrite || this.acknowledgedUpTo <= this.checkpointed) return;
    this.checkpointWrite = this.writeCheckpoints().finally(() => {
      this.checkpointWrite = undefined;
      // Acknowledged after the last write had read its target.
      if (this.failure === undefined) this.checkpointSoon(this.acknowledgedUpTo);
    });
  }

  private async writeCheckpoints(): Promise<void> {
    while (this.failure === undefined && this.acknowledgedUpTo > this.checkpointed) {
      const target = this.acknowledgedUpTo;
      try {
        await advanceRelayCheckpoint(this.ctx.db, this.checkpointName, target);
      } catch (error) {
        this.fail(error);
        return;
      }
      this.checkpointed = target;
      // More acknowledged meanwhile: written after a pause (at once when stopping), coalesced.
      if (this.acknowledgedUpTo > target) await this.sleep(this.ctx.tuning.relayCheckpointEveryMs);
    }
  }

  private async afterPublish(event: ChainedEvent): Promise<void> {
    this.published += 1;
    const killAfter = this.ctx.tuning.relayKillAfter;
    if (killAfter !== undefined && this.published >= killAfter) {
      // TEST ONLY (CARAVAN_FAULT_RELAY_KILL_AFTER): die between publish and checkpoint, as a crash would.
      this.ctx.logger.warn({ msg: 'fault injection: relay kills its process', position: event.position });
      process.kill(process.pid, 'SIGKILL');
      await new Promise<never>(() => undefined);
    }
  }

  /**
   * Where relaying goes on: after the checkpoint, or after the last event CARAVAN_EVENTS holds if
   * that is further. The relay publishes in position order and never stores an event after one that
   * failed, so what the stream holds is every event up to its last; resuming there rather than
   * leaning on the stream's 2-hour duplicate window means a restart hours after a crash between
   * publish and checkpoint stores nothing twice. The last message counts only if the ledger has
   * that very event at its position (a stream left from another database does not).
   */
  private async resumePoint(): Promise<number> {
    const checkpoint = await readRelayCheckpoint(this.ctx.db, this.checkpointName);
    const jsm = await jetstreamManager(this.ctx.nc);
    const last = await lastStored(jsm, streamConfigs(this.ctx.config.topology).events.name);
    if (!last || last.position <= checkpoint) return checkpoint;
    const [event] = await this.ctx.reader.readPage({ after: last.position - 1, upTo: last.position }, 1);
    return event?.eventId === last.msgId ? last.position : checkpoint;
  }

  /** Whether this instance holds the relay lock, taking it if it is free. */
  private async lead(): Promise<boolean> {
    if (this.leadership) return true;
    const leadership = await tryLeadership(this.ctx.config.databaseUrl, {
      lockClass: RELAY_LOCK,
      name: this.checkpointName,
      applicationName: 'caravan-ledger-relay',
    });
    if (!leadership) return false;
    this.leadership = leadership;
    void leadership.lost.then(async () => {
      if (this.leadership === leadership) this.leadership = undefined;
      await leadership.release();
    });
    return true;
  }

  /** Throws unless the relay lock's session still answers: checked before each page. */
  private async confirmLead(): Promise<void> {
    if (!this.leadership) throw new Error('the relay lock is not held');
    await this.leadership.confirm();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stop.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.stop.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stop.signal.addEventListener('abort', done);
    });
  }
}
