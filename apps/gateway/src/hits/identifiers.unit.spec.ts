import { hitKey, identifierKeys } from './identifiers.js';

describe('identifierKeys', () => {
  it('collects registrations, suspect documents and names, and alert indicators, normalised', () => {
    const keys = identifierKeys({
      conveyance: { kind: 'truck', registration: '01 KG  123 ABC' },
      suspects: [{ fullName: 'Ivan PETROV', documentNumber: 'AC1234567' }, { nationality: 'KG' }],
      indicators: [{ kind: 'phone', value: '+996 555 000 111' }],
    });
    expect([...keys].sort()).toEqual(
      [
        hitKey('vehicle-registration', '01 kg 123 abc'),
        hitKey('document-number', 'ac1234567'),
        hitKey('name', 'ivan petrov'),
        hitKey('phone', '+996 555 000 111'),
      ].sort(),
    );
  });

  it('finds nothing comparable in a copy whose fields were dropped', () => {
    expect(identifierKeys({ seizureId: 'x', location: { country: 'TJ' } }).size).toBe(0);
  });

  it('keeps kinds apart: a name is not a document number', () => {
    const keys = identifierKeys({ suspects: [{ fullName: 'AC1234567' }] });
    expect(keys.has(hitKey('document-number', 'AC1234567'))).toBe(false);
    expect(keys.has(hitKey('name', 'ac1234567'))).toBe(true);
  });
});
