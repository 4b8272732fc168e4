// A query result in Athena's ResultSet shape: ColumnInfo with Athena's (Trino's) type names, precision and
// scale, and rows of VarCharValue text as Athena renders values (timestamps `2026-01-31 12:00:00.000`,
// arrays `[1, 2]`, rows and maps `{a=1, b=2}`, NULL as a datum without VarCharValue).
import type { JsonValue, ResultColumn } from "../../analytics/index.js";

export interface AthenaColumnInfo {
  CatalogName: string;
  SchemaName: string;
  TableName: string;
  Name: string;
  Label: string;
  Type: string;
  Precision: number;
  Scale: number;
  Nullable: "UNKNOWN";
  CaseSensitive: boolean;
}

export interface AthenaDatum {
  VarCharValue?: string;
}

interface AthenaType {
  type: string;
  precision: number;
  scale: number;
}

const SIMPLE_TYPES: Record<string, AthenaType> = {
  VARCHAR: { type: "varchar", precision: 2147483647, scale: 0 },
  BOOLEAN: { type: "boolean", precision: 0, scale: 0 },
  TINYINT: { type: "tinyint", precision: 3, scale: 0 },
  SMALLINT: { type: "smallint", precision: 5, scale: 0 },
  INTEGER: { type: "integer", precision: 10, scale: 0 },
  BIGINT: { type: "bigint", precision: 19, scale: 0 },
  UTINYINT: { type: "smallint", precision: 5, scale: 0 },
  USMALLINT: { type: "integer", precision: 10, scale: 0 },
  UINTEGER: { type: "bigint", precision: 19, scale: 0 },
  UBIGINT: { type: "decimal", precision: 20, scale: 0 },
  HUGEINT: { type: "decimal", precision: 38, scale: 0 },
  UHUGEINT: { type: "decimal", precision: 38, scale: 0 },
  FLOAT: { type: "real", precision: 7, scale: 0 },
  DOUBLE: { type: "double", precision: 17, scale: 0 },
  DATE: { type: "date", precision: 0, scale: 0 },
  TIME: { type: "time", precision: 3, scale: 0 },
  TIMESTAMP: { type: "timestamp", precision: 3, scale: 0 },
  TIMESTAMP_S: { type: "timestamp", precision: 3, scale: 0 },
  TIMESTAMP_MS: { type: "timestamp", precision: 3, scale: 0 },
  TIMESTAMP_NS: { type: "timestamp", precision: 3, scale: 0 },
  "TIMESTAMP WITH TIME ZONE": { type: "timestamp with time zone", precision: 3, scale: 0 },
  BLOB: { type: "varbinary", precision: 1073741824, scale: 0 },
  UUID: { type: "uuid", precision: 0, scale: 0 },
  INTERVAL: { type: "interval day to second", precision: 0, scale: 0 },
  JSON: { type: "json", precision: 0, scale: 0 },
};

/** Athena's type for a DuckDB type: DECIMAL(18,2) → decimal 18 2, INTEGER[] → array, STRUCT(…) → row. */
export function athenaTypeOf(duckdbType: string): AthenaType {
  const type = duckdbType.trim().toUpperCase();
  const simple = SIMPLE_TYPES[type];
  if (simple) return simple;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return { type: "decimal", precision: Number(decimal[1]), scale: Number(decimal[2]) };
  if (/\[\d*\]$/.test(type)) return { type: "array", precision: 0, scale: 0 };
  if (type.startsWith("STRUCT")) return { type: "row", precision: 0, scale: 0 };
  if (type.startsWith("MAP")) return { type: "map", precision: 0, scale: 0 };
  if (type === '"NULL"' || type === "NULL") return { type: "unknown", precision: 0, scale: 0 };
  // ENUM, BIT, UNION, …: their text form.
  return { type: "varchar", precision: 2147483647, scale: 0 };
}

export function columnInfoOf(columns: readonly ResultColumn[]): AthenaColumnInfo[] {
  return columns.map((column) => {
    const { type, precision, scale } = athenaTypeOf(column.type);
    return {
      CatalogName: "hive",
      SchemaName: "",
      TableName: "",
      Name: column.name,
      Label: column.name,
      Type: type,
      Precision: precision,
      Scale: scale,
      Nullable: "UNKNOWN",
      CaseSensitive: type === "varchar",
    };
  });
}

/** Nested values as Trino prints them: no quotes, `[a, b]`, `{k=v}`. */
function nestedText(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(nestedText).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([key, member]) => `${key}=${nestedText(member)}`).join(", ")}}`;
  return String(value);
}

/** One value as Athena's VarCharValue. */
export function datumOf(value: JsonValue, column: AthenaColumnInfo): AthenaDatum {
  if (value === null) return {};
  if (typeof value === "string") {
    if (column.Type === "timestamp") return { VarCharValue: value.replace("T", " ").replace(/Z$/, "") };
    if (column.Type === "timestamp with time zone") return { VarCharValue: `${value.replace("T", " ").replace(/Z$/, "")} UTC` };
    return { VarCharValue: value };
  }
  // A DECIMAL arrives as a number while it is exact: Athena prints its scale's digits.
  if (typeof value === "number" && column.Type === "decimal" && column.Scale > 0) return { VarCharValue: value.toFixed(column.Scale) };
  if (typeof value === "number" || typeof value === "boolean") return { VarCharValue: String(value) };
  return { VarCharValue: nestedText(value) };
}

/** The header row Athena puts first in a SELECT's results: the column labels. */
export function headerRowOf(columns: readonly AthenaColumnInfo[]): { Data: AthenaDatum[] } {
  return { Data: columns.map((column) => ({ VarCharValue: column.Label })) };
}

export function rowOf(values: readonly JsonValue[], columns: readonly AthenaColumnInfo[]): { Data: AthenaDatum[] } {
  return { Data: values.map((value, i) => datumOf(value, columns[i]!)) };
}
