// Module layout. Order matters for routing: Nest registers routes module by module in scan order,
// so RiskModule (GET /v1/alerts/active) comes before ApiModule (GET /v1/alerts/{alertId}).
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from './audit/audit.module.js';
import { AuthGuard, RateLimiter } from './auth/index.js';
import { AlertsController } from './commands/alerts.controller.js';
import { CommandService } from './commands/command.service.js';
import { SeizuresController } from './commands/seizures.controller.js';
import { DirectoryCache } from './directory/directory.cache.js';
import { DirectoryController } from './directory/directory.controller.js';
import { CurrentStateController } from './feed/current-state.controller.js';
import { FeedController } from './feed/feed.controller.js';
import { HitsController } from './hits/hits.controller.js';
import { HitsService } from './hits/hits.service.js';
import { GatewayContext } from './gateway.context.js';
import { HealthController } from './health/health.controller.js';
import { ProblemFilter } from './http/problem.filter.js';
import { KeyStore } from './keys/key-store.js';
import { KeysController } from './keys/keys.controller.js';
import { PoliciesController } from './policies/policies.controller.js';
import { PolicyService } from './policies/policy.service.js';
import { RiskModule } from './risk/risk.module.js';

/** The shared resources, visible to every module of the gateway. */
@Global()
@Module({})
export class CoreModule {
  static with(ctx: GatewayContext, keys: KeyStore, limiter: RateLimiter): DynamicModule {
    const providers = [
      { provide: GatewayContext, useValue: ctx },
      { provide: DirectoryCache, useValue: ctx.directory },
      { provide: KeyStore, useValue: keys },
      { provide: RateLimiter, useValue: limiter },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}

/** Publisher, recipient, admin and hub-admin endpoints. */
@Module({
  controllers: [
    HealthController,
    KeysController,
    DirectoryController,
    SeizuresController,
    AlertsController,
    PoliciesController,
    FeedController,
    CurrentStateController,
    HitsController,
  ],
  providers: [CommandService, PolicyService, HitsService],
})
export class ApiModule {}

@Module({})
export class GatewayModule {
  static with(ctx: GatewayContext, keys: KeyStore, limiter: RateLimiter): DynamicModule {
    return {
      module: GatewayModule,
      imports: [CoreModule.with(ctx, keys, limiter), RiskModule, AuditModule, ApiModule],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
