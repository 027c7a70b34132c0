// The Nest side of the distributor: one thin handler for every `caravan.evt.*` message of the
// durable, in batches, making one service call. Built per topology, because @EventPattern takes its
// subject when the class is declared.
import { Controller, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { subjects, type Topology } from '@caravan/contracts';
import { JETSTREAM_BATCH } from '@caravan/messaging';
import type { DistributionService } from './distribution.service.js';

/** The distributor's Nest module for a topology, handing batches to `service`. */
export function distributorModule(topology: Topology, service: DistributionService) {
  @Controller()
  class RecordedEventsController {
    @EventPattern<string>(subjects(topology).allEvents, JETSTREAM_BATCH)
    async onRecordedEvents(@Payload() bodies: readonly unknown[]): Promise<void> {
      await service.handle(bodies);
    }
  }

  @Module({ controllers: [RecordedEventsController] })
  class DistributorModule {}
  return DistributorModule;
}
