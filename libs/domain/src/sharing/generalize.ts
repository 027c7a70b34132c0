import { type GENERALIZE_LOCATION, type GENERALIZE_OCCURRED_AT } from '@caravan/contracts';

// SPEC §5 generalisation. Dates are taken in UTC, the hub's one clock, so the same instant falls in
// the same day, week and month for every recipient and every view.

const DAY_MS = 86_400_000;

/** What `generalize.location` keeps of a location. */
export const LOCATION_KEPT: { readonly [G in (typeof GENERALIZE_LOCATION)[number]]: readonly string[] } = {
  country: ['country'],
  region: ['country', 'region', 'locationType'],
};

/** ISO 8601 week of a UTC date: `2026-W09`; the week belongs to the year of its Thursday. */
export function isoWeek(date: Date): string {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7;
  const thursday = new Date(midnight + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7);
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

/** `day` → `YYYY-MM-DD`, `week` → `YYYY-Www`, `month` → `YYYY-MM`; undefined for an unreadable time. */
export function generalizeOccurredAt(
  occurredAt: string,
  level: (typeof GENERALIZE_OCCURRED_AT)[number],
): string | undefined {
  const date = new Date(occurredAt);
  if (Number.isNaN(date.getTime())) return undefined;
  const day = date.toISOString().slice(0, 10);
  switch (level) {
    case 'day':
      return day;
    case 'week':
      return isoWeek(date);
    case 'month':
      return day.slice(0, 7);
  }
}
