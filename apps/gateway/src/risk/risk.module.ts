import { Module } from '@nestjs/common';
import { RiskController } from './risk.controller.js';
import { RiskQueryService } from './risk-query.service.js';

/** The regional views of SPEC §8 (apps/gateway/src/risk, owned by the aggregator's engineer). */
@Module({ controllers: [RiskController], providers: [RiskQueryService] })
export class RiskModule {}
