import type { AlertChanges } from '@caravan/contracts';
import type { RecordedAlertEvent } from './alert.decider.js';
import { alertDecider, evolveAlert, initialAlertState, isAlertInForce } from './alert.decider.js';
import { deciderSpecification } from './decider-specification.spec.js';
import { alert, ALERT_ID, by, COMMAND_ID, NOW, ORIGINATOR, OTHER } from './fixtures.spec.js';

const spec = deciderSpecification(alertDecider);

const issued: RecordedAlertEvent = { type: 'threat.alert.issued', payload: alert, originator: ORIGINATOR };
const withdrawn: RecordedAlertEvent = {
  type: 'threat.alert.withdrawn',
  payload: { alertId: ALERT_ID, reason: 'conveyance intercepted' },
  originator: ORIGINATOR,
};
const issue = (body = alert) =>
  ({ type: 'alert.issue', data: { ...body, commandId: COMMAND_ID }, metadata: by(ORIGINATOR) }) as const;
const update = (changes: AlertChanges, agency = ORIGINATOR, now = NOW) =>
  ({
    type: 'alert.update',
    data: { commandId: COMMAND_ID, alertId: ALERT_ID, expectedVersion: 1, changes, reason: 'new intelligence' },
    metadata: by(agency, now),
  }) as const;
const updated = (changes: AlertChanges) => [
  { type: 'threat.alert.updated', data: { alertId: ALERT_ID, changes, reason: 'new intelligence' } } as const,
];
const withdraw = (agency: string) =>
  ({
    type: 'alert.withdraw',
    data: { commandId: COMMAND_ID, alertId: ALERT_ID, reason: 'conveyance intercepted' },
    metadata: by(agency),
  }) as const;

