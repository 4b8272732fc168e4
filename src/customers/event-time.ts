// Event-time arithmetic shared by sessions, KPI windows, cohorts and RFM. All UTC.

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** The start of the one-minute window that holds `ms`. */
export function minuteStartMs(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** The UTC calendar month of `ms`, as "YYYY-MM": a cohort key that sorts as text. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** Whole months from one "YYYY-MM" to another (0 for the same month). */
export function monthsBetween(from: string, to: string): number {
  const [fromYear, fromMonth] = from.split("-").map(Number) as [number, number];
  const [toYear, toMonth] = to.split("-").map(Number) as [number, number];
  return (toYear - fromYear) * 12 + (toMonth - fromMonth);
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
