// ISO 8601 week dates, always in UTC: a seizure's week must not depend on the server's time zone,
// or a rebuild on another machine would file it under another week.
import { CaravanError } from '@caravan/contracts';

const DAY_MS = 86_400_000;
const ISO_WEEK = /^(\d{4})-W(\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

/** The ISO week (`YYYY-Www`) containing an instant, computed in UTC. */
export function isoWeekOf(at: Date | string): string {
  const date = typeof at === 'string' ? parseInstant(at) : at;
  // Whole days since the epoch, which fell on a Thursday: day arithmetic instead of calendar calls,
  // since a rebuild files every seizure it folds.
  const day = Math.floor(date.getTime() / DAY_MS);
  const weekday = (((day + 3) % 7) + 7) % 7; // Monday 0 … Sunday 6
  // The ISO year of a week is the calendar year of its Thursday.
  const thursday = (day + 3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const week = Math.floor((thursday - new Date(0).setUTCFullYear(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

/** Monday 00:00 UTC of an ISO week (`YYYY-Www`). */
export function isoWeekStart(week: string): Date {
  const match = ISO_WEEK.exec(week);
  if (!match) throw new CaravanError('invalid', `not an ISO week (YYYY-Www): ${week}`);
  const year = Number(match[1]);
  const number = Number(match[2]);
  // 4 January always lies in week 1.
  const jan4 = Date.UTC(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  const start = new Date(mondayOfWeek1 + (number - 1) * 7 * DAY_MS);
  if (number < 1 || isoWeekOf(start) !== week) throw new CaravanError('invalid', `no such ISO week: ${week}`);
  return start;
}

/** The ISO week `offset` weeks after (negative: before) `week`. */
export function shiftIsoWeek(week: string, offset: number): string {
  return isoWeekOf(new Date(isoWeekStart(week).getTime() + offset * 7 * DAY_MS));
}

/**
 * Reads an `occurredAt` as an instant. Besides RFC 3339 it accepts the generalised forms of SPEC §5
 * (`YYYY-MM-DD`, `YYYY-Www`, `YYYY-MM`), each read as the first instant of its period in UTC.
 */
export function parseInstant(value: string): Date {
  let ms: number;
  // The generalised forms are 7 to 10 characters long; anything longer goes straight to Date.parse.
  if (value.length > 10) ms = Date.parse(value);
  else if (ISO_WEEK.test(value)) ms = isoWeekStart(value).getTime();
  else if (DAY.test(value)) ms = Date.parse(`${value}T00:00:00Z`);
  else if (MONTH.test(value)) ms = Date.parse(`${value}-01T00:00:00Z`);
  else ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CaravanError('invalid', `not a time: ${value}`);
  return new Date(ms);
}
