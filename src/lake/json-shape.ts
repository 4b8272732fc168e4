// The structure DuckDB's json_transform extracts from a record in one parse: nested objects down to leaves
// of a DuckDB type. Several readers (table columns, partition keys, the timestamp field) add the paths they
// need to one shape, so each record is parsed once however many fields are read.
import { quoteIdentifier, quoteSqlString } from "./sql-text.js";

export type JsonShape = { [field: string]: JsonShape | JsonLeaf | [JsonShape] };
/** A DuckDB type name: "VARCHAR" keeps any JSON value as text, "JSON" keeps it as JSON. */
export type JsonLeaf = string;

export class ShapeConflictError extends Error {}

/**
 * Adds `path` with a leaf of `type` to `shape` and returns the SQL that reads it from `relation` (the
 * json_transform result). Fails when the path runs through a leaf or onto an object.
 */
export function addPath(shape: JsonShape, relation: string, path: readonly string[], type: JsonLeaf): string {
  let node = shape;
  let sql = relation;
  for (const [depth, field] of path.entries()) {
    const last = depth === path.length - 1;
    const existing = node[field];
    sql += `.${quoteIdentifier(field)}`;
    if (last) {
      if (existing !== undefined && existing !== type) throw new ShapeConflictError(`${path.join(".")} is already read as ${describe(existing)}`);
      node[field] = type;
      return sql;
    }
    if (existing === undefined) node[field] = {};
    const next = node[field];
    if (typeof next !== "object" || Array.isArray(next)) throw new ShapeConflictError(`${path.slice(0, depth + 1).join(".")} is read as ${describe(next!)}`);
    node = next;
  }
  throw new ShapeConflictError("an empty path");
}

function describe(node: JsonShape | JsonLeaf | [JsonShape]): string {
  return typeof node === "string" ? node : Array.isArray(node) ? "a list" : "an object";
}

/** The shape as a DuckDB type, for a reader that parses records into it (read_json's columns). */
export function shapeType(shape: JsonShape): string {
  const members = Object.entries(shape).map(([field, node]) => `${quoteIdentifier(field)} ${nodeType(node)}`);
  return `STRUCT(${members.join(", ")})`;
}

function nodeType(node: JsonShape | JsonLeaf | [JsonShape]): string {
  if (typeof node === "string") return node;
  if (Array.isArray(node)) return `${shapeType(node[0])}[]`;
  return shapeType(node);
}

/** The shape as json_transform's structure argument. */
export function shapeLiteral(shape: JsonShape): string {
  return quoteSqlString(JSON.stringify(shape));
}
