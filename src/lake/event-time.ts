// Event-time parsing and the UTC date/hour partitions derived from it. Stricter than Date.parse, which
// accepts 2026-02-30 and 24:00: what passes here is exactly what DuckDB casts to TIMESTAMPTZ.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

export interface HourPartition {
  /** "2026-01-05" */
  dt: string;
  /** "08" */
  hour: string;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Epoch milliseconds of an RFC 3339 timestamp with a zone ("Z" or ±HH:MM), or undefined if it is not one. */
export function parseEventTimeMs(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[8] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC maps years 0 to 99 onto 1900 to 1999; setUTCFullYear puts them back.
  if (year < 100) date.setUTCFullYear(year);
  return date.getTime() - offsetMinutes * 60_000;
}

/** Whether `value` is an RFC 3339 timestamp with a zone that DuckDB casts to TIMESTAMPTZ. */
export function isEventTime(value: string): boolean {
  return isCanonicalUtc(value) || parseEventTimeMs(value) !== undefined;
}

/** The UTC hour partition of a timestamp that isEventTime accepted. */
export function hourPartitionOf(value: string): HourPartition {
  // Canonical UTC timestamps (what enrich writes) are sliced; others go through a Date.
  const iso = isCanonicalUtc(value) ? value : new Date(parseEventTimeMs(value) ?? Number.NaN).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

const DIGIT_0 = 48;
/** Character positions of "YYYY-MM-DDTHH:MM:SS.sssZ" that hold digits. */
const CANONICAL_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const CANONICAL_SEPARATORS: ReadonlyArray<[number, number]> = [
  [4, 45], [7, 45], [10, 84], [13, 58], [16, 58], [19, 46], [23, 90], // - - T : : . Z
];

/**
 * The form every curated event has (2026-01-05T08:00:00.000Z, as toISOString writes it), checked with
 * character arithmetic: this runs twice per record on the delivery's hot path.
 */
function isCanonicalUtc(value: string): boolean {
  if (value.length !== 24) return false;
  for (const [at, code] of CANONICAL_SEPARATORS) if (value.charCodeAt(at) !== code) return false;
  for (const at of CANONICAL_DIGITS) {
    const digit = value.charCodeAt(at) - DIGIT_0;
    if (digit < 0 || digit > 9) return false;
  }
  const year = twoDigits(value, 0) * 100 + twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    twoDigits(value, 11) <= 23 &&
    twoDigits(value, 14) <= 59 &&
    twoDigits(value, 17) <= 59
  );
}

function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - DIGIT_0) * 10 + value.charCodeAt(at + 1) - DIGIT_0;
}
