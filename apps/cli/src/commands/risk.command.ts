// `caravan risk crossings|routes|trends`: the regional views of SPEC §8 as the key's agency may see them.
import { Argument, type Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { renderCrossings, renderRoutes, renderTrends } from '../format/risk-views.js';
import { positiveInteger } from '../input.js';

type View = 'crossings' | 'routes' | 'trends';

interface RiskOptions {
  readonly country?: string;
  readonly crossingPoint?: string;
  readonly substance?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly anomalies?: boolean;
  readonly json?: boolean;
}

export function registerRisk(program: Command, context: CliContext): void {
  program
    .command('risk')
    .description('show a regional risk view (analyst role): crossings, routes or trends')
    .addArgument(new Argument('<view>', 'which view').choices(['crossings', 'routes', 'trends']))
    .option('--country <iso2>', 'only this country (KZ, TJ, …)')
    .option('--crossing-point <code>', 'only this crossing point (TJ-NIZHNY-PANJ, …)')
    .option('--substance <name>', 'only this substance (heroin, …)')
    .option('--from <week>', 'from this ISO week (2025-W14)')
    .option('--to <week>', 'up to this ISO week')
    .option('--limit <n>', 'show at most n rows (largest first)', positiveInteger)
    .option('--anomalies', 'trends: only rows flagged as anomalies')
    .option('--json', "print the gateway's JSON instead of a table")
    .addHelpText(
      'after',
      `
Cells that summarise too few seizures or agencies are shown as "suppressed" (small-cell protection).

Examples:
  caravan risk crossings --country TJ --limit 10
  caravan risk trends --anomalies`,
    )
    .action(async (view: View, options: RiskOptions) => {
      const body = await fetchView(context, view, options);
      context.io.stdout.write(options.json ? `${JSON.stringify(body, null, 2)}\n` : renderView(view, body, options));
    });
}

/** GET /v1/risk/<view> with the filters given. */
export async function fetchView(context: CliContext, view: View, options: RiskOptions = {}): Promise<unknown> {
  return context.client('agency').get<unknown>(`/v1/risk/${view}`, {
    query: {
      country: options.country,
      crossingPoint: options.crossingPoint,
      substance: options.substance,
      from: options.from,
      to: options.to,
      // One page of the largest size the gateway serves; --limit trims what is shown.
      limit: 1000,
    },
  });
}

export function renderView(view: View, body: unknown, options: RiskOptions): string {
  switch (view) {
    case 'crossings':
      return renderCrossings(body, options.limit);
    case 'routes':
      return renderRoutes(body, options.limit);
    case 'trends':
      return renderTrends(body, { limit: options.limit, anomaliesOnly: options.anomalies });
  }
}
