// Renders a query result for people and for other programs: an aligned text table, JSON (an array of
// objects) or CSV (RFC 4180).
import type { JsonValue, QueryResult } from "./query-result.js";

export type ResultFormat = "table" | "json" | "csv";
export const RESULT_FORMATS: readonly ResultFormat[] = ["table", "json", "csv"];

/** A cell wider than this is cut in the table format; json and csv keep everything. */
const MAX_TABLE_CELL_CHARS = 80;

export function formatResult(result: QueryResult, format: ResultFormat): string {
  switch (format) {
    case "table":
      return formatTable(result);
    case "json":
      return `${JSON.stringify(toRowObjects(result), null, 2)}\n`;
    case "csv":
      return formatCsv(result);
  }
}

/**
 * Rows as objects keyed by column name. Repeated names get a suffix (`id`, `id_1`), so no value is lost
 * when a query selects two columns of the same name.
 */
export function toRowObjects(result: QueryResult): Array<Record<string, JsonValue>> {
  const seen = new Map<string, number>();
  const keys = result.columns.map(({ name }) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}_${count}`;
  });
  return result.rows.map((row) => Object.fromEntries(keys.map((key, i) => [key, row[i] ?? null])));
}

function formatTable(result: QueryResult): string {
  const header = result.columns.map((column) => column.name);
  const numeric = result.columns.map((column) => isNumericType(column.type));
  const cells = result.rows.map((row) => result.columns.map((_, i) => truncate(cellText(row[i] ?? null, "NULL"))));
  const widths = header.map((name, i) => Math.max(name.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values.map((value, i) => (numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join(" | ").trimEnd();
  const count = `(${result.rows.length} ${result.rows.length === 1 ? "row" : "rows"})`;
  if (header.length === 0) return `${count}\n`;
  return [line(header), widths.map((width) => "-".repeat(width)).join("-+-"), ...cells.map(line), count].join("\n") + "\n";
}

function formatCsv(result: QueryResult): string {
  const lines = [result.columns.map((column) => csvField(column.name))];
  for (const row of result.rows) lines.push(result.columns.map((_, i) => csvField(cellText(row[i] ?? null, ""))));
  return lines.map((fields) => fields.join(",")).join("\n") + "\n";
}

function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cellText(value: JsonValue, nullText: string): string {
  if (value === null) return nullText;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function truncate(text: string): string {
  const oneLine = text.replace(/\r?\n/g, "\\n");
  return oneLine.length > MAX_TABLE_CELL_CHARS ? `${oneLine.slice(0, MAX_TABLE_CELL_CHARS - 1)}…` : oneLine;
}

function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(type);
}
