// Answers `caravan.cmd.<agency>.<command>` requests (SPEC §6): one queue-group subscription, each
// request mapped to one CommandService call and answered with the §6 reply (commandReplyFor, libs/messaging).
//
// Why a thin responder and not Nest's NATS transport with @MessagePattern: that transport wraps
// requests and replies in its own envelope ({pattern, data, id} / {response, isDisposed, id}), while
// agencies' own NATS clients send the bare JSON body and expect the bare §6 reply; and its patterns
// are fixed in decorators, while our subjects come from the runtime topology (a private prefix per
// test run or namespace). Undoing both would take a custom server, (de)serializer and pattern
// rewriting: more code than this class, which does only the subscription.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import {
  CaravanError,
  parseCommandSubject,
  subjects,
  type CommandAccepted,
  type CommandReply,
} from '@caravan/contracts';
import { commandReplyFor, describeError } from '@caravan/messaging';
import { LedgerContext } from '../ledger.context.js';
import { CommandService } from './command.service.js';

@Injectable()
export class CommandResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(LedgerContext) private readonly ctx: LedgerContext,
    @Inject(CommandService) private readonly commands: CommandService,
  ) {}

  onApplicationBootstrap(): void {
    const { topology } = this.ctx.config;
    // Requests are handled concurrently: the ledger writer batches whatever arrives together.
    this.subscription = this.ctx.nc.subscribe(subjects(topology).allCommands, {
      queue: this.ctx.tuning.commandQueue,
      callback: (error, msg) => {
        if (error) {
          this.ctx.logger.error({ msg: 'command subscription failed', error: error.message });
          return;
        }
        const handled = this.handle(msg).finally(() => this.inFlight.delete(handled));
        this.inFlight.add(handled);
      },
    });
  }

  /** Stops taking requests and lets those in progress finish and be answered. */
  async onApplicationShutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription && !subscription.isClosed()) await subscription.drain().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  private async handle(msg: Msg): Promise<void> {
    let reply: CommandReply;
    try {
      reply = commandReplyFor({ result: await this.execute(msg) });
    } catch (error) {
      reply = commandReplyFor({ error });
    }
    try {
      msg.respond(JSON.stringify(reply));
    } catch (error) {
      // Only when the connection is closing; the requester times out and may retry the commandId.
      this.ctx.logger.warn({ msg: 'command reply not sent', error: describeError(error) });
    }
  }

  private async execute(msg: Msg): Promise<CommandAccepted> {
    const target = parseCommandSubject(this.ctx.config.topology, msg.subject);
    // The agency is the subject's, which the NATS server lets only that agency publish to.
    if (!target) throw new CaravanError('invalid', 'a command subject is caravan.cmd.<agency>.<command>');
    let body: unknown;
    try {
      body = msg.json();
    } catch {
      throw new CaravanError('invalid', 'the command body is not JSON');
    }
    try {
      return await this.commands.execute(target.agency, target.command, body);
    } catch (error) {
      if (!(error instanceof CaravanError) || error.code === 'unavailable') {
        // The caller only hears `unavailable`; the cause is for the operator (never the body).
        const cause = (error as { cause?: unknown }).cause;
        this.ctx.logger.error({
          msg: 'command failed',
          subject: msg.subject,
          error: describeError(error),
          ...(cause !== undefined ? { cause: describeError(cause) } : {}),
        });
      }
      throw error;
    }
  }
}
