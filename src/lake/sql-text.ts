// Quoting for the SQL the lake generates: every name and value that goes into DuckDB SQL passes here.

export function quoteSqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A JSON scalar as a DuckDB literal: strings quoted, numbers and booleans as they are. */
export function sqlLiteral(value: string | number | boolean): string {
  return typeof value === "string" ? quoteSqlString(value) : String(value);
}