describe('alert decider', () => {
  describe('issue', () => {
    it('records the alert, without the command id, on a new stream', () => {
      spec
        .given([])
        .when(issue())
        .then([{ type: 'threat.alert.issued', data: alert }]);
    });

    it('refuses a second issue of the same alert id (409)', () => {
      spec.given([issued]).when(issue()).thenRefuses({ code: 'conflict', message: 'already been issued' });
    });

    it('refuses validUntil not after validFrom', () => {
      spec
        .given([])
        .when(issue({ ...alert, validUntil: alert.validFrom }))
        .thenRefuses({ code: 'invalid', fields: ['validUntil'] });
    });

    it('refuses a window over 365 days, and accepts exactly 365', () => {
      spec
        .given([])
        .when(issue({ ...alert, validUntil: '2027-03-01T00:00:00.001Z' }))
        .thenRefuses({ code: 'invalid', fields: ['validUntil'], message: 'not valid' });
      const yearLong = { ...alert, validUntil: '2027-03-01T00:00:00.000Z' };
      spec
        .given([])
        .when(issue(yearLong))
        .then([{ type: 'threat.alert.issued', data: yearLong }]);
    });
  });

  describe('update', () => {
    it('records the update by the originator', () => {
      spec
        .given([issued])
        .when(update({ severity: 5 }))
        .then(updated({ severity: 5 }));
    });

    it('refuses to update an alert that does not exist', () => {
      spec
        .given([])
        .when(update({ severity: 5 }))
        .thenRefuses({ code: 'not-found' });
    });

    it('refuses an update by another agency', () => {
      spec
        .given([issued])
        .when(update({ severity: 5 }, OTHER))
        .thenRefuses({ code: 'forbidden' });
    });

    it('refuses any update after a withdrawal (409)', () => {
      spec
        .given([issued, withdrawn])
        .when(update({ severity: 5 }))
        .thenRefuses({ code: 'conflict', message: 'withdrawn' });
    });

    it('refuses an update that changes nothing', () => {
      spec
        .given([issued])
        .when(update({}))
        .thenRefuses({ code: 'invalid', fields: ['changes'] });
    });

    it('re-checks the merged window: a validFrom moved past validUntil is refused', () => {
      spec
        .given([issued])
        .when(update({ validFrom: '2026-07-01T00:00:00.000Z' }))
        .thenRefuses({ code: 'invalid', fields: ['changes.validFrom'] });
    });

    it('re-checks the merged window: a validUntil over 365 days after the old validFrom is refused', () => {
      spec
        .given([issued])
        .when(update({ validUntil: '2027-04-01T00:00:00.000Z' }))
        .thenRefuses({ code: 'invalid', fields: ['changes.validUntil'] });
    });

    it('accepts moving both ends together when the merged window holds', () => {
      const changes = { validFrom: '2026-09-01T00:00:00.000Z', validUntil: '2027-04-01T00:00:00.000Z' };
      spec.given([issued]).when(update(changes)).then(updated(changes));
    });

    it('refuses shortening validUntil into the past', () => {
      spec
        .given([issued])
        .when(update({ validUntil: '2026-03-05T00:00:00.000Z' }))
        .thenRefuses({ code: 'invalid', fields: ['changes.validUntil'], message: 'not valid' });
    });

    it('refuses shortening validUntil to exactly now', () => {
      spec
        .given([issued])
        .when(update({ validUntil: NOW.toISOString() }))
        .thenRefuses({ code: 'invalid', fields: ['changes.validUntil'] });
    });

    it('accepts shortening validUntil to a time still in the future', () => {
      spec
        .given([issued])
        .when(update({ validUntil: '2026-04-01T00:00:00.000Z' }))
        .then(updated({ validUntil: '2026-04-01T00:00:00.000Z' }));
    });

    it('accepts extending an alert that has already lapsed, even to a time still past', () => {
      const later = new Date('2026-08-01T00:00:00.000Z');
      spec
        .given([issued])
        .when(update({ validUntil: '2026-07-01T00:00:00.000Z' }, ORIGINATOR, later))
        .then(updated({ validUntil: '2026-07-01T00:00:00.000Z' }));
    });
  });

  describe('withdraw', () => {
    it('records the withdrawal by the originator', () => {
      spec
        .given([issued])
        .when(withdraw(ORIGINATOR))
        .then([{ type: 'threat.alert.withdrawn', data: { alertId: ALERT_ID, reason: 'conveyance intercepted' } }]);
    });

    it('refuses to withdraw an alert that does not exist', () => {
      spec.given([]).when(withdraw(ORIGINATOR)).thenRefuses({ code: 'not-found' });
    });

    it('refuses a withdrawal by another agency', () => {
      spec.given([issued]).when(withdraw(OTHER)).thenRefuses({ code: 'forbidden' });
    });

    it('refuses a second withdrawal (409)', () => {
      spec.given([issued, withdrawn]).when(withdraw(ORIGINATOR)).thenRefuses({ code: 'conflict' });
    });
  });

  describe('evolve and activity', () => {
    const update1: RecordedAlertEvent = {
      type: 'threat.alert.updated',
      payload: { alertId: ALERT_ID, changes: { severity: 2, indicators: [] }, reason: 'downgraded' },
      originator: ORIGINATOR,
    };

    it('applies updates field by field, replacing arrays whole', () => {
      const state = [issued, update1].reduce(evolveAlert, initialAlertState());
      expect(state).toEqual({
        status: 'issued',
        originator: ORIGINATOR,
        current: { ...alert, severity: 2, indicators: [] },
      });
    });

    it('is active only inside its window and until withdrawn', () => {
      const live = [issued].reduce(evolveAlert, initialAlertState());
      expect(isAlertInForce(live, NOW)).toBe(true);
      expect(isAlertInForce(live, new Date('2026-02-28T23:59:59.999Z'))).toBe(false);
      expect(isAlertInForce(live, new Date(alert.validUntil))).toBe(false);
      expect(isAlertInForce([issued, withdrawn].reduce(evolveAlert, initialAlertState()), NOW)).toBe(false);
    });
  });
});
