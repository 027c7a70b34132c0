// Regional risk views (SPEC §8) for analysts: GET /v1/risk/crossings|routes|trends and
// GET /v1/alerts/active, with filters (country, crossingPoint, substance, from/to ISO weeks) and
// pagination (limit, offset). Small-cell protection is applied for the caller's agency.
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import {
  parseViewQuery,
  type ActiveAlertItem,
  type CrossingsAnswer,
  type Page,
  type RoutesAnswer,
  type TrendsAnswer,
} from '@caravan/risk-views';
import { Caller, Roles, type CallerIdentity } from '../auth/index.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { RiskQueryService } from './risk-query.service.js';

const FILTERS = {
  country:
    'ISO 3166-1 alpha-2 code: seizures located in this country (routes: naming it as origin, transit or destination)',
  crossingPoint: 'crossing point code: seizures at this crossing point',
  substance: 'lower-case substance name: seizures with this substance; totals only for it',
  from: 'first ISO week (YYYY-Www), inclusive',
  to: 'last ISO week (YYYY-Www), inclusive',
  limit: 'rows per page, 1..1000 (default 100)',
  offset: 'rows to skip (default 0); `next` in the answer gives the following page',
} as const;

function ApiViewQuery(...names: (keyof typeof FILTERS)[]): MethodDecorator {
  return applyDecorators(
    ...names.map((name) =>
      ApiQuery({
        name,
        required: false,
        description: FILTERS[name],
        schema: name === 'limit' || name === 'offset' ? { type: 'integer' } : { type: 'string' },
      }),
    ),
  );
}

const SUPPRESSION =
  'Cells summarising fewer than 3 seizures, seizures of one agency, or a total two seizures make up 85% of, ' +
  'and the further cells needed to protect them, come as `{suppressed: true, visibility}` without counts or ' +
  "totals, except to the agencies that originated them (`visibility: 'own'`).";

@ApiTags('regional views')
@ApiBearerAuth()
@Roles('analyst')
@Controller('v1')
export class RiskController {
  constructor(@Inject(RiskQueryService) private readonly views: RiskQueryService) {}

  @Get('risk/crossings')
  @ApiOperation({
    summary: 'Per crossing point (or region/country where generalised) and ISO week: seizures, totals, active alerts',
    description: `Also the margins (per location, per week, all) and each crossing point's risk score now. ${SUPPRESSION}`,
  })
  @ApiViewQuery('country', 'crossingPoint', 'substance', 'from', 'to', 'limit', 'offset')
  @ApiResponse({
    status: 200,
    description: '{items, total, offset, limit, next, locations, weeks, all, riskScores, at}',
  })
  @ApiProblems(400, 401, 403, 429)
  crossings(@Caller() caller: CallerIdentity, @Query() raw: Record<string, unknown>): Promise<CrossingsAnswer> {
    return this.views.crossings(caller, parseViewQuery(raw));
  }

  @Get('risk/routes')
  @ApiOperation({
    summary: 'Per origin/destination and per ordered transit path: seizures, totals, first and last occurredAt',
    description: SUPPRESSION,
  })
  @ApiViewQuery('country', 'crossingPoint', 'substance', 'from', 'to', 'limit', 'offset')
  @ApiResponse({ status: 200, description: '{pairs: {items, total, offset, limit, next}, paths: {…}}' })
  @ApiProblems(400, 401, 403, 429)
  routes(@Caller() caller: CallerIdentity, @Query() raw: Record<string, unknown>): Promise<RoutesAnswer> {
    return this.views.routes(caller, parseViewQuery(raw));
  }

  @Get('risk/trends')
  @ApiOperation({
    summary: 'Per country and substance: the week against the previous 8, z score, anomaly (z ≥ 3, ≥ 3 weeks)',
    description: `One row per series and week from \`from\` to \`to\` (default: the current week; at most 53). ${SUPPRESSION}`,
  })
  @ApiViewQuery('country', 'crossingPoint', 'substance', 'from', 'to', 'limit', 'offset')
  @ApiResponse({ status: 200, description: '{items, total, offset, limit, next, weeks}' })
  @ApiProblems(400, 401, 403, 429)
  trends(@Caller() caller: CallerIdentity, @Query() raw: Record<string, unknown>): Promise<TrendsAnswer> {
    return this.views.trends(caller, parseViewQuery(raw));
  }

  // Registered before GET /v1/alerts/{alertId} (this module is imported first), so `active` is never
  // taken for an alert id.
  @Get('alerts/active')
  @ApiOperation({ summary: 'Alerts in force now, as the regional centre sees them, most severe first' })
  @ApiViewQuery('country', 'crossingPoint', 'limit', 'offset')
  @ApiResponse({ status: 200, description: '{items, total, offset, limit, next, at}' })
  @ApiProblems(400, 401, 403, 429)
  activeAlerts(@Query() raw: Record<string, unknown>): Promise<Page<ActiveAlertItem> & { at: string }> {
    const query = parseViewQuery(raw);
    return this.views.activeAlerts(query);
  }
}
