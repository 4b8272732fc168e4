// A query's result in a shape any client can take: column names with DuckDB types, and rows of plain JSON
// values. Numbers stay numbers while they are exact (BIGINT, DECIMAL), timestamps become ISO 8601
// strings, blobs base64, nested types arrays and objects.
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUnionValue,
  type DuckDBValue,
} from "@duckdb/node-api";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ResultColumn {
  name: string;
  /** the DuckDB type, e.g. "VARCHAR", "DECIMAL(38,4)", "TIMESTAMP WITH TIME ZONE" */
  type: string;
}

export interface QueryResult {
  columns: ResultColumn[];
  /** one array per row, aligned with `columns` (names may repeat, so rows are not objects) */
  rows: JsonValue[][];
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function toJsonValue(value: DuckDBValue): JsonValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return -MAX_SAFE <= value && value <= MAX_SAFE ? Number(value) : value.toString();
  if (value instanceof DuckDBDecimalValue) {
    // Exact as a double while the unscaled integer has at most 15 significant digits; text otherwise.
    return -MAX_SAFE <= value.value && value.value <= MAX_SAFE ? value.toDouble() : value.toString();
  }
  if (value instanceof DuckDBTimestampTZValue) return isoFromMicros(value.micros, "Z") ?? value.toString();
  if (value instanceof DuckDBTimestampValue) return isoFromMicros(value.micros, "") ?? value.toString();
  if (value instanceof DuckDBTimestampMillisecondsValue) return isoFromMicros(value.millis * 1000n, "") ?? value.toString();
  if (value instanceof DuckDBTimestampSecondsValue) return isoFromMicros(value.seconds * 1_000_000n, "") ?? value.toString();
  if (value instanceof DuckDBTimestampNanosecondsValue) return isoFromMicros(value.nanos / 1000n, "") ?? value.toString();
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toJsonValue);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([key, entry]) => [key, toJsonValue(entry)]));
  }
  if (value instanceof DuckDBMapValue) {
    return Object.fromEntries(value.entries.map((entry) => [String(toJsonValue(entry.key)), toJsonValue(entry.value)]));
  }
  if (value instanceof DuckDBUnionValue) return toJsonValue(value.value);
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString("base64");
  // DATE, TIME, INTERVAL, UUID, BIT, …: DuckDB's own text is the clearest JSON form.
  return value.toString();
}

/** ISO 8601 with milliseconds, or microseconds when there are any; undefined for ±infinity and out-of-range. */
function isoFromMicros(micros: bigint, zone: "Z" | ""): string | undefined {
  const millis = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const date = new Date(millis);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString().slice(0, -1);
  const extraMicros = Number(((micros % 1000n) + 1000n) % 1000n);
  return `${iso}${extraMicros === 0 ? "" : String(extraMicros).padStart(3, "0")}${zone}`;
}
