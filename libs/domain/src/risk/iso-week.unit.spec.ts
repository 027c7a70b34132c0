import { CaravanError } from '@caravan/contracts';
import { isoWeekOf, isoWeekStart, parseInstant, shiftIsoWeek } from './iso-week.js';

describe('isoWeekOf', () => {
  it.each([
    // Thursday 31 Dec 2020: 2020 began on a Thursday, so it has 53 weeks.
    ['2020-12-31T12:00:00Z', '2020-W53'],
    // Sunday 3 Jan 2021 still belongs to the week of Thursday 31 Dec 2020.
    ['2021-01-03T23:59:59Z', '2020-W53'],
    // Monday 4 Jan 2021 starts week 1 (4 January is always in week 1).
    ['2021-01-04T00:00:00Z', '2021-W01'],
    // Monday 30 Dec 2024: its Thursday is 2 Jan 2025, so it is week 1 of 2025.
    ['2024-12-30T08:00:00Z', '2025-W01'],
    // Sunday 29 Dec 2024 closes the last week of 2024 (Thursday 26 Dec).
    ['2024-12-29T08:00:00Z', '2024-W52'],
    // Friday 1 Jan 2027: its Thursday is 31 Dec 2026, and 2026 (starting on a Thursday) has 53 weeks.
    ['2027-01-01T08:00:00Z', '2026-W53'],
    ['2026-11-23T13:00:00Z', '2026-W48'],
  ])('%s is in %s', (at, week) => {
    expect(isoWeekOf(at)).toBe(week);
  });

  it('works in UTC: 23:30 on Sunday 3 Jan 2021 at UTC−5 is Monday 4 Jan 04:30 UTC', () => {
    expect(isoWeekOf('2021-01-03T23:30:00-05:00')).toBe('2021-W01');
  });
});

describe('isoWeekStart and shiftIsoWeek', () => {
  it('gives the Monday of a week, across a year boundary', () => {
    expect(isoWeekStart('2020-W53').toISOString()).toBe('2020-12-28T00:00:00.000Z');
    expect(isoWeekStart('2025-W01').toISOString()).toBe('2024-12-30T00:00:00.000Z');
  });

  it('refuses a week the year does not have (2021 has 52) and a malformed one', () => {
    expect(() => isoWeekStart('2021-W53')).toThrow(CaravanError);
    expect(() => isoWeekStart('2021-53')).toThrow(CaravanError);
  });

  it('steps back and forward over new year', () => {
    expect(shiftIsoWeek('2021-W01', -1)).toBe('2020-W53');
    expect(shiftIsoWeek('2024-W52', 1)).toBe('2025-W01');
    expect(shiftIsoWeek('2021-W02', -8)).toBe('2020-W47');
  });
});

describe('parseInstant', () => {
  it('reads the generalised forms of SPEC §5 as the start of their period', () => {
    expect(parseInstant('2021-W01').toISOString()).toBe('2021-01-04T00:00:00.000Z');
    expect(parseInstant('2021-03-15').toISOString()).toBe('2021-03-15T00:00:00.000Z');
    expect(parseInstant('2021-03').toISOString()).toBe('2021-03-01T00:00:00.000Z');
    expect(parseInstant('2021-03-15T10:00:00+02:00').toISOString()).toBe('2021-03-15T08:00:00.000Z');
  });

  it('refuses what is not a time', () => {
    expect(() => parseInstant('yesterday')).toThrow(CaravanError);
  });
});
