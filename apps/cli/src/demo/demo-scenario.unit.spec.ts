import { isoWeekOf, normaliseQuantity, primaryReason, validatePolicy, type CellSeizure } from '@caravan/domain';
import { demoDirectory } from '@caravan/directory';
import { validateCommand } from '@caravan/validation';
import { DEMO_POLICIES, RED_RELEASABLE_TO } from './demo-policies.js';
import { generateScenario, type DemoStep } from './demo-scenario.js';

const NOW = new Date('2026-11-19T15:20:00Z'); // a Thursday: the current ISO week has room for the spike
const scenario = generateScenario(demoDirectory, { now: NOW });
const context = { now: NOW, crossingPoints: demoDirectory.crossingPoints };
const reports = scenario.steps.flatMap((s) => (s.command === 'seizure.report' ? [s] : []));

function countryOf(agency: string): string | undefined {
  return demoDirectory.agencies.find((a) => a.code === agency)?.country;
}

describe('the demo scenario', () => {
  it('is a few hundred seizures and alerts with amendments, retractions and withdrawals', () => {
    const counts = new Map<string, number>();
    for (const step of scenario.steps) counts.set(step.command, (counts.get(step.command) ?? 0) + 1);
    expect(counts.get('seizure.report')).toBeGreaterThanOrEqual(300);
    expect(counts.get('alert.issue')).toBeGreaterThanOrEqual(30);
    expect(counts.get('seizure.amend')).toBeGreaterThanOrEqual(3);
    expect(counts.get('seizure.retract')).toBeGreaterThanOrEqual(3);
    expect(counts.get('alert.withdraw')).toBeGreaterThanOrEqual(1);
  });

  it('passes the hub validation, command by command, with the demo directory', () => {
    const failures = scenario.steps
      .map((step, index) => ({ index, step, result: validateCommand(step.command, step.body, context) }))
      .filter(({ result }) => !result.ok)
      .map(({ index, step, result }) => ({ index, command: step.command, errors: result.ok ? [] : result.errors }));
    expect(failures).toEqual([]);
  });

  it('is deterministic: the same seed and clock give the same commands; another seed others', () => {
    expect(generateScenario(demoDirectory, { now: NOW })).toEqual(scenario);
    const other = generateScenario(demoDirectory, { now: NOW, seed: 7 });
    expect(other.steps).not.toEqual(scenario.steps);
  });

  it('spans several months, all of it in the past', () => {
    const times = reports.map((s) => Date.parse(s.body.occurredAt));
    const span = Math.max(...times) - Math.min(...times);
    expect(span).toBeGreaterThan(90 * 86_400_000);
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    expect(Date.parse(scenario.to)).toBeLessThan(NOW.getTime());
  });

  it('names only directory crossing points, in the country of the location and of the reporting agency', () => {
    const known = new Map(demoDirectory.crossingPoints.map((c) => [c.code, c.country]));
    const atCrossings = reports.filter((s) => s.body.location.crossingPoint !== undefined);
    expect(atCrossings.length).toBeGreaterThan(reports.length / 2);
    for (const step of atCrossings) {
      expect(known.get(step.body.location.crossingPoint!)).toBe(step.body.location.country);
    }
    for (const step of reports) expect(countryOf(step.agency)).toBe(step.body.location.country);
    const alertPoints = scenario.steps.flatMap((s) =>
      s.command === 'alert.issue' ? (s.body.area.crossingPoints ?? []) : [],
    );
    for (const code of alertPoints) expect(known.has(code)).toBe(true);
  });

  it('uses the substances of the route and follows the northern route', () => {
    const substances = new Set(reports.flatMap((s) => s.body.items.map((i) => i.substance)));
    for (const s of ['heroin', 'opium', 'hashish', 'methamphetamine', 'acetic-anhydride', 'tramadol']) {
      expect(substances).toContain(s);
    }
    const countries = new Set(reports.map((s) => s.body.location.country));
    for (const c of ['AF', 'TJ', 'UZ', 'TM', 'KG', 'KZ']) expect(countries).toContain(c);
    const fromAfghanistan = reports.filter((s) => s.body.route?.origin === 'AF');
    expect(fromAfghanistan.length).toBeGreaterThan(reports.length / 2);
  });

  it('follows up only its own reports, after them, at the version they were based on', () => {
    const seen = new Map<string, DemoStep>();
    for (const step of scenario.steps) {
      if (step.command === 'seizure.report') seen.set(step.body.seizureId, step);
      if (step.command === 'seizure.amend' || step.command === 'seizure.retract') {
        const original = seen.get(step.body.seizureId);
        expect(original?.agency).toBe(step.agency);
      }
      if (step.command === 'seizure.amend') expect(step.body.expectedVersion).toBe(1);
    }
  });

  it('plants a methamphetamine surge in Kazakhstan in the current week, by several agencies', () => {
    expect(scenario.spike).toEqual({ country: 'KZ', substance: 'methamphetamine', week: isoWeekOf(NOW) });
    const weekly = new Map<string, { total: number; agencies: Set<string> }>();
    for (const step of reports) {
      if (step.body.location.country !== 'KZ') continue;
      for (const item of step.body.items) {
        if (item.substance !== 'methamphetamine') continue;
        const week = isoWeekOf(step.body.occurredAt);
        const w = weekly.get(week) ?? { total: 0, agencies: new Set() };
        w.total += item.unit === 'g' ? item.quantity / 1000 : item.quantity;
        w.agencies.add(step.agency);
        weekly.set(week, w);
      }
    }
    const spike = weekly.get(scenario.spike.week)!;
    const history = [...weekly.entries()]
      .filter(([w]) => w < scenario.spike.week)
      .map(([, v]) => v.total)
      .slice(-8);
    expect(history.length).toBeGreaterThanOrEqual(3);
    const mean = history.reduce((a, b) => a + b, 0) / history.length;
    const sd = Math.sqrt(history.reduce((a, b) => a + (b - mean) ** 2, 0) / history.length);
    expect((spike.total - mean) / sd).toBeGreaterThanOrEqual(3);
    expect(spike.agencies.size).toBeGreaterThanOrEqual(2);
  });

  it('gives the regional centre crossing cells that pass the SPEC §8 small-cell rules, week after week', () => {
    const cells = new Map<string, CellSeizure[]>();
    for (const step of reports) {
      const point = step.body.location.crossingPoint;
      if (point === undefined || step.agency.startsWith('TM-')) continue; // Turkmen reports reach CARICC by region
      const key = `${point} ${isoWeekOf(step.body.occurredAt)}`;
      const quantities = step.body.items.map((item) => {
        const n = normaliseQuantity(item.quantity, item.unit);
        return { key: `${item.category}/${item.substance}/${n.unit}`, quantity: n.quantity };
      });
      cells.set(key, [
        ...(cells.get(key) ?? []),
        { seizureId: step.body.seizureId, originator: step.agency, quantities },
      ]);
    }
    const visibleWeeks = new Map<string, number>();
    for (const [key, seizures] of cells) {
      if (primaryReason(seizures) === null) {
        const point = key.split(' ')[0]!;
        visibleWeeks.set(point, (visibleWeeks.get(point) ?? 0) + 1);
      }
    }
    const busy = [...visibleWeeks.values()].filter((weeks) => weeks >= 10);
    expect(busy.length).toBeGreaterThanOrEqual(4);

    const routes = new Map<string, CellSeizure[]>();
    for (const step of reports) {
      const route = step.body.route;
      if (!route) continue;
      const key = `${route.origin}>${route.destination}`;
      const quantities = step.body.items.map((item) => {
        const n = normaliseQuantity(item.quantity, item.unit);
        return { key: `${item.substance}/${n.unit}`, quantity: n.quantity };
      });
      routes.set(key, [
        ...(routes.get(key) ?? []),
        { seizureId: step.body.seizureId, originator: step.agency, quantities },
      ]);
    }
    expect([...routes.values()].filter((seizures) => primaryReason(seizures) === null).length).toBeGreaterThanOrEqual(
      2,
    );
    expect([...routes.values()].every((seizures) => primaryReason(seizures) === null)).toBe(true);
  });

  it('marks the TLP:RED agency’s events releasable to whom its policy covers', () => {
    const [agency, releasableTo] = Object.entries(RED_RELEASABLE_TO)[0]!;
    const own = scenario.steps.filter(
      (s) => s.agency === agency && (s.command === 'seizure.report' || s.command === 'alert.issue'),
    );
    expect(own.length).toBeGreaterThan(0);
    for (const step of own) {
      if (step.command !== 'seizure.report' && step.command !== 'alert.issue') continue;
      expect(step.body.handling).toMatchObject({ tlp: 'RED', releasableTo });
    }
  });
});

