// The outbox relay (SPEC §4, §6): publishes every committed ledger event, in position order, to
// `caravan.evt.<type>` with Nats-Msg-Id = eventId and the Caravan headers.
//
// - The ledger table is the outbox. The relay reads it through LedgerReader, which sees committed
//   rows only, so it never publishes an event that could still roll back.
// - Its progress is a checkpoint row moved forward only after the events up to it were acknowledged
//   by JetStream. A crash between publish and checkpoint re-publishes a few events on restart, which
//   the stream drops as duplicates (same Nats-Msg-Id within the duplicate window): none is lost, none
//   is stored twice.
// - A page is published pipelined (publishAllToStream: every message sent in position order on the
//   one connection, then every PubAck awaited; the stream stores them in that order, a retry
//   included), and the checkpoint moves only when the whole page is acknowledged.
// - NATS away (or restarted): the publish retries for a while, then the relay backs off and starts
//   again from its checkpoint; the connection reconnects by itself.
// - Woken by the ledger's NOTIFY of a new head, with a slow safety poll should a wake-up be lost.
// - Only the instance holding the relay lock publishes; the others stand by (relay-leadership.ts).
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { subjects, type ChainedEvent, type Topology } from '@caravan/contracts';
import { advanceRelayCheckpoint, readRelayCheckpoint } from '@caravan/ledger-store';
import { describeError, publishAllToStream } from '@caravan/messaging';
import { LedgerContext } from '../ledger.context.js';
import { RelayLeadership } from './relay-leadership.js';

const MAX_BACKOFF_MS = 2_000;

/** The relay's checkpoint name: one per subject root, so a namespace relays into its own streams. */
export function relayCheckpointName(topology: Topology): string {
  return `events@${topology.subjectRoot}`;
}

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly leadership: RelayLeadership;
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;
  private published = 0;

  constructor(@Inject(LedgerContext) private readonly ctx: LedgerContext) {
    this.leadership = new RelayLeadership(ctx.config.databaseUrl);
  }

  private get checkpointName(): string {
    return relayCheckpointName(this.ctx.config.topology);
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  /** Finishes the publish in progress, records how far it got, and gives the relay lock up. */
  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
    await this.leadership.release();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let active = false;
    while (!this.stop.signal.aborted) {
      try {
        if (!(await this.leadership.tryAcquire())) {
          if (active) this.ctx.logger.warn({ msg: 'relay lost its lock; standing by' });
          active = false;
          await this.sleep(this.ctx.tuning.relayStandbyMs);
          continue;
        }
        if (!active) this.ctx.logger.log({ msg: 'relay active', checkpoint: this.checkpointName });
        active = true;
        const position = await this.publishPending();
        failures = 0;
        if (this.stop.signal.aborted) break;
        await this.ctx.notifier.waitForHeadAfter(position, {
          timeoutMs: this.ctx.tuning.relayPollMs,
          signal: this.stop.signal,
        });
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures, 5));
        this.ctx.logger.warn({ msg: 'relay paused', error: describeError(error), retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  /** Publishes everything after the checkpoint, page by page; returns the last position published. */
  private async publishPending(): Promise<number> {
    let after = await readRelayCheckpoint(this.ctx.db, this.checkpointName);
    for (;;) {
      await this.leadership.confirm();
      const page = await this.ctx.reader.readPage({ after }, this.ctx.tuning.relayPageSize);
      if (page.length === 0) return after;
      // A test kill (CARAVAN_FAULT_RELAY_KILL_AFTER) lands on its exact event: the page is cut there.
      const killAfter = this.ctx.tuning.relayKillAfter;
      const slice = killAfter === undefined ? page : page.slice(0, Math.max(1, killAfter - this.published));
      // A failed slice moves nothing: it is sent again whole, and the stream drops what had landed.
      await this.publish(slice);
      for (const event of slice) await this.afterPublish(event);
      const done = slice[slice.length - 1]!.position;
      await advanceRelayCheckpoint(this.ctx.db, this.checkpointName, done);
      if (this.stop.signal.aborted) return done;
      after = done;
    }
  }

  private async publish(page: readonly ChainedEvent[]): Promise<void> {
    const s = subjects(this.ctx.config.topology);
    await publishAllToStream(
      this.ctx.nc,
      page.map((event) => ({
        subject: s.event(event.type),
        body: event,
        meta: { msgId: event.eventId, position: event.position, type: event.type, schemaVersion: event.schemaVersion },
      })),
      { retryForMs: this.ctx.tuning.relayPublishRetryMs },
    );
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
