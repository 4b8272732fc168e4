// The building blocks of the per-record checks that DuckDB runs on a staged batch: a check is a SQL
// condition with an error type and a message; the first failing check of a record decides where it goes.
// Shared by curated records (Parquet) and raw records (NDJSON), which both read partition fields.
import type { ResolvedDeliveryStream } from "./delivery-stream.js";
import type { LakeErrorType } from "./record-errors.js";
import { quoteIdentifier, quoteSqlString } from "./sql-text.js";
import type { LakeColumnType } from "./tables.js";

export interface RecordCheck {
  errorType: LakeErrorType;
  /** SQL: true when the record fails */
  failsWhen: string;
  /** SQL: the message, evaluated only for records that fail */
  message: string;
}

/** What a partition key value may be: it becomes a folder name. */
const PARTITION_VALUE_PATTERN = "[A-Za-z0-9_][A-Za-z0-9_.:@+-]{0,127}";

/** SQL true when `text` (not NULL) cannot become a `type` without loss. */
export function doesNotFit(text: string, type: LakeColumnType): string {
  switch (type) {
    case "VARCHAR":
    case "JSON":
      return "false";
    case "INTEGER":
    case "BIGINT":
      // DuckDB rounds "1.5" to 2 on a cast to an integer; the comparison with the DOUBLE catches it.
      return `coalesce(TRY_CAST(${text} AS ${type}) <> TRY_CAST(${text} AS DOUBLE), true)`;
    case "DOUBLE":
      return `NOT coalesce(isfinite(TRY_CAST(${text} AS DOUBLE)), false)`;
    case "DECIMAL(18,4)":
    case "BOOLEAN":
    case "TIMESTAMPTZ":
    case "DATE":
      return `TRY_CAST(${text} AS ${type}) IS NULL`;
  }
}

/** `text` cast to `type`, once the checks have passed. */
export function castText(text: string, type: LakeColumnType): string {
  return type === "VARCHAR" ? text : type === "JSON" ? `CAST(${text} AS JSON)` : `TRY_CAST(${text} AS ${type})`;
}

/** A value read from a record, as a message shows it: its text, cut at 80 characters, or "nothing". */
export function described(value: string): string {
  return `coalesce(left(CAST(${value} AS VARCHAR), 80), 'nothing')`;
}

/** The batch column that holds a dynamic partitioning key. */
export function partitionKeyColumn(key: string): string {
  return quoteIdentifier(`pk_${key}`);
}

const NO_ERROR = "NULL::STRUCT(error_type VARCHAR, message VARCHAR)";

/**
 * How an error expression names the failing check. "typed": {error_type, message: NULL}, the cheap form a
 * batch is checked with (message expressions are large, and DuckDB sets up every one of them for each
 * statement it runs, whether a record fails or not: measured, about 50 ms a flush, most of a small flush's
 * checking); "described": with the message, for the few records that failed (selectErrors).
 */
export type ErrorDetail = "typed" | "described";

/** The first failing check as {error_type, message}, or NULL for a record that passes them all. */
export function errorCase(checks: readonly RecordCheck[], detail: ErrorDetail = "described"): string {
  if (checks.length === 0) return NO_ERROR;
  const branches = checks.map(
    (check) => `WHEN ${check.failsWhen} THEN {'error_type': '${check.errorType}', 'message': ${detail === "described" ? check.message : "NULL::VARCHAR"}}`,
  );
  return `CASE ${branches.join(" ")} END`;
}

/**
 * The first failing check among those of the record's event type: each record evaluates only its own
 * type's checks, which keeps a batch's cost flat however many tables there are.
 */
export function errorCaseByType(typeColumn: string, checksByType: ReadonlyMap<string, readonly RecordCheck[]>, detail: ErrorDetail = "described"): string {
  const branches = [...checksByType]
    .filter(([, checks]) => checks.length > 0)
    .map(([type, checks]) => `WHEN ${quoteSqlString(type)} THEN ${errorCase(checks, detail)}`);
  return branches.length === 0 ? NO_ERROR : `CASE ${typeColumn} ${branches.join(" ")} END`;
}

/** The first error of several error expressions, each evaluated only for records the earlier ones passed. */
export function firstError(cases: readonly string[]): string {
  const real = cases.filter((sql) => sql !== NO_ERROR);
  return real.length === 0 ? NO_ERROR : real.length === 1 ? real[0]! : `coalesce(${real.join(", ")})`;
}

export interface PartitionFields {
  /** key name → SQL of its value */
  keyValues: ReadonlyMap<string, string>;
  /** SQL of the record's timestamp, when the prefixes format the timestampField */
  timestamp: string | undefined;
  checks: RecordCheck[];
}

/**
 * The record fields that place a record: its dynamic partitioning keys and its timestamp, read through
 * `fieldSql` (which adds the path to the shape the record is parsed with), and the checks that refuse a
 * record when one is missing or cannot name a folder.
 */
export function partitionFields(
  delivery: ResolvedDeliveryStream,
  fieldSql: (path: string, configPath: string) => string,
  /** SQL of a field already cast to a timestamp by the reader's relation, when it has one (DuckDB would parse it again) */
  timestampSql?: (path: string) => string | undefined,
  /** fields whose every accepted value another check already keeps to a folder name's characters */
  namesFolder?: (path: string) => boolean,
): PartitionFields {
  const keyValues = new Map<string, string>();
  const checks: RecordCheck[] = [];
  for (const [key, path] of Object.entries(delivery.partitionKeys)) {
    const value = fieldSql(path, `deliveryStreams.${delivery.name}.dynamicPartitioning.keys.${key}`);
    keyValues.set(key, value);
    if (namesFolder?.(path)) continue;
    checks.push({
      errorType: "invalid_partition_key",
      failsWhen: `NOT coalesce(regexp_full_match(${value}, '${PARTITION_VALUE_PATTERN}'), false)`,
      message: `'partition key ${key} (${path}): expected letters, digits and _.:@+- (up to 128), got ' || ${described(value)}`,
    });
  }
  const field = delivery.config.timestampField;
  let timestamp: string | undefined;
  if (field !== undefined && delivery.timeUnit !== undefined) {
    const text = fieldSql(field, `deliveryStreams.${delivery.name}.timestampField`);
    timestamp = timestampSql?.(field) ?? `TRY_CAST(${text} AS TIMESTAMPTZ)`;
    checks.push({ errorType: "invalid_partition_key", failsWhen: `${timestamp} IS NULL`, message: `'${field}: expected a timestamp, got ' || ${described(text)}` });
  }
  return { keyValues, timestamp, checks };
}
