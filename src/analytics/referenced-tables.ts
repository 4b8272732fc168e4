// The tables and views a query names, read from DuckDB's parse tree: the catalog brings exactly those up to
// date with the lake's files before the query runs, instead of every table for every query.
import type { QueryTree } from "./statement-gate.js";

/** Every name the query reads FROM (or DESCRIBEs), lower case as DuckDB resolves them; CTE names included. */
export function referencedTables(tree: QueryTree): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if ((record["type"] === "BASE_TABLE" || record["type"] === "SHOW_REF") && typeof record["table_name"] === "string") {
      const name = unquote(record["table_name"]);
      if (name !== "") names.add(name.toLowerCase());
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(tree);
  return names;
}

/** SHOW keeps its name quoted ("tables"); FROM does not. */
function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') && name.length >= 2 ? name.slice(1, -1).replaceAll('""', '"') : name;
}
