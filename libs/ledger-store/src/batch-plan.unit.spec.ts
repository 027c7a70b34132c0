import { randomUUID } from 'node:crypto';
import { type CaravanError, type ChainedEvent } from '@caravan/contracts';
import { GENESIS_HASH, hashEvent, verifyChain } from '@caravan/domain';
import { planBatch, type AppendRequest, type BatchContext, type BatchState, type StoredCommand } from './batch-plan.js';
import { seizureReported, seizureRetracted } from './ledger-fixtures.spec.js';

const empty: BatchState = {
  headPosition: 0,
  headHash: GENESIS_HASH,
  lastCheckpoint: 0,
  streamVersions: new Map(),
  commands: new Map(),
};

let ids = 0;
const context = (overrides: Partial<BatchContext> = {}): BatchContext => ({
  now: new Date('2026-11-23T10:00:00.123Z'),
  newEventId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  sign: (position, hash) => `sig:${position}:${hash.slice(0, 8)}`,
  checkpointEvery: 1000,
  checkpointHead: false,
  ...overrides,
});

const report = (
  streamId: string,
  expectedVersion: number | 'any' = 0,
  command?: AppendRequest['command'],
): AppendRequest => ({
  streamId,
  expectedVersion,
  originator: 'TJ-DCA',
  events: [seizureReported()],
  ...(command ? { command } : {}),
});

function errorOf(outcome: { ok: boolean; error?: CaravanError } | undefined): string | undefined {
  return outcome && !outcome.ok ? outcome.error?.code : undefined;
}

