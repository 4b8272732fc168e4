// The statement gate: the second layer of the sandbox. DuckDB's settings keep files outside the lake out
// of reach, but inside the lake DuckDB would let COPY TO write, and EXPLAIN ANALYZE runs whatever it
// explains (`EXPLAIN ANALYZE COPY … TO …` writes a file; `EXPLAIN ANALYZE DROP VIEW orders` drops a
// view). So a user's text runs only when DuckDB's own parser reads it as exactly one query, or as
// EXPLAIN of one. The check parses without binding: binding a scan lists the table's files, which is
// most of a small query's time, and the statement is bound once more when it runs.
import type { DuckDBConnection } from "@duckdb/node-api";
import { ValidationError } from "../errors/index.js";
import { quoteSqlString } from "../lake/index.js";
import { sqlPart, withSqlErrors } from "./sql-error.js";
import { peek, readKeyword, readWord, skipParenthesized } from "./sql-text.js";

export interface GateOptions {
  /** the whole text the user wrote, when `sql` is a part of it (CTAS checks its query part) */
  userSql?: string;
  /** where `sql` starts inside userSql, for error positions */
  sqlOffset?: number;
  /** refuse EXPLAIN too: CTAS needs a query that yields rows to write */
  queryOnly?: boolean;
}

/**
 * Returns the parse tree of the query when `sql` is exactly one query (SELECT, FROM …, WITH, VALUES,
 * TABLE, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN [ANALYZE] of one (then the explained query's tree); throws
 * a ValidationError, or a SqlError for text DuckDB cannot parse, otherwise.
 */
export async function requireReadOnly(connection: DuckDBConnection, sql: string, options: GateOptions = {}): Promise<QueryTree> {
  const userSql = options.userSql ?? sql;
  const offset = options.sqlOffset ?? 0;
  await requireOneStatement(connection, sql, userSql, offset);
  const tree = await parseQueryTree(connection, sql);
  if (tree !== undefined) return tree;

  const explained = options.queryOnly ? undefined : explainedStatementStart(sql);
  if (explained !== undefined) {
    const inner = sql.slice(explained);
    await requireOneStatement(connection, inner, userSql, offset + explained);
    const innerTree = await parseQueryTree(connection, inner);
    if (innerTree !== undefined) return innerTree;
    throw new ValidationError(`EXPLAIN may only explain a query over the lake; this explains ${describe(inner)}`, "statement_not_allowed");
  }
  throw new ValidationError(
    options.queryOnly
      ? `CREATE TABLE … AS needs a query (SELECT, WITH, FROM, VALUES); this is ${describe(sql)}`
      : `only queries (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW) and CREATE TABLE … AS SELECT may run over the lake; this is ${describe(sql)}`,
    "statement_not_allowed",
  );
}

async function requireOneStatement(connection: DuckDBConnection, sql: string, userSql: string, offset: number): Promise<void> {
  if (sql.trim() === "") throw new ValidationError("the query is empty", "invalid_query");
  const extracted = await withSqlErrors(sqlPart(userSql, offset, sql), () => connection.extractStatements(sql));
  if (extracted.count === 0) throw new ValidationError("the query is empty", "invalid_query");
  if (extracted.count > 1) throw new ValidationError(`run one statement at a time; got ${extracted.count}`, "multiple_statements");
}

/** DuckDB's parse tree of a query, as JSON; what referencedTables reads. */
export type QueryTree = unknown;

/**
 * The parse tree when DuckDB's parser reads `sql` as one query statement, else undefined: its JSON
 * serializer takes query statements and nothing else.
 */
export async function parseQueryTree(connection: DuckDBConnection, sql: string): Promise<QueryTree | undefined> {
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${quoteSqlString(sql)})`);
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0])) as { error: boolean; statements?: unknown[] };
  return !parsed.error && parsed.statements?.length === 1 ? parsed.statements[0] : undefined;
}

/** Index where the explained statement starts in `EXPLAIN [ANALYZE] [(options)] statement`. */
export function explainedStatementStart(sql: string): number | undefined {
  let at = readKeyword(sql, 0, "EXPLAIN");
  if (at === undefined) return undefined;
  at = readKeyword(sql, at, "ANALYZE") ?? readKeyword(sql, at, "ANALYSE") ?? at;
  const next = peek(sql, at);
  if (next.char === "(") {
    const end = skipParenthesized(sql, next.at);
    if (end === undefined) return undefined;
    // `EXPLAIN (FORMAT json) SELECT …` has options in parentheses; `EXPLAIN (SELECT 1)` a query.
    const after = peek(sql, end).at;
    if (after < sql.length) return after;
  }
  return next.at;
}

/** "a COPY statement", from the statement's first word. */
function describe(sql: string): string {
  const word = readWord(sql, 0);
  return word ? `a ${word.text.toUpperCase()} statement` : "not a query";
}
