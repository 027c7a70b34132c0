// Audit endpoints (SPEC §7, §9): thin mappings from the query to one AuditService call. Everything
// but the public key needs the auditor role.
import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AsSeen, AuditAccess, ChainStatus } from '@caravan/audit';
import type { Checkpoint } from '@caravan/domain';
import { Caller, Public, Roles, type CallerIdentity } from '../auth/index.js';
import { ApiProblems } from '../openapi/api-problems.js';
import {
  accessesParams,
  asSeenParams,
  checkpointsParams,
  disclosuresParams,
  eventsParams,
  statusParams,
} from './audit-params.js';
import { AuditService, type AuditorStatus, type DisclosurePage } from './audit.service.js';

/** GET /v1/audit/keys: the ledger's Ed25519 public key. */
export interface LedgerPublicKey {
  readonly algorithm: 'Ed25519';
  readonly pem: string;
  readonly hex: string;
}

type Query = Record<string, unknown>;

@ApiTags('audit')
@Roles('auditor')
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Public()
  @Get('keys')
  @ApiOperation({ summary: 'The ledger public key that signs checkpoints (PEM and raw hex)' })
  @ApiResponse({ status: 200, description: '{algorithm: "Ed25519", pem, hex}' })
  keys(): LedgerPublicKey {
    return this.audit.keys();
  }

  @ApiBearerAuth()
  @Get('events')
  @ApiOperation({
    summary: 'Full events with their hashes, NDJSON, in position order (each read is recorded)',
    description:
      'One event per line (SPEC §4). With export=true (no filters) the checkpoints of the range and the ' +
      'ledger public key follow: a file `caravan verify` checks offline. A range not starting at 1 or a ' +
      'filtered listing begins with a chainStart line. Header Caravan-Last-Position: the last position of the range.',
  })
  @ApiProduces('application/x-ndjson')
  @ApiQuery({ name: 'from', required: false, type: Number, description: 'first position (default 1)' })
  @ApiQuery({ name: 'to', required: false, type: Number, description: 'last position (default: the head)' })
  @ApiQuery({ name: 'stream', required: false, description: 'a stream id, e.g. seizure-<uuid>' })
  @ApiQuery({ name: 'type', required: false, description: 'comma-separated event types' })
  @ApiQuery({ name: 'originator', required: false, description: 'agency code' })
  @ApiQuery({ name: 'recordedFrom', required: false, description: 'recordedAt at or after (RFC 3339)' })
  @ApiQuery({ name: 'recordedBefore', required: false, description: 'recordedAt before (RFC 3339)' })
  @ApiQuery({ name: 'export', required: false, enum: ['true', 'false'] })
  @ApiResponse({ status: 200, description: 'application/x-ndjson' })
  @ApiProblems(400, 401, 403, 429, 503)
  async events(@Caller() caller: CallerIdentity, @Query() query: Query, @Res() res: ServerResponse): Promise<void> {
    await this.audit.streamEvents(caller, eventsParams(query), res);
  }

  @ApiBearerAuth()
  @Get('checkpoints')
  @ApiOperation({ summary: 'Signed checkpoints of a position range' })
  @ApiQuery({ name: 'from', required: false, type: Number })
  @ApiQuery({ name: 'to', required: false, type: Number })
  @ApiResponse({ status: 200, description: '{items: [{position, hash, signature, signedAt}]}' })
  @ApiProblems(400, 401, 403, 429)
  checkpoints(@Query() query: Query): Promise<{ items: Checkpoint[] }> {
    return this.audit.checkpoints(checkpointsParams(query));
  }

  @ApiBearerAuth()
  @Get('verify')
  @ApiOperation({ summary: 'Verifies the whole stored chain and every checkpoint; names the first break' })
  @ApiResponse({
    status: 200,
    description:
      '{ok, verifiedUpTo, lastHash, checkpoints, signedUpTo, head, checkedAt, firstBreak?: {position, reason}}',
  })
  @ApiProblems(401, 403, 429, 503)
  verify(): Promise<ChainStatus> {
    return this.audit.verify();
  }

  @ApiBearerAuth()
  @Get('status')
  @ApiOperation({
    summary: "The continuous auditor's last report: how far the chain is verified, checkpoints, the first break",
    description:
      'What the auditor found on its latest pass, as it reported it (it reports at most every second, a ' +
      'break at once). reportedAt shows when: a time long past means the auditor has stopped. ledgerHead ' +
      'is the head now, so ledgerHead − verifiedUpTo is how far the auditor is behind. 404 until an ' +
      'auditor has reported. GET /v1/audit/verify runs a fresh pass instead.',
  })
  @ApiResponse({
    status: 200,
    description:
      '{auditor, reportedAt, passes, ok, verifiedUpTo, lastHash, checkpoints, signedUpTo, head, checkedAt, ' +
      'firstBreak?: {position, reason}, ledgerHead}',
  })
  @ApiProblems(400, 401, 403, 404, 429)
  status(@Query() query: Query): Promise<AuditorStatus> {
    statusParams(query);
    return this.audit.status();
  }

  @ApiBearerAuth()
  @Get('disclosures')
  @ApiOperation({ summary: 'The disclosure record: who received which paths of which event, when, under which policy' })
  @ApiQuery({ name: 'eventId', required: false })
  @ApiQuery({ name: 'recipient', required: false })
  @ApiQuery({ name: 'path', required: false, description: 'a field path, e.g. suspects[].documentNumber' })
  @ApiQuery({ name: 'from', required: false, description: 'delivered at or after (RFC 3339)' })
  @ApiQuery({ name: 'to', required: false, description: 'delivered before (RFC 3339)' })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` cursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1..10000, default 1000' })
  @ApiResponse({ status: 200, description: '{disclosures: [...], next?}' })
  @ApiProblems(400, 401, 403, 429)
  disclosures(@Query() query: Query): Promise<DisclosurePage> {
    return this.audit.disclosures(disclosuresParams(query));
  }

  @ApiBearerAuth()
  @Get('as-seen')
  @ApiOperation({
    summary:
      'What a recipient had been shown of an event by a time, rebuilt from the ledger, checked against the digests',
  })
  @ApiQuery({ name: 'recipient', required: true })
  @ApiQuery({ name: 'eventId', required: true })
  @ApiQuery({ name: 'at', required: false, description: 'RFC 3339 (default: now)' })
  @ApiResponse({
    status: 200,
    description: '{recipient, eventId, aggregateId, at, received, copies: [{…, match}], allMatch, shown?, note?}',
  })
  @ApiProblems(400, 401, 403, 404, 429)
  asSeen(@Caller() caller: CallerIdentity, @Query() query: Query): Promise<AsSeen> {
    return this.audit.asSeen(caller, asSeenParams(query));
  }

  @ApiBearerAuth()
  @Get('accesses')
  @ApiOperation({ summary: 'The record of auditors’ reads of full data: who, what range, when' })
  @ApiQuery({ name: 'agency', required: false })
  @ApiQuery({ name: 'action', required: false, description: 'events, as-seen' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'after', required: false, type: Number, description: 'the `next` cursor' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiResponse({
    status: 200,
    description: '{accesses: [{id, accessedAt, agency, keyId, action, fromPosition?, toPosition?, detail}], next?}',
  })
  @ApiProblems(400, 401, 403, 429)
  accesses(@Query() query: Query): Promise<{ accesses: AuditAccess[]; next?: number }> {
    return this.audit.accessesPage(accessesParams(query));
  }
}
