import type { RecordedSeizureEvent } from './seizure.decider.js';
import { applySeizureChanges, evolveSeizure, initialSeizureState, seizureDecider } from './seizure.decider.js';
import { deciderSpecification } from './decider-specification.spec.js';
import { by, COMMAND_ID, ORIGINATOR, OTHER, report, SEIZURE_ID } from './fixtures.spec.js';

const spec = deciderSpecification(seizureDecider);

const reported: RecordedSeizureEvent = { type: 'seizure.reported', payload: report, originator: ORIGINATOR };
const retracted: RecordedSeizureEvent = {
  type: 'seizure.retracted',
  payload: { seizureId: SEIZURE_ID, reason: 'duplicate report' },
  originator: ORIGINATOR,
};
const amend = (agency: string, changes: object = { direction: 'transit' }) =>
  ({
    type: 'seizure.amend',
    data: { commandId: COMMAND_ID, seizureId: SEIZURE_ID, expectedVersion: 1, changes, reason: 'lab result' },
    metadata: by(agency),
  }) as const;
const retract = (agency: string) =>
  ({
    type: 'seizure.retract',
    data: { commandId: COMMAND_ID, seizureId: SEIZURE_ID, reason: 'duplicate report' },
    metadata: by(agency),
  }) as const;
const reportCommand = (body = report) =>
  ({ type: 'seizure.report', data: { ...body, commandId: COMMAND_ID }, metadata: by(ORIGINATOR) }) as const;

describe('seizure decider', () => {
  describe('report', () => {
    it('records the report, without the command id, on a new stream', () => {
      spec
        .given([])
        .when(reportCommand())
        .then([{ type: 'seizure.reported', data: report }]);
    });

    it('refuses a second report of the same seizure id (409)', () => {
      spec.given([reported]).when(reportCommand()).thenRefuses({ code: 'conflict', message: 'already been reported' });
    });

    it('refuses a report on a retracted stream', () => {
      spec.given([reported, retracted]).when(reportCommand()).thenRefuses({ code: 'conflict' });
    });

    it('refuses a crossing point outside the country of the location', () => {
      const elsewhere = { ...report, location: { ...report.location, country: 'UZ' } };
      spec
        .given([])
        .when(reportCommand(elsewhere))
        .thenRefuses({ code: 'invalid', fields: ['location.crossingPoint'] });
    });
  });

  describe('amend', () => {
    it('records the amendment by the originator', () => {
      spec
        .given([reported])
        .when(amend(ORIGINATOR))
        .then([
          {
            type: 'seizure.amended',
            data: { seizureId: SEIZURE_ID, changes: { direction: 'transit' }, reason: 'lab result' },
          },
        ]);
    });

    it('refuses to amend a seizure that does not exist', () => {
      spec.given([]).when(amend(ORIGINATOR)).thenRefuses({ code: 'not-found' });
    });

    it('refuses an amendment by another agency', () => {
      spec.given([reported]).when(amend(OTHER)).thenRefuses({ code: 'forbidden', message: ORIGINATOR });
    });

    it('refuses another agency before revealing a retraction', () => {
      spec.given([reported, retracted]).when(amend(OTHER)).thenRefuses({ code: 'forbidden' });
    });

    it('refuses any amendment after a retraction (409)', () => {
      spec.given([reported, retracted]).when(amend(ORIGINATOR)).thenRefuses({ code: 'conflict', message: 'retracted' });
    });

    it('refuses an amendment that changes nothing', () => {
      spec
        .given([reported])
        .when(amend(ORIGINATOR, {}))
        .thenRefuses({ code: 'invalid', fields: ['changes'] });
    });

    it('re-checks the merged seizure: a new location must still contain its crossing point', () => {
      spec
        .given([reported])
        .when(
          amend(ORIGINATOR, {
            location: { country: 'UZ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' },
          }),
        )
        .thenRefuses({ code: 'invalid', fields: ['changes.location.crossingPoint'] });
    });

    it('accepts a new location whose crossing point is in its country', () => {
      const location = { country: 'UZ', crossingPoint: 'UZ-TERMEZ', locationType: 'land-border' } as const;
      spec
        .given([reported])
        .when(amend(ORIGINATOR, { location }))
        .then([
          { type: 'seizure.amended', data: { seizureId: SEIZURE_ID, changes: { location }, reason: 'lab result' } },
        ]);
    });
  });

  describe('retract', () => {
    it('records the retraction by the originator', () => {
      spec
        .given([reported])
        .when(retract(ORIGINATOR))
        .then([{ type: 'seizure.retracted', data: { seizureId: SEIZURE_ID, reason: 'duplicate report' } }]);
    });

    it('refuses to retract a seizure that does not exist', () => {
      spec.given([]).when(retract(ORIGINATOR)).thenRefuses({ code: 'not-found' });
    });

    it('refuses a retraction by another agency', () => {
      spec.given([reported]).when(retract(OTHER)).thenRefuses({ code: 'forbidden' });
    });

    it('refuses a second retraction (409)', () => {
      spec.given([reported, retracted]).when(retract(ORIGINATOR)).thenRefuses({ code: 'conflict' });
    });
  });

  describe('evolve', () => {
    it('applies amendments field by field, replacing arrays whole, and keeps the id', () => {
      const items = [{ category: 'narcotic', substance: 'opium', quantity: 3, unit: 'kg' }] as const;
      const state = [
        reported,
        {
          type: 'seizure.amended',
          payload: { seizureId: SEIZURE_ID, changes: { items, narrative: 'second stash' }, reason: 'recount' },
          originator: ORIGINATOR,
        } as const,
      ].reduce(evolveSeizure, initialSeizureState());
      expect(state).toEqual({
        status: 'reported',
        originator: ORIGINATOR,
        current: { ...report, items, narrative: 'second stash' },
      });
    });

    it('marks the seizure retracted with its reason', () => {
      const state = [reported, retracted].reduce(evolveSeizure, initialSeizureState());
      expect(state).toMatchObject({ status: 'retracted', retractionReason: 'duplicate report', current: report });
    });

    it('takes the originator from the recorded report, not from later events', () => {
      const state = [reported, { ...retracted, originator: OTHER }].reduce(evolveSeizure, initialSeizureState());
      expect(state).toMatchObject({ originator: ORIGINATOR });
    });

    it('never lets an amendment replace the seizure id', () => {
      const merged = applySeizureChanges(report, { seizureId: 'other' } as never);
      expect(merged.seizureId).toBe(SEIZURE_ID);
    });
  });
});
