// The event-time ranges the read API takes: [fromMs, toMs), from query strings holding an RFC 3339 time or
// epoch milliseconds.
import { ValidationError } from "../errors/index.js";

export interface TimeRange {
  /** inclusive, ms since the epoch */
  fromMs?: number;
  /** exclusive, ms since the epoch */
  toMs?: number;
}

/** An instant from a query string: RFC 3339 ("2026-01-05T08:00:00Z") or epoch milliseconds. */
export function parseInstant(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const ms = /^\d{1,16}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms) || !/^\d/.test(text)) throw new ValidationError(`${name}: expected an RFC 3339 time or epoch milliseconds, got ${JSON.stringify(text)}`);
  return ms;
}

export function parseTimeRange(query: { from?: string; to?: string }): TimeRange {
  const range: TimeRange = {};
  const fromMs = parseInstant("from", query.from);
  const toMs = parseInstant("to", query.to);
  if (fromMs !== undefined) range.fromMs = fromMs;
  if (toMs !== undefined) range.toMs = toMs;
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) throw new ValidationError("from must be before to");
  return range;
}
