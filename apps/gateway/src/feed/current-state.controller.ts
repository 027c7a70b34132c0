// GET /v1/seizures/{id} and GET /v1/alerts/{id} (recipient): the object as the caller may see it.
// The originator sees its own object whole (folded from the ledger); anyone else sees the fold of
// the copies delivered to it. Nothing to see is a 404, identical to a nonexistent id.
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CaravanError, streamIds } from '@caravan/contracts';
import { currentAlert, currentPayload, currentSeizure } from '@caravan/domain';
import { Caller, Roles, type CallerIdentity } from '../auth/index.js';
import { GatewayContext } from '../gateway.context.js';
import { isUuid } from '../http/validation.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { CURRENT_STATE_SCHEMA } from '../openapi/schemas.js';

/** The current state of a seizure or alert as one caller sees it. */
export interface CurrentState {
  readonly id: string;
  readonly originator: string;
  readonly streamVersion: number;
  readonly lastPosition: number;
  readonly ended: boolean;
  readonly endReason?: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

@ApiTags('recipient')
@ApiBearerAuth()
@Roles('recipient', 'publisher')
@Controller('v1')
export class CurrentStateController {
  constructor(@Inject(GatewayContext) private readonly ctx: GatewayContext) {}

  @Get('seizures/:seizureId')
  @ApiOperation({ summary: 'A seizure as the caller may see it' })
  @ApiResponse({ status: 200, schema: CURRENT_STATE_SCHEMA })
  @ApiProblems(401, 403, 404, 429)
  seizure(@Caller() caller: CallerIdentity, @Param('seizureId') id: string): Promise<CurrentState> {
    return this.load(caller, id, 'seizure');
  }

  @Get('alerts/:alertId')
  @ApiOperation({ summary: 'An alert as the caller may see it' })
  @ApiResponse({ status: 200, schema: CURRENT_STATE_SCHEMA })
  @ApiProblems(401, 403, 404, 429)
  alert(@Caller() caller: CallerIdentity, @Param('alertId') id: string): Promise<CurrentState> {
    return this.load(caller, id, 'alert');
  }

  private async load(caller: CallerIdentity, id: string, kind: 'seizure' | 'alert'): Promise<CurrentState> {
    const missing = new CaravanError('not-found', `no such ${kind}`);
    if (!isUuid(id)) throw missing;
    const streamId = kind === 'seizure' ? streamIds.seizure(id) : streamIds.alert(id);
    const { events } = await this.ctx.ledger.loadStream(streamId);
    const first = events[0];
    if (first && first.originator === caller.agency) {
      const last = events.at(-1)!;
      if (kind === 'seizure') {
        const view = currentSeizure(events)!;
        return {
          id,
          originator: view.originator,
          streamVersion: view.streamVersion,
          lastPosition: last.position,
          ended: view.retracted,
          ...(view.retractionReason !== undefined ? { endReason: view.retractionReason } : {}),
          payload: view.payload as unknown as Record<string, unknown>,
        };
      }
      const view = currentAlert(events)!;
      return {
        id,
        originator: view.originator,
        streamVersion: view.streamVersion,
        lastPosition: last.position,
        ended: view.withdrawn,
        ...(view.withdrawalReason !== undefined ? { endReason: view.withdrawalReason } : {}),
        payload: view.payload as unknown as Record<string, unknown>,
      };
    }
    // Only a recipient reads others' objects; a publisher-only key sees its own and nothing else.
    if (!caller.roles.includes('recipient')) throw missing;
    const copies = await this.ctx.feed.copiesOfStream(caller.agency, streamId);
    const folded = currentPayload(copies);
    const last = copies.at(-1);
    if (!folded || !last) throw missing;
    return {
      id,
      originator: last.originator,
      streamVersion: last.streamVersion,
      lastPosition: last.position,
      ended: folded.ended,
      ...(folded.endReason !== undefined ? { endReason: folded.endReason } : {}),
      payload: folded.payload,
    };
  }
}
