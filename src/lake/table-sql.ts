// DuckDB SQL generated from the table definitions: the SELECT that turns curated records into a table's
// rows (delivery), and the scans that read a table back from the lake (analytics). Keeping both here keeps
// the lake's layout and its types in one place.
import { LAKE_DATA_PREFIX } from "./object-names.js";
import type { ColumnValue, LakeColumn, LakeTable } from "./tables.js";

export function quoteSqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The rows of `table` from `relation`, a relation of curated records (one column per field of
 * CURATED_RECORD_TYPE) filtered by `where`. Payload and line-item values are read with one json_transform
 * each, into `p` and `line`; validation has already guaranteed that every cast succeeds.
 */
export function selectTableRows(table: LakeTable, relation: string, where: string): string {
  const payloadShape: Record<string, unknown> = {};
  for (const column of table.columns) {
    if (column.value.from === "payload") payloadShape[column.value.field] = column.type;
  }
  const lines = table.lineItems;
  if (lines) payloadShape[lines.field] = [Object.fromEntries(Object.entries(lines.fields).map(([name, spec]) => [name, spec.type]))];
  const payloadStruct = Object.keys(payloadShape).length === 0 ? "NULL" : `json_transform(payload, ${quoteSqlString(JSON.stringify(payloadShape))})`;

  let source = `SELECT *, ${payloadStruct} AS p FROM ${relation} WHERE ${where}`;
  if (table.grain === "line_item") {
    if (!lines) throw new Error(`table ${table.name} has the line_item grain but no lineItems`);
    const lineShape = quoteSqlString(JSON.stringify(Object.fromEntries(Object.entries(lines.fields).map(([name, spec]) => [name, spec.type]))));
    source =
      `SELECT *, json_transform(line_json, ${lineShape}) AS line FROM (` +
      `SELECT *, unnest(lines_json) AS line_json, generate_subscripts(lines_json, 1) AS line_no FROM (` +
      `SELECT *, from_json(json_extract(payload, ${quoteSqlString(`$.${lines.field}`)}), '["JSON"]') AS lines_json FROM (${source})))`;
  }
  const columns = table.columns.map((column) => `CAST(${valueSql(table, column.value)} AS ${column.type}) AS ${quoteIdentifier(column.name)}`);
  return `SELECT ${columns.join(", ")} FROM (${source})`;
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

/** A scan of every Parquet file of a table, with its Hive partition columns typed and prunable. */
export function scanTableFiles(rootDir: string, table: LakeTable): string {
  const hiveTypes = table.partitionColumns.map((column) => `${quoteSqlString(column.name)}: ${column.type}`).join(", ");
  const glob = quoteSqlString(`${tableDirectory(rootDir, table)}/**/*.parquet`);
  return `read_parquet(${glob}, hive_partitioning = true, union_by_name = true, hive_types = {${hiveTypes}})`;
}

/** No rows, but the table's columns and types: what a table with no files yet reads as. */
export function emptyTableRows(table: LakeTable): string {
  const columns = [...table.columns, ...table.partitionColumns].map(
    (column) => `CAST(NULL AS ${column.type}) AS ${quoteIdentifier(column.name)}`,
  );
  return `SELECT ${columns.join(", ")} WHERE false`;
}
