// Paging, as Athena pages: at most maxResults items, and an opaque NextToken for the rest. A token holds a
// position in one listing and names that listing, so a token from one query's results cannot page another's.
import { ValidationError } from "../errors/index.js";

export function encodePageToken(scope: string, position: number): string {
  return Buffer.from(JSON.stringify([scope, position])).toString("base64url");
}

/** The position a token holds, or 0 without a token. A token from another listing is a ValidationError. */
export function decodePageToken(scope: string, token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  try {
    const [tokenScope, position] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as [unknown, unknown];
    if (tokenScope === scope && Number.isSafeInteger(position) && (position as number) >= 0) return position as number;
  } catch {
    // Falls through to the error below.
  }
  throw new ValidationError("nextToken is not a token this listing gave out", "invalid_next_token");
}

/** Checks a page size against its bounds; `fallback` when absent. */
export function pageSize(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ValidationError(`maxResults must be an integer from 1 to ${max}`, "invalid_max_results");
  return value;
}

export interface Page<T> {
  items: T[];
  /** absent on the last page */
  nextToken?: string;
}

/** One page of `items` (a listing named `scope`) from the position in `nextToken`. */
export function pageOf<T>(items: readonly T[], scope: string, options: { maxResults?: number; nextToken?: string }, maxPerPage: number): Page<T> {
  const limit = pageSize(options.maxResults, maxPerPage, maxPerPage);
  const start = decodePageToken(scope, options.nextToken);
  const end = Math.min(items.length, start + limit);
  return { items: items.slice(start, end), ...(end < items.length && { nextToken: encodePageToken(scope, end) }) };
}
