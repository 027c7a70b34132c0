// Reads the aggregator's tables and answers the regional views for one caller: the views are pure
// functions of the stored contributions (@caravan/risk-views), computed per request so small-cell
// protection can depend on the filters and on who asks.
import { Inject, Injectable } from '@nestjs/common';
import type { AlertState, SeizureContribution } from '@caravan/domain';
import {
  activeAlertsAnswer,
  crossingsAnswer,
  readAlerts,
  readContributions,
  routesAnswer,
  trendsAnswer,
  type ActiveAlertItem,
  type ContributionFilter,
  type CrossingsAnswer,
  type Page,
  type RoutesAnswer,
  type TrendsAnswer,
  type ViewQuery,
} from '@caravan/risk-views';
import { shiftIsoWeek, TREND_WINDOW_WEEKS } from '@caravan/domain';
import type { CallerIdentity } from '../auth/index.js';
import { GatewayContext } from '../gateway.context.js';

@Injectable()
export class RiskQueryService {
  constructor(@Inject(GatewayContext) private readonly ctx: GatewayContext) {}

  async crossings(caller: CallerIdentity, query: ViewQuery, at = new Date()): Promise<CrossingsAnswer> {
    const [contributions, alerts] = await Promise.all([
      this.contributions({
        ...(query.country !== undefined ? { country: query.country } : {}),
        ...(query.crossingPoint !== undefined ? { crossingPoint: query.crossingPoint } : {}),
        ...(query.from !== undefined ? { fromWeek: query.from } : {}),
        ...(query.to !== undefined ? { toWeek: query.to } : {}),
      }),
      this.alerts(),
    ]);
    return crossingsAnswer(contributions, alerts, query, caller.agency, at);
  }

  async routes(caller: CallerIdentity, query: ViewQuery): Promise<RoutesAnswer> {
    const contributions = await this.contributions({
      ...(query.crossingPoint !== undefined ? { crossingPoint: query.crossingPoint } : {}),
      ...(query.from !== undefined ? { fromWeek: query.from } : {}),
      ...(query.to !== undefined ? { toWeek: query.to } : {}),
    });
    return routesAnswer(contributions, query, caller.agency);
  }

  async trends(caller: CallerIdentity, query: ViewQuery, at = new Date()): Promise<TrendsAnswer> {
    const contributions = await this.contributions({
      ...(query.country !== undefined ? { country: query.country } : {}),
      ...(query.crossingPoint !== undefined ? { crossingPoint: query.crossingPoint } : {}),
      // The history of the first week asked for reaches 8 weeks further back.
      ...(query.from !== undefined ? { fromWeek: shiftIsoWeek(query.from, -TREND_WINDOW_WEEKS) } : {}),
      ...(query.to !== undefined ? { toWeek: query.to } : {}),
    });
    return trendsAnswer(contributions, query, caller.agency, at);
  }

  async activeAlerts(query: ViewQuery, at = new Date()): Promise<Page<ActiveAlertItem> & { at: string }> {
    return activeAlertsAnswer(await this.alerts(), query, at);
  }

  private contributions(filter: ContributionFilter): Promise<SeizureContribution[]> {
    return readContributions(this.ctx.db, filter);
  }

  private alerts(): Promise<AlertState[]> {
    return readAlerts(this.ctx.db);
  }
}
