// POST /v1/hits (recipient): hit/no-hit over identifiers, never content.
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Caller, Roles, type CallerIdentity } from '../auth/index.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { HITS_REQUEST_SCHEMA, HITS_RESPONSE_SCHEMA } from '../openapi/schemas.js';
import { HitsService, type HitResult } from './hits.service.js';

@ApiTags('recipient')
@ApiBearerAuth()
@Roles('recipient')
@Controller('v1/hits')
export class HitsController {
  constructor(@Inject(HitsService) private readonly hits: HitsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Whether identifiers appear in events the caller may not see, and which agency to contact',
  })
  @ApiBody({ schema: HITS_REQUEST_SCHEMA })
  @ApiResponse({ status: 200, schema: HITS_RESPONSE_SCHEMA })
  @ApiProblems(400, 401, 403, 413, 415, 429, 503)
  async query(@Caller() caller: CallerIdentity, @Body() body: unknown): Promise<{ results: HitResult[] }> {
    return { results: await this.hits.query(caller, body) };
  }
}
