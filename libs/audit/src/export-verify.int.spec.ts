// SPEC §4 end to end on a real ledger: export from PostgreSQL, verify offline, and catch each kind of
// tampering at the right position with a clear reason.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { DomainEvent } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { ledgerPublicKey } from '@caravan/domain';
import { LedgerReader, LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import {
  describeVerification,
  parseExportLine,
  scanExport,
  verifyExport,
  writeExport,
  type ExportOptions,
  type ExportProgress,
} from './index.js';
import { independentChain, jcs, sha256Hex } from './independent-chain.spec.js';

const { privateKey } = generateKeyPairSync('ed25519');
const signingKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const publicKey = ledgerPublicKey(signingKeyPem);
const EVENTS = 14;

function report(seizureId: string, index: number): DomainEvent<'seizure.reported'> {
  return {
    type: 'seizure.reported',
    data: {
      seizureId,
      occurredAt: '2026-03-01T06:30:00.000Z',
      location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border', lat: 37.25, lon: 68.5 },
      direction: 'import',
      items: [
        { category: 'narcotic', substance: 'heroin', quantity: 12.5 + index, unit: 'kg', purityPercent: 61 },
        { category: 'precursor', substance: 'acetic-anhydride', quantity: 0.000001, unit: 'l' },
      ],
      transportMode: 'road',
      detectionMethod: 'canine',
      // Non-ASCII, escapes and a tab: what JCS must serialise exactly.
      narrative: `Тайник в запасном колесе № ${index} — "quoted" \\ back\tslash`,
      handling: { tlp: 'AMBER', releasableTo: ['CARICC'] },
    },
  };
}

async function text(options: ExportOptions = {}, reader: LedgerReader): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeExport(reader, out, options);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

function verifyText(body: string, publicKeyPem?: string) {
  return verifyExport([Buffer.from(body, 'utf8')], publicKeyPem === undefined ? {} : { publicKeyPem });
}

const lines = (body: string) => body.split('\n').filter((line) => line !== '');
const join = (parts: string[]) => `${parts.join('\n')}\n`;
const lineOfPosition = (parts: string[], position: number) =>
  parts.findIndex((line) => line.startsWith(`{"position":${position},`));

describe('export and offline verification (SPEC §4)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let reader: LedgerReader;
  let full: string;

  beforeAll(async () => {
    db = await createTestDatabase('auditexport');
    ds = await openDatabase({ url: db.url, schemas: [ledgerSchema], poolSize: 4 });
    const writer = new LedgerWriter(ds, { signingKeyPem, checkpointEvery: 4 });
    const ids: string[] = [];
    for (let i = 0; i < EVENTS - 2; i++) {
      const seizureId = randomUUID();
      ids.push(seizureId);
      await writer.append({
        streamId: `seizure-${seizureId}`,
        expectedVersion: 0,
        originator: i % 2 ? 'TJ-DCA' : 'UZ-SCC',
        events: [report(seizureId, i)],
      });
    }
    await writer.append({
      streamId: `seizure-${ids[0]!}`,
      expectedVersion: 1,
      originator: 'UZ-SCC',
      events: [{ type: 'seizure.retracted', data: { seizureId: ids[0]!, reason: 'duplicate' } }],
    });
    await writer.append({
      streamId: 'policy-TJ-DCA',
      expectedVersion: 'any',
      originator: 'TJ-DCA',
      events: [
        { type: 'policy.set', data: { agency: 'TJ-DCA', rules: [{ to: ['CARICC'], types: ['*'], fields: ['*'] }] } },
      ],
    });
    await writer.checkpointNow();
    await writer.close();
    reader = new LedgerReader(ds, { pageSize: 5 });
    full = await text({ publicKey }, reader);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('writes events, then checkpoints, then the key, and the export verifies offline', async () => {
    const kinds = lines(full).map((line) => parseExportLine(line).kind);
    const checkpoints = kinds.filter((kind) => kind === 'checkpoint').length;
    expect(kinds).toEqual([
      ...Array<string>(EVENTS).fill('event'),
      ...Array<string>(checkpoints).fill('checkpoint'),
      'key',
    ]);
    expect(checkpoints).toBeGreaterThanOrEqual(4);
    const result = await verifyText(full, publicKey.pem);
    expect(result).toMatchObject({
      ok: true,
      events: EVENTS,
      checkpoints,
      lastPosition: EVENTS,
      signedUpTo: EVENTS,
      complete: true,
      key: { source: 'given', exportKey: 'same', rawHex: publicKey.rawHex },
    });
    expect(describeVerification(result)).toBe(
      `verified ${EVENTS} events (positions 1..${EVENTS}) and ${checkpoints} checkpoints with the given key`,
    );
  });

  it("uses the export's own key when none is given, and says so", async () => {
    const result = await verifyText(full);
    expect(result).toMatchObject({ ok: true, key: { source: 'export', exportKey: 'same' } });
    expect(describeVerification(result)).toContain("with the export's own key");
  });

  it('agrees with an independent JCS + SHA-256 implementation written in this test', async () => {
    // The independent SHA-256 against the FIPS 180-4 example vectors first.
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(new TextEncoder().encode('a'.repeat(1000)))).toBe(
      '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3',
    );
    expect(jcs({ b: [1e21, 1e-7, -0, 0.1], a: 'é\u0001' })).toBe('{"a":"é\\u0001","b":[1e+21,1e-7,0,0.1]}');
    const events = lines(full)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((value) => 'hash' in value);
    const recomputed = independentChain(events);
    expect(recomputed).toEqual(events.map((event) => event['hash']));
    const result = await verifyText(full, publicKey.pem);
    expect(result.lastHash).toBe(recomputed.at(-1));
  });

  it('names the position of an event whose payload had one byte flipped', async () => {
    const parts = lines(full);
    const index = lineOfPosition(parts, 5);
    parts[index] = parts[index]!.replace('"substance":"heroin"', '"substance":"herojn"');
    const result = await verifyText(join(parts), publicKey.pem);
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toEqual({
      position: 5,
      line: index + 1,
      reason: expect.stringContaining('hash mismatch'),
    });
    expect(result.firstBreak!.reason).toContain('altered');
    expect(result.events).toBe(4);
  });

  it('names the position of a deleted line', async () => {
    const parts = lines(full);
    parts.splice(lineOfPosition(parts, 7), 1);
    const result = await verifyText(join(parts), publicKey.pem);
    expect(result.firstBreak).toEqual({
      position: 7,
      line: expect.any(Number),
      reason: expect.stringContaining('position 7 is missing'),
    });
  });

  it('names the position of two swapped lines', async () => {
    const parts = lines(full);
    const index = lineOfPosition(parts, 9);
    [parts[index], parts[index + 1]] = [parts[index + 1]!, parts[index]!];
    const result = await verifyText(join(parts), publicKey.pem);
    expect(result.firstBreak).toMatchObject({ position: 9, reason: expect.stringContaining('out of order') });
    expect(result.firstBreak!.reason).toContain('position 10 comes before position 9');
  });

  it('names the position of a checkpoint whose signature was altered', async () => {
    const parts = lines(full);
    const index = parts.findIndex((line) => line.startsWith('{"checkpoint":'));
    const checkpoint = JSON.parse(parts[index]!) as { checkpoint: { position: number; signature: string } };
    const signature = checkpoint.checkpoint.signature;
    checkpoint.checkpoint.signature = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    parts[index] = JSON.stringify(checkpoint);
    const result = await verifyText(join(parts), publicKey.pem);
    expect(result.firstBreak).toMatchObject({
      position: checkpoint.checkpoint.position,
      reason: expect.stringContaining('signature does not verify with the given ledger key'),
    });
  });

  it('refuses a checkpoint signed by another key', async () => {
    const other = ledgerPublicKey(generateKeyPairSync('ed25519').privateKey);
    const result = await verifyText(full, other.pem);
    expect(result).toMatchObject({ ok: false, key: { source: 'given' } });
    expect(result.firstBreak?.reason).toContain('signature does not verify');
  });

  it('names a malformed line and a field added outside the hash', async () => {
    const parts = lines(full);
    const index = lineOfPosition(parts, 3);
    const broken = [...parts];
    broken[index] = broken[index]!.slice(0, -2);
    expect((await verifyText(join(broken), publicKey.pem)).firstBreak).toEqual({
      position: 3,
      line: index + 1,
      reason: `line ${index + 1} is not valid JSON`,
    });
    const added = [...parts];
    added[index] = added[index]!.replace('{"position":3,', '{"position":3,"note":"x",');
    expect((await verifyText(join(added), publicKey.pem)).firstBreak?.reason).toContain(
      'fields outside the hash: note',
    );
  });

  it('detects a truncated export through the checkpoint beyond the last event', async () => {
    const parts = lines(full).filter((line) => !line.startsWith(`{"position":${EVENTS},`));
    const result = await verifyText(join(parts), publicKey.pem);
    expect(result.firstBreak).toMatchObject({
      position: EVENTS,
      reason: expect.stringContaining('beyond the last event'),
    });
  });

  it('verifies a range that starts after position 1 from its chainStart line', async () => {
    const body = await text({ after: 5, upTo: 12, publicKey }, reader);
    expect(parseExportLine(lines(body)[0]!).kind).toBe('start');
    const result = await verifyText(body, publicKey.pem);
    expect(result).toMatchObject({
      ok: true,
      events: 7,
      start: { afterPosition: 5 },
      lastPosition: 12,
      signedUpTo: 12,
    });
  });

  it('lists with filters, and a filtered listing does not pass as a chain', async () => {
    const body = await text({ filter: { originator: 'TJ-DCA' }, checkpoints: false }, reader);
    const events = lines(body)
      .slice(1)
      .map((line) => JSON.parse(line) as { originator: string });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.originator === 'TJ-DCA')).toBe(true);
    const result = await verifyText(body);
    expect(result.ok).toBe(false);
    expect(result.firstBreak?.reason).toContain('filtered');
  });

  it('resumes an interrupted export after its last whole line, and the result verifies', async () => {
    const first = await text({ upTo: 6, checkpoints: false }, reader);
    const torn = `${first}{"position":7,"eventI`;
    const scan = await scanExport([Buffer.from(torn)]);
    expect(scan).toEqual({
      startedAfter: 0,
      lastPosition: 6,
      lastHash: (await reader.readPage({ after: 5, upTo: 6 }))[0]!.hash,
      closed: false,
      wholeBytes: Buffer.byteLength(first),
    });
    const rest = await text(
      { after: scan.lastPosition, resume: { startedAfter: scan.startedAfter }, publicKey },
      reader,
    );
    const resumed = Buffer.from(torn).subarray(0, scan.wholeBytes).toString() + rest;
    expect(resumed).toBe(full);
    expect((await verifyText(resumed, publicKey.pem)).ok).toBe(true);
  });

  it('reports progress up to the end of the range', async () => {
    const seen: ExportProgress[] = [];
    await text({ onProgress: (p) => seen.push(p), progressEvery: 5, checkpoints: false }, reader);
    expect(seen.map((p) => p.events)).toEqual([5, 10, EVENTS]);
    expect(seen.at(-1)).toEqual({ position: EVENTS, events: EVENTS, upTo: EVENTS });
  });
});
