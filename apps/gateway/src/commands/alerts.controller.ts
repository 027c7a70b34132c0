// POST/PATCH/DELETE /v1/alerts (publisher, SPEC §7): the same shape as seizures.
import type { ServerResponse } from 'node:http';
import { Body, Controller, Delete, Headers, Inject, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { assertActsAsOwnAgency, Caller, Roles, type CallerIdentity } from '../auth/index.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { UPDATE_ALERT_SCHEMA, COMMAND_ACCEPTED_SCHEMA, REASON_SCHEMA, ISSUE_ALERT_SCHEMA } from '../openapi/schemas.js';
import { answerAccepted, bodyForTarget, parseIfMatch, requireUuid, type AcceptedBody } from './command-http.js';
import { CommandService } from './command.service.js';

@ApiTags('publisher')
@ApiBearerAuth()
@Roles('publisher')
@Controller('v1/alerts')
export class AlertsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  @ApiOperation({ summary: 'Issue a threat alert (§3.4 payload plus commandId)' })
  @ApiBody({ schema: ISSUE_ALERT_SCHEMA })
  @ApiResponse({ status: 201, description: 'recorded', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiResponse({
    status: 200,
    description: 'the same commandId and body again: the first answer',
    schema: COMMAND_ACCEPTED_SCHEMA,
  })
  @ApiProblems(400, 401, 403, 409, 413, 415, 429, 503)
  async issue(
    @Caller() caller: CallerIdentity,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AcceptedBody> {
    assertActsAsOwnAgency(caller, body);
    return answerAccepted(res, await this.commands.send(caller, 'alert.issue', body));
  }

  @Patch(':alertId')
  @ApiOperation({ summary: 'Update an alert (originator only)' })
  @ApiHeader({ name: 'If-Match', required: true, description: 'the stream version the change is based on' })
  @ApiBody({ schema: UPDATE_ALERT_SCHEMA })
  @ApiResponse({ status: 201, description: 'recorded', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiResponse({ status: 200, description: 'replayed commandId', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415, 428, 429, 503)
  async update(
    @Caller() caller: CallerIdentity,
    @Param('alertId') alertId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AcceptedBody> {
    requireUuid(alertId, 'alert');
    assertActsAsOwnAgency(caller, body);
    const expectedVersion = parseIfMatch(ifMatch, true);
    const command = bodyForTarget(body, { alertId, expectedVersion });
    return answerAccepted(res, await this.commands.send(caller, 'alert.update', command));
  }

  @Delete(':alertId')
  @ApiOperation({ summary: 'Withdraw an alert (originator only); body {reason}, commandId optional' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiBody({ schema: REASON_SCHEMA })
  @ApiResponse({ status: 201, description: 'withdrawal recorded', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiResponse({ status: 200, description: 'replayed commandId', schema: COMMAND_ACCEPTED_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415, 429, 503)
  async withdraw(
    @Caller() caller: CallerIdentity,
    @Param('alertId') alertId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AcceptedBody> {
    requireUuid(alertId, 'alert');
    assertActsAsOwnAgency(caller, body);
    const expectedVersion = parseIfMatch(ifMatch, false);
    const command = bodyForTarget(body, { alertId, expectedVersion }, { defaultCommandId: true });
    return answerAccepted(res, await this.commands.send(caller, 'alert.withdraw', command));
  }
}
