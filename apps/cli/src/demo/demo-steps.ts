// How a scenario step travels over HTTP (SPEC §7): the command body minus what HTTP carries in the
// path (`seizureId`, `alertId`) and in `If-Match` (`expectedVersion`). Pure, so it is tested alone.
import type { DemoStep } from './demo-scenario.js';

/** One HTTP request of the demo. */
export interface DemoRequest {
  readonly method: 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body: object;
  readonly headers: Readonly<Record<string, string>>;
}

/** The request that performs `step`. */
export function requestFor(step: DemoStep): DemoRequest {
  switch (step.command) {
    case 'seizure.report':
      return { method: 'POST', path: '/v1/seizures', body: step.body, headers: {} };
    case 'alert.issue':
      return { method: 'POST', path: '/v1/alerts', body: step.body, headers: {} };
    case 'seizure.amend': {
      const { seizureId, expectedVersion, ...body } = step.body;
      return {
        method: 'PATCH',
        path: `/v1/seizures/${seizureId}`,
        body,
        headers: { 'if-match': String(expectedVersion) },
      };
    }
    case 'seizure.retract':
      return {
        method: 'DELETE',
        path: `/v1/seizures/${step.body.seizureId}`,
        body: { reason: step.body.reason },
        headers: {},
      };
    case 'alert.withdraw':
      return {
        method: 'DELETE',
        path: `/v1/alerts/${step.body.alertId}`,
        body: { reason: step.body.reason },
        headers: {},
      };
  }
}

/** The aggregate a step belongs to: steps of one aggregate must be sent in order. */
export function aggregateOf(step: DemoStep): string {
  switch (step.command) {
    case 'seizure.report':
    case 'seizure.amend':
    case 'seizure.retract':
      return `seizure-${step.body.seizureId}`;
    case 'alert.issue':
    case 'alert.withdraw':
      return `alert-${step.body.alertId}`;
  }
}

/** Roles of each demo key: the regional centre analyses, national agencies publish and receive. */
export function demoRoles(agency: { code: string; kind: string }): string[] {
  return agency.kind === 'regional-centre' ? ['recipient', 'analyst', 'admin'] : ['publisher', 'recipient', 'admin'];
}
