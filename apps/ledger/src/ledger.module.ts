// The ledger's providers: the command service and its NATS responder, and the outbox relay.
import { type DynamicModule, Module } from '@nestjs/common';
import { CommandResponder } from './commands/command.responder.js';
import { CommandService } from './commands/command.service.js';
import { LedgerContext } from './ledger.context.js';
import { OutboxRelay } from './relay/outbox-relay.js';

@Module({})
export class LedgerModule {
  static with(ctx: LedgerContext): DynamicModule {
    return {
      module: LedgerModule,
      providers: [{ provide: LedgerContext, useValue: ctx }, CommandService, CommandResponder, OutboxRelay],
    };
  }
}
