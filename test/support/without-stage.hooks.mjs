// Module hooks for without-stage.mjs (they run on Node's loader thread).
const START = {
  ledger: 'startLedger',
  distributor: 'startDistributor',
  aggregator: 'startAggregator',
  auditor: 'startAuditor',
  gateway: 'startGateway',
};

let without = [];

export function initialize(data) {
  without = data.without;
  const unknown = without.filter((stage) => !(stage in START));
  if (unknown.length > 0) throw new Error(`CARAVAN_E2E_WITHOUT: unknown stage ${unknown.join(', ')}`);
}

export async function resolve(specifier, context, nextResolve) {
  const stage = without.find((name) => specifier.endsWith(`/${name}/src/${name}.app.js`));
  if (stage === undefined) return nextResolve(specifier, context);
  const source = [
    `export async function ${START[stage]}() {`,
    `  process.stdout.write('caravan-e2e: ${stage} left out\\n');`,
    `  return { name: '${stage} (left out)', close: async () => undefined };`,
    `}`,
  ].join('\n');
  return { url: `data:text/javascript,${encodeURIComponent(source)}`, shortCircuit: true };
}
