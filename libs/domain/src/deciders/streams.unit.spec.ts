import type { RecordedEvent } from '@caravan/contracts';
import { asRecorded } from './decider.js';
import { decideCommand } from './decide-command.js';
import { currentAlert, currentPayload, currentSeizure } from './current-state.js';
import { streamIdForCommand } from './stream-id.js';
import { alert, ALERT_ID, by, COMMAND_ID, ORIGINATOR, OTHER, report, SEIZURE_ID } from './fixtures.spec.js';

describe('streamIdForCommand', () => {
  it('maps each command to its aggregate stream, the policy to the caller’s own', () => {
    const reason = 'r';
    expect(streamIdForCommand('seizure.report', { ...report, commandId: COMMAND_ID }, OTHER)).toBe(
      `seizure-${SEIZURE_ID}`,
    );
    expect(
      streamIdForCommand(
        'seizure.amend',
        { commandId: COMMAND_ID, seizureId: SEIZURE_ID, expectedVersion: 1, changes: {}, reason },
        OTHER,
      ),
    ).toBe(`seizure-${SEIZURE_ID}`);
    expect(streamIdForCommand('seizure.retract', { commandId: COMMAND_ID, seizureId: SEIZURE_ID, reason }, OTHER)).toBe(
      `seizure-${SEIZURE_ID}`,
    );
    expect(streamIdForCommand('alert.issue', { ...alert, commandId: COMMAND_ID }, OTHER)).toBe(`alert-${ALERT_ID}`);
    expect(
      streamIdForCommand(
        'alert.update',
        { commandId: COMMAND_ID, alertId: ALERT_ID, expectedVersion: 1, changes: {}, reason },
        OTHER,
      ),
    ).toBe(`alert-${ALERT_ID}`);
    expect(streamIdForCommand('alert.withdraw', { commandId: COMMAND_ID, alertId: ALERT_ID, reason }, OTHER)).toBe(
      `alert-${ALERT_ID}`,
    );
    expect(streamIdForCommand('policy.set', { commandId: COMMAND_ID, rules: [] }, 'KZ-BS')).toBe('policy-KZ-BS');
  });
});

describe('decideCommand', () => {
  it('folds the history with the right aggregate before deciding', () => {
    const history = [asRecorded({ type: 'seizure.reported', data: report }, ORIGINATOR)];
    const command = {
      type: 'seizure.retract',
      data: { commandId: COMMAND_ID, seizureId: SEIZURE_ID, reason: 'mistake' },
      metadata: by(ORIGINATOR),
    } as const;
    expect(decideCommand(command, history)).toEqual([
      { type: 'seizure.retracted', data: { seizureId: SEIZURE_ID, reason: 'mistake' } },
    ]);
    expect(() => decideCommand(command, [])).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(() => decideCommand({ ...command, metadata: by(OTHER) }, history)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
  });

  it('decides alert and policy commands too', () => {
    expect(
      decideCommand({ type: 'alert.issue', data: { ...alert, commandId: COMMAND_ID }, metadata: by(ORIGINATOR) }, []),
    ).toEqual([{ type: 'threat.alert.issued', data: alert }]);
    expect(
      decideCommand({ type: 'policy.set', data: { commandId: COMMAND_ID, rules: [] }, metadata: by('KZ-BS') }, []),
    ).toEqual([{ type: 'policy.set', data: { agency: 'KZ-BS', rules: [] } }]);
  });
});

function envelope(streamVersion: number, originator = ORIGINATOR) {
  return {
    eventId: `00000000-0000-4000-8000-00000000000${streamVersion}`,
    schemaVersion: 1,
    streamVersion,
    position: 10 + streamVersion,
    originator,
    recordedAt: '2026-03-10T12:00:00.000Z',
  };
}

describe('current state for readers', () => {
  const seizureEvents: RecordedEvent[] = [
    { ...envelope(1), streamId: `seizure-${SEIZURE_ID}`, type: 'seizure.reported', payload: report },
    {
      ...envelope(2),
      streamId: `seizure-${SEIZURE_ID}`,
      type: 'seizure.amended',
      payload: { seizureId: SEIZURE_ID, changes: { direction: 'transit', suspects: [] }, reason: 'r' },
    },
    {
      ...envelope(3),
      streamId: `seizure-${SEIZURE_ID}`,
      type: 'seizure.retracted',
      payload: { seizureId: SEIZURE_ID, reason: 'duplicate' },
    },
  ];

  it('gives the report with amendments applied and the retraction flag, whatever the order given', () => {
    expect(currentSeizure(seizureEvents.slice(0, 2))).toEqual({
      seizureId: SEIZURE_ID,
      originator: ORIGINATOR,
      payload: { ...report, direction: 'transit', suspects: [] },
      retracted: false,
      streamVersion: 2,
    });
    expect(currentSeizure([...seizureEvents].reverse())).toEqual({
      seizureId: SEIZURE_ID,
      originator: ORIGINATOR,
      payload: { ...report, direction: 'transit', suspects: [] },
      retracted: true,
      retractionReason: 'duplicate',
      streamVersion: 3,
    });
    expect(currentSeizure(seizureEvents.slice(1))).toBeUndefined();
  });

  it('gives the alert with updates applied and the withdrawal flag', () => {
    const stream = `alert-${ALERT_ID}`;
    const events: RecordedEvent[] = [
      { ...envelope(1), streamId: stream, type: 'threat.alert.issued', payload: alert },
      {
        ...envelope(2),
        streamId: stream,
        type: 'threat.alert.updated',
        payload: { alertId: ALERT_ID, changes: { severity: 1 }, reason: 'r' },
      },
    ];
    expect(currentAlert(events)).toEqual({
      alertId: ALERT_ID,
      originator: ORIGINATOR,
      payload: { ...alert, severity: 1 },
      withdrawn: false,
      streamVersion: 2,
    });
    const withdrawn = currentAlert([
      ...events,
      { ...envelope(3), streamId: stream, type: 'threat.alert.withdrawn', payload: { alertId: ALERT_ID, reason: 'w' } },
    ]);
    expect(withdrawn).toMatchObject({ withdrawn: true, withdrawalReason: 'w', streamVersion: 3 });
  });

  it('folds redacted copies loosely: only the fields each copy carries', () => {
    const folded = currentPayload([
      {
        type: 'seizure.reported',
        payload: { seizureId: SEIZURE_ID, location: { country: 'TJ' }, handling: { tlp: 'GREEN' } },
      },
      { type: 'seizure.amended', payload: { seizureId: SEIZURE_ID, changes: { location: { country: 'UZ' } } } },
    ]);
    expect(folded).toEqual({
      payload: { seizureId: SEIZURE_ID, location: { country: 'UZ' }, handling: { tlp: 'GREEN' } },
      ended: false,
    });
    const ended = currentPayload([
      { type: 'threat.alert.issued', payload: { alertId: ALERT_ID, severity: 3 } },
      { type: 'threat.alert.withdrawn', payload: { alertId: ALERT_ID, reason: 'gone' } },
      { type: 'threat.alert.updated', payload: { alertId: ALERT_ID, changes: { severity: 5 } } },
    ]);
    expect(ended).toEqual({ payload: { alertId: ALERT_ID, severity: 3 }, ended: true, endReason: 'gone' });
    expect(currentPayload([{ type: 'seizure.retracted', payload: { seizureId: SEIZURE_ID } }])).toBeUndefined();
  });
});