describe('the demo policies', () => {
  it('are valid against the demo directory, one per publishing agency', () => {
    for (const [agency, rules] of Object.entries(DEMO_POLICIES)) {
      expect({ agency, errors: validatePolicy(rules, demoDirectory) }).toEqual({ agency, errors: [] });
      expect(
        validateCommand('policy.set', { commandId: '6f1c2a9e-8b7d-4c6e-9a5f-1d2e3c4b5a69', rules }, context).ok,
      ).toBe(true);
    }
    const publishers = new Set(scenario.steps.map((s) => s.agency));
    for (const agency of publishers) expect(Object.keys(DEMO_POLICIES)).toContain(agency);
  });

  it('share seizures with CARICC by name, and differ by agency as SPEC §11 asks', () => {
    for (const rules of Object.values(DEMO_POLICIES)) {
      expect(rules.some((r) => r.to.includes('CARICC') && r.types.some((t) => t === 'seizure.*' || t === '*'))).toBe(
        true,
      );
    }
    const all = Object.entries(DEMO_POLICIES);
    const bilateral = all.filter(([a, rules]) =>
      rules.some(
        (r) => r.to.length === 1 && r.to[0] !== 'CARICC' && DEMO_POLICIES[r.to[0]!]?.some((p) => p.to.includes(a)),
      ),
    );
    expect(bilateral.length).toBeGreaterThanOrEqual(2);
    expect(all.some(([, rules]) => rules.some((r) => r.pseudonymize?.includes('suspects[].fullName')))).toBe(true);
    expect(all.some(([, rules]) => rules.some((r) => r.generalize?.location !== undefined))).toBe(true);
  });
});
