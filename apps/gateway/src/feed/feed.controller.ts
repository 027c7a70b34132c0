// GET /v1/feed and GET /v1/feed/stream (recipient): the caller's redacted copies, paged and live.
import type { ServerResponse } from 'node:http';
import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SharedCopy } from '@caravan/contracts';
import { Caller, Roles, type CallerIdentity } from '../auth/index.js';
import { GatewayContext } from '../gateway.context.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { FEED_PAGE_SCHEMA } from '../openapi/schemas.js';
import { feedParams, streamParams } from './feed-params.js';
import { streamFeed } from './sse-writer.js';

const SSE_PAGE = 200;

@ApiTags('recipient')
@ApiBearerAuth()
@Roles('recipient')
@Controller('v1/feed')
export class FeedController {
  constructor(@Inject(GatewayContext) private readonly ctx: GatewayContext) {}

  @Get()
  @ApiOperation({ summary: "The caller's redacted copies in position order, with a `next` cursor" })
  @ApiQuery({ name: 'after', required: false, type: Number })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1..1000, default 100' })
  @ApiQuery({ name: 'types', required: false, description: 'comma-separated type globs, e.g. seizure.*' })
  @ApiResponse({ status: 200, schema: FEED_PAGE_SCHEMA })
  @ApiProblems(400, 401, 403, 429, 503)
  async page(
    @Caller() caller: CallerIdentity,
    @Query() query: Record<string, unknown>,
  ): Promise<{ events: SharedCopy[]; next: number }> {
    const { after, limit, types } = feedParams(query);
    const events = await this.ctx.feed.page({ recipient: caller.agency, after, limit, ...(types ? { types } : {}) });
    // `next` is where to continue: the last position returned, or `after` again when nothing came.
    return { events, next: events.at(-1)?.position ?? after };
  }

  @Get('stream')
  @ApiOperation({ summary: 'The same live as Server-Sent Events (`id:` = position); Last-Event-ID resumes' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiQuery({ name: 'types', required: false })
  @ApiQuery({ name: 'after', required: false, type: Number })
  @ApiResponse({ status: 200, description: 'text/event-stream of shared copies' })
  @ApiProblems(400, 401, 403, 429)
  async stream(
    @Caller() caller: CallerIdentity,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const { after, types } = streamParams(query, lastEventId);
    await streamFeed(res, this.ctx.feed, {
      recipient: caller.agency,
      after,
      ...(types ? { types } : {}),
      heartbeatMs: this.ctx.tuning.sseHeartbeatMs,
      stallLimitMs: 30_000,
      pageSize: SSE_PAGE,
    });
  }
}
