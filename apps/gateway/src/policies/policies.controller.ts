// GET/PUT /v1/policies/{agency} and POST /v1/policies/{agency}/preview: an agency's admin reads,
// replaces and tries out its own outbound sharing policy (SPEC §5, §7). Another agency's policy is
// refused with 403 whatever the caller's roles.
import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CaravanError } from '@caravan/contracts';
import type { PolicyPreview } from '@caravan/domain';
import { assertActsAsOwnAgency, Caller, Roles, type CallerIdentity } from '../auth/index.js';
import { parseIfMatch } from '../commands/command-http.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { POLICY_PREVIEW_REQUEST_SCHEMA, POLICY_SCHEMA, SET_POLICY_SCHEMA } from '../openapi/schemas.js';
import { PolicyService, type PolicyView } from './policy.service.js';

function assertOwn(caller: CallerIdentity, agency: string): void {
  if (caller.agency !== agency) {
    throw new CaravanError('forbidden', `a key of ${caller.agency} can manage only its own agency's policy`);
  }
}

@ApiTags('agency administration')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/policies')
export class PoliciesController {
  constructor(@Inject(PolicyService) private readonly policies: PolicyService) {}

  @Get(':agency')
  @ApiOperation({ summary: "The agency's sharing policy in force (version 0 and no rules before the first)" })
  @ApiResponse({ status: 200, schema: POLICY_SCHEMA })
  @ApiProblems(401, 403, 429)
  get(@Caller() caller: CallerIdentity, @Param('agency') agency: string): Promise<PolicyView> {
    assertOwn(caller, agency);
    return this.policies.current(agency);
  }

  @Put(':agency')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the sharing policy (policy.set through the ledger); returns the new version' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the policy version this replaces' })
  @ApiBody({ schema: SET_POLICY_SCHEMA })
  @ApiResponse({ status: 200, description: '{agency, version, eventId, position}' })
  @ApiProblems(400, 401, 403, 409, 412, 413, 415, 429, 503)
  async put(
    @Caller() caller: CallerIdentity,
    @Param('agency') agency: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<{ agency: string; version: number; eventId: string; position: number }> {
    assertOwn(caller, agency);
    assertActsAsOwnAgency(caller, body);
    const answer = await this.policies.set(caller, body, parseIfMatch(ifMatch, false));
    res.setHeader('etag', `"${answer.version}"`);
    return answer;
  }

  @Post(':agency/preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'What each directory agency would get of a sample event under a draft policy' })
  @ApiBody({ schema: POLICY_PREVIEW_REQUEST_SCHEMA })
  @ApiResponse({ status: 200, description: '{recipients: [{agency, delivered, payload?, paths?}]}' })
  @ApiProblems(400, 401, 403, 413, 415, 429)
  async preview(
    @Caller() caller: CallerIdentity,
    @Param('agency') agency: string,
    @Body() body: unknown,
  ): Promise<{ recipients: PolicyPreview[] }> {
    assertOwn(caller, agency);
    return { recipients: await this.policies.preview(caller, body) };
  }
}