describe('planBatch: one group-commit batch', () => {
  it('gives consecutive positions, stream versions and a hash chain linked to the head', async () => {
    const plan = planBatch(
      empty,
      [
        report('seizure-a'),
        { ...report('seizure-a', 1), events: [seizureRetracted('a'), seizureRetracted('a', 'again')] },
        report('seizure-b'),
      ],
      context(),
    );
    expect(plan.events.map((e) => [e.position, e.streamId, e.streamVersion])).toEqual([
      [1, 'seizure-a', 1],
      [2, 'seizure-a', 2],
      [3, 'seizure-a', 3],
      [4, 'seizure-b', 1],
    ]);
    expect(plan.outcomes.map((o) => o.ok && [o.result.position, o.result.streamVersion])).toEqual([
      [1, 1],
      [3, 3],
      [4, 1],
    ]);
    expect((await verifyChain(plan.events)).ok).toBe(true);
    expect(plan.events[0]!.hash).toBe(hashEvent(GENESIS_HASH, plan.events[0]!));
    expect(plan.events[0]!.occurredAt).toBe('2026-03-01T06:30:00.000Z');
    expect(plan.events[1]!.occurredAt).toBeUndefined();
    expect(plan.events.every((e) => e.recordedAt === '2026-11-23T10:00:00.123Z' && e.schemaVersion === 1)).toBe(true);
    expect(plan.headPosition).toBe(4);
  });

  it('continues the chain from the head it was given', async () => {
    const first = planBatch(empty, [report('seizure-a')], context());
    const head = first.events[0]!;
    const second = planBatch(
      { ...empty, headPosition: 1, headHash: head.hash, streamVersions: new Map([['seizure-a', 1]]) },
      [report('seizure-a', 1)],
      context(),
    );
    expect(second.events[0]!.position).toBe(2);
    expect((await verifyChain([head, ...second.events])).ok).toBe(true);
  });

  it('refuses a stale expected version alone, without consuming a position', () => {
    const plan = planBatch(
      { ...empty, streamVersions: new Map([['seizure-a', 2]]) },
      [
        report('seizure-b'),
        report('seizure-a', 1),
        report('seizure-a', 0),
        report('seizure-a', 2),
        report('seizure-a', 'any'),
      ],
      context(),
    );
    expect(plan.outcomes.map((o) => errorOf(o))).toEqual([
      undefined,
      'version-conflict',
      'version-conflict',
      undefined,
      undefined,
    ]);
    expect(plan.events.map((e) => [e.position, e.streamId, e.streamVersion])).toEqual([
      [1, 'seizure-b', 1],
      [2, 'seizure-a', 3],
      [3, 'seizure-a', 4],
    ]);
  });

  it('replays a recorded command, refuses one whose body differs, and sees commands of its own batch', () => {
    const recorded: StoredCommand = {
      commandId: randomUUID(),
      agency: 'TJ-DCA',
      name: 'seizure.report',
      bodyHash: 'a'.repeat(64),
      eventId: randomUUID(),
      position: 7,
      streamVersion: 1,
      recordedAt: '2026-11-22T10:00:00.000Z',
    };
    const fresh = randomUUID();
    const as = (commandId: string, bodyHash: string, name = 'seizure.report') => ({ commandId, name, bodyHash });
    const plan = planBatch(
      { ...empty, headPosition: 7, headHash: 'f'.repeat(64), commands: new Map([[recorded.commandId, recorded]]) },
      [
        // A replay wins over the stale expected version it now carries.
        report('seizure-x', 0, as(recorded.commandId, 'a'.repeat(64))),
        report('seizure-x', 0, as(recorded.commandId, 'b'.repeat(64))),
        report('seizure-x', 0, as(recorded.commandId, 'a'.repeat(64), 'alert.issue')),
        { ...report('seizure-x', 0, as(recorded.commandId, 'a'.repeat(64))), originator: 'UZ-SCC' },
        report('seizure-new', 0, as(fresh, 'c'.repeat(64))),
        report('seizure-new', 0, as(fresh, 'c'.repeat(64))),
        report('seizure-new', 0, as(fresh, 'd'.repeat(64))),
      ],
      context(),
    );
    expect(plan.outcomes.map((o) => errorOf(o))).toEqual([
      undefined,
      'idempotency-conflict',
      'idempotency-conflict',
      'idempotency-conflict',
      undefined,
      undefined,
      'idempotency-conflict',
    ]);
    const [replay, , , , first, again] = plan.outcomes;
    expect(replay).toEqual({
      ok: true,
      result: { eventId: recorded.eventId, position: 7, streamVersion: 1, replayed: true, events: [] },
    });
    expect(first?.ok && first.result.replayed).toBe(false);
    expect(again?.ok && again.result).toMatchObject({ replayed: true, position: 8, streamVersion: 1 });
    expect(plan.events).toHaveLength(1);
    expect(plan.commands).toEqual([
      expect.objectContaining({ commandId: fresh, agency: 'TJ-DCA', bodyHash: 'c'.repeat(64), position: 8 }),
    ]);
  });

  it('signs a checkpoint every N positions, and the head on request', () => {
    const requests = Array.from({ length: 7 }, (_, i) => report(`seizure-${i}`));
    const plan = planBatch({ ...empty, lastCheckpoint: 0 }, requests, context({ checkpointEvery: 3 }));
    expect(plan.checkpoints.map((c) => c.position)).toEqual([3, 6]);
    const at = (p: number) => plan.events[p - 1]!.hash;
    expect(plan.checkpoints[0]).toMatchObject({ hash: at(3), signature: `sig:3:${at(3).slice(0, 8)}` });

    const withHead = planBatch(empty, requests, context({ checkpointEvery: 3, checkpointHead: true }));
    expect(withHead.checkpoints.map((c) => c.position)).toEqual([3, 6, 7]);

    // A checkpoint of the head alone, when the head moved since the last one.
    const idle = planBatch(
      { ...empty, headPosition: 9, headHash: 'e'.repeat(64), lastCheckpoint: 8 },
      [],
      context({ checkpointHead: true }),
    );
    expect(idle.checkpoints).toEqual([expect.objectContaining({ position: 9, hash: 'e'.repeat(64) })]);
    const nothingNew = planBatch(
      { ...empty, headPosition: 9, lastCheckpoint: 9 },
      [],
      context({ checkpointHead: true }),
    );
    expect(nothingNew.checkpoints).toEqual([]);
  });

  it('keeps recordedAt from running backwards when this clock is behind the head', () => {
    const plan = planBatch(
      { ...empty, headPosition: 1, headRecordedAt: '2026-11-23T10:00:05.000Z' },
      [report('seizure-a')],
      context(),
    );
    expect(plan.events[0]!.recordedAt).toBe('2026-11-23T10:00:05.000Z');
  });

  it('refuses a payload that PostgreSQL jsonb cannot store, alone', () => {
    const withText = (reason: string) => ({
      ...report(`seizure-${reason.length}`),
      events: [seizureRetracted('x', reason)],
    });
    const plan = planBatch(
      empty,
      [
        withText('nul \u0000 here'),
        withText('lone \ud800 surrogate'),
        withText('pair \ud83d\ude00 is fine'),
        withText('\\u0000 is text'),
      ],
      context(),
    );
    expect(plan.outcomes.map((o) => errorOf(o))).toEqual(['invalid', 'invalid', undefined, undefined]);
    expect(plan.events.map((e) => e.position)).toEqual([1, 2]);
  });

  it('refuses a command whose payload has no JSON form without breaking the others', async () => {
    const bad = {
      ...report('seizure-bad'),
      events: [{ type: 'seizure.retracted', data: { seizureId: 'x', reason: 1n } }],
    };
    const plan = planBatch(
      empty,
      [report('seizure-a'), bad as unknown as AppendRequest, report('seizure-b')],
      context(),
    );
    expect(plan.outcomes.map((o) => errorOf(o))).toEqual([undefined, 'invalid', undefined]);
    expect(plan.events.map((e: ChainedEvent) => e.position)).toEqual([1, 2]);
    expect((await verifyChain(plan.events)).ok).toBe(true);
  });
});
