// The aggregator's message handler: the centre's copies, a micro-batch per call, one service call.
import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { JETSTREAM_BATCH, JetStreamContext } from '@caravan/messaging';
import { AggregatorService } from './aggregator.service.js';

/** A controller listening on `subject` (built per topology, hence the factory). */
export function aggregatorController(subject: string): Type<unknown> {
  @Controller()
  class AggregatorController {
    constructor(@Inject(AggregatorService) private readonly service: AggregatorService) {}

    // The messages, not only their bodies: their stream sequences keep the fold in order.
    @EventPattern<string>(subject, JETSTREAM_BATCH)
    async onCopies(@Ctx() context: JetStreamContext): Promise<void> {
      await this.service.apply(context.getMessages());
    }
  }
  return AggregatorController;
}
