// Liveness, readiness and Prometheus metrics: public, outside /v1.
import { Controller, Get, Header, HttpCode, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CaravanError } from '@caravan/contracts';
import { Public } from '../auth/index.js';
import { GatewayContext } from '../gateway.context.js';

@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(@Inject(GatewayContext) private readonly ctx: GatewayContext) {}

  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HttpCode(200)
  async readyz(): Promise<{ status: 'ready'; database: 'ok'; nats: 'ok' }> {
    const database = await this.ctx.db
      .query('SELECT 1')
      .then(() => true)
      .catch(() => false);
    const nats = this.ctx.nc.isClosed()
      ? false
      : await this.ctx.nc
          .flush()
          .then(() => true)
          .catch(() => false);
    if (!database || !nats) {
      const down = [!database ? 'PostgreSQL' : undefined, !nats ? 'NATS' : undefined].filter(Boolean).join(' and ');
      throw new CaravanError('unavailable', `not ready: ${down} unreachable`);
    }
    return { status: 'ready', database: 'ok', nats: 'ok' };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.ctx.metrics.render();
  }
}
