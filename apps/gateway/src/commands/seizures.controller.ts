// POST/PATCH/DELETE /v1/seizures (publisher, SPEC §7): body → command → the ledger over NATS.
import type { ServerResponse } from 'node:http';
import { Body, Controller, Delete, Headers, Inject, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { assertActsAsOwnAgency, Caller, Roles, type CallerIdentity } from '../auth/index.js';
import { ApiProblems } from '../openapi/api-problems.js';
import {
  AMEND_SEIZURE_SCHEMA,
  COMMAND_ACCEPTED_SCHEMA,
  REASON_SCHEMA,
  REPORT_SEIZURE_SCHEMA,
} from '../openapi/schemas.js';
import { answerAccepted, bodyForTarget, parseIfMatch, requireUuid, type AcceptedBody } from './command-http.js';
import { CommandService } from './command.service.js';

@ApiTags('publisher')
@ApiBearerAuth()
@Roles('publisher')
@Controller('v1/seizures')
export class SeizuresController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiOperation({ summary: 'Report a seizure (§3.1 payload plus commandId)' })
  @ApiBody({ schema: REPORT_SEIZURE_SCHEMA })
  @ApiResponse({ status: 201, description: 'recorded', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiResponse({
    status: 200,
    description: 'the same commandId and body again: the first answer',
    schema: COMMAND_ACCEPTED_SCHEMA,
  })
  @ApiProblems(400, 401, 403, 409, 413, 415, 429, 503)
  async report(
    @Caller() caller: CallerIdentity,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AcceptedBody> {
    assertActsAsOwnAgency(caller, body);
    return answerAccepted(res, await this.commands.send(caller, 'seizure.report', body));
  }

  @Patch(':seizureId')
  @ApiOperation({ summary: 'Amend a seizure (originator only)' })
  @ApiHeader({ name: 'If-Match', required: true, description: 'the stream version the change is based on' })
  @ApiBody({ schema: AMEND_SEIZURE_SCHEMA })
  @ApiResponse({ status: 201, description: 'recorded', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiResponse({ status: 200, description: 'replayed commandId', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415, 428, 429, 503)
  async amend(
    @Caller() caller: CallerIdentity,
    @Param('seizureId') seizureId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AcceptedBody> {
    requireUuid(seizureId, 'seizure');
    assertActsAsOwnAgency(caller, body);
    const expectedVersion = parseIfMatch(ifMatch, true);
    const command = bodyForTarget(body, { seizureId, expectedVersion });
    return answerAccepted(res, await this.commands.send(caller, 'seizure.amend', command));
  }

  @Delete(':seizureId')
  @ApiOperation({ summary: 'Retract a seizure (originator only); body {reason}, commandId optional' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiBody({ schema: REASON_SCHEMA })
  @ApiResponse({ status: 201, description: 'retraction recorded', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiResponse({ status: 200, description: 'replayed commandId', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415, 429, 503)
  async retract(
    @Caller() caller: CallerIdentity,
    @Param('seizureId') seizureId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AcceptedBody> {
    requireUuid(seizureId, 'seizure');
    assertActsAsOwnAgency(caller, body);
    const expectedVersion = parseIfMatch(ifMatch, false);
    const command = bodyForTarget(body, { seizureId, expectedVersion }, { defaultCommandId: true });
    return answerAccepted(res, await this.commands.send(caller, 'seizure.retract', command));
  }
}
