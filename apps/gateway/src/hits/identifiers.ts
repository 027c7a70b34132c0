// Which identifiers a seizure or alert payload carries, by hit kind (SPEC §3.4 indicator kinds;
// seizures add suspects' document numbers and names and the conveyance registration). Pure, and
// used on full payloads and on a recipient's redacted copies alike: a pseudonymised or dropped
// field simply yields nothing comparable.
import { INDICATOR_KINDS, type IndicatorKind } from '@caravan/contracts';
import { normalizeIdentifier } from '@caravan/domain';

/** The kinds a hit query may ask about. */
export const HIT_KINDS: readonly IndicatorKind[] = INDICATOR_KINDS;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `kind|normalised value` keys of every identifier in a payload. */
export function identifierKeys(payload: Readonly<Record<string, unknown>>): Set<string> {
  const keys = new Set<string>();
  const add = (kind: string, value: unknown): void => {
    if (typeof value === 'string' && value.trim() !== '') keys.add(hitKey(kind, value));
  };
  const conveyance = payload['conveyance'];
  if (isRecord(conveyance)) add('vehicle-registration', conveyance['registration']);
  const suspects = payload['suspects'];
  if (Array.isArray(suspects)) {
    for (const suspect of suspects) {
      if (!isRecord(suspect)) continue;
      add('document-number', suspect['documentNumber']);
      add('name', suspect['fullName']);
    }
  }
  const indicators = payload['indicators'];
  if (Array.isArray(indicators)) {
    for (const indicator of indicators) {
      if (isRecord(indicator) && typeof indicator['kind'] === 'string') add(indicator['kind'], indicator['value']);
    }
  }
  return keys;
}

/** The comparison key of one identifier: kind and SPEC §5 normalised value. */
export function hitKey(kind: string, value: string): string {
  return `${kind}|${normalizeIdentifier(value)}`;
}
