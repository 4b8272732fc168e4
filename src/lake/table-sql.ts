// DuckDB SQL generated from the table definitions: the SELECT that turns a batch of checked curated records
// into a table's rows (delivery), and the scan that reads a table back from the lake (analytics, quality
// checks). Keeping both here keeps the lake's layout and its types in one place.
import { LocalObjectStore } from "./local/local-object-store.js";
import { LAKE_DATA_PREFIX } from "./object-names.js";
import type { ObjectInfo, ObjectStore } from "./object-store.js";
import { objectVisibility } from "./object-visibility.js";
import { quoteIdentifier, quoteSqlString } from "./sql-text.js";
import type { ColumnValue, LakeColumn, LakeColumnType, LakeTable } from "./tables.js";

/**
 * The rows of `table` from `relation`, a batch of curated records that passed their checks (the columns
 * CuratedRecordsSql.selectBatch makes), filtered by `where`. Payload and line-item values are read with
 * one json_transform each, into `p` and `line`; the checks made sure every value fits its column.
 * `keep` names batch columns to carry along (for routing rows to their objects).
 */
export function selectTableRows(table: LakeTable, relation: string, where: string, keep: readonly string[] = []): string {
  const payloadShape: Record<string, unknown> = {};
  for (const column of table.columns) {
    if (column.value.from === "payload") payloadShape[column.value.field] = column.type;
  }
  const lines = table.lineItems;
  const lineShape = lines && Object.fromEntries(Object.entries(lines.fields).map(([name, spec]) => [name, spec.type]));
  if (lines) payloadShape[lines.field] = [lineShape];
  const payloadStruct = Object.keys(payloadShape).length === 0 ? "NULL" : `json_transform(payload, ${quoteSqlString(JSON.stringify(payloadShape))})`;
  let source = `SELECT *, ${payloadStruct} AS p FROM ${relation} WHERE ${where}`;
  if (table.grain === "line_item") {
    if (!lines) throw new Error(`table ${table.name} has the line_item grain but no lineItems`);
    // The typed line and its JSON (for `extra`) unnest side by side: both lists come from the same array.
    const field = quoteIdentifier(lines.field);
    source =
      `SELECT *, unnest(p.${field}) AS line, unnest(from_json(json_extract(payload, ${quoteSqlString(`$.${lines.field}`)}), '["JSON"]')) AS line_json, ` +
      `generate_subscripts(p.${field}, 1) AS line_no FROM (${source})`;
  }
  const columns = table.columns.map((column) => `CAST(${valueSql(table, column.value)} AS ${column.type}) AS ${quoteIdentifier(column.name)}`);
  return `SELECT ${[...columns, ...keep.map(quoteIdentifier)].join(", ")} FROM (${source})`;
}

function valueSql(table: LakeTable, value: ColumnValue): string {
  switch (value.from) {
    case "envelope":
      return quoteIdentifier(value.field);
    case "payload":
      return `p.${quoteIdentifier(value.field)}`;
    case "store":
    case "product":
      return `${value.from}.${quoteIdentifier(value.field)}`;
    case "line":
      return `line.${quoteIdentifier(value.field)}`;
    case "line_number":
      return "line_no";
    case "sql":
      return `(${value.expression})`;
    case "extra": {
      // RFC 7396 merge patch: a null in the patch removes that key, leaving the fields no column took.
      const known = table.grain === "line_item" ? Object.keys(table.lineItems?.fields ?? {}) : knownPayloadFields(table);
      const patch = quoteSqlString(JSON.stringify(Object.fromEntries(known.map((field) => [field, null]))));
      return `NULLIF(json_merge_patch(${table.grain === "line_item" ? "line_json" : "payload"}, ${patch}), '{}')`;
    }
  }
}

/** Payload fields that some column of the table stores (line items count: their table has them). */
function knownPayloadFields(table: LakeTable): string[] {
  const fields = table.columns.flatMap((column: LakeColumn) => (column.value.from === "payload" ? [column.value.field] : []));
  if (table.lineItems) fields.push(table.lineItems.field);
  return fields;
}

/** Where a table's Parquet objects live under the lake root, e.g. `<root>/curated/orders`. */
export function tableDirectory(rootDir: string, table: LakeTable): string {
  return `${rootDir.replace(/\/+$/, "")}/${LAKE_DATA_PREFIX}/${table.name}`;
}

/** What a scan needs of a lake: its objects, and where DuckDB reads each (a local path, or a URL httpfs reads). */
export type LakeFiles = Pick<ObjectStore, "list" | "locate">;

/**
 * What a query reads for `table` right now: a read_parquet over the table's visible objects (compaction's
 * merged sources left out, object-visibility.ts), with its Hive partition columns typed and prunable; or,
 * while the table has no objects, a relation with its columns and no rows. The list is taken at the call,
 * so a caller asks again for each query: that is how new objects show up and merged ones drop out.
 * `lake` is a directory DuckDB reads in place (a local lake, or an S3 lake's mirror), or any object store
 * whose locate() DuckDB can read.
 */
export async function scanTableFiles(lake: string | LakeFiles, table: LakeTable): Promise<string> {
  const store = typeof lake === "string" ? new LocalObjectStore(lake) : lake;
  const objects: ObjectInfo[] = [];
  for await (const object of store.list(`${LAKE_DATA_PREFIX}/${table.name}/`)) if (object.key.endsWith(".parquet")) objects.push(object);
  const { visible } = objectVisibility(objects);
  if (visible.length === 0) return `(${emptyTableRows(table)})`;
  const files = visible.map((object) => quoteSqlString(store.locate(object.key)));
  // DuckDB refuses a type for a partition column that no path has, e.g. before the first event of a type.
  const partitionNames = new Set(visible.flatMap((object) => object.key.split("/").flatMap((segment) => (segment.includes("=") ? [segment.split("=")[0]] : []))));
  const hiveTypes = table.partitionColumns
    .filter((column) => partitionNames.has(column.name))
    .map((column) => `${quoteSqlString(column.name)}: ${column.type}`);
  const typed = hiveTypes.length === 0 ? "" : `, hive_types = {${hiveTypes.join(", ")}}`;
  return `read_parquet([${files.join(", ")}], hive_partitioning = true, union_by_name = true${typed})`;
}

/** No rows, but the table's columns and types (partition columns included). */
export function emptyTableRows(table: LakeTable): string {
  const columns: Array<{ name: string; type: LakeColumnType }> = [...table.columns, ...table.partitionColumns];
  return `SELECT ${columns.map((column) => `CAST(NULL AS ${column.type}) AS ${quoteIdentifier(column.name)}`).join(", ")} WHERE false`;
}
