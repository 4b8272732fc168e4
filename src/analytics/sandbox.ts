// Locks the analytics DuckDB down to reading the lake. Two layers: DuckDB's own configuration (no file
// system outside the lake, no extensions, configuration frozen) and a statement gate that runs only
// read-only statements, since DuckDB would otherwise let COPY TO write inside an allowed directory.
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from "@duckdb/node-api";
import { ValidationError } from "../errors/index.js";
import { quoteSqlString } from "../lake/index.js";

/** Statements that only read: queries (SELECT, FROM …, WITH, DESCRIBE, SHOW, SUMMARIZE) and EXPLAIN. */
const READ_ONLY = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/**
 * Applies the sandbox to the whole database. Runs once, before any user query; afterwards no SET can undo
 * it. `lakeDir` must be absolute.
 */
export async function lockDown(connection: DuckDBConnection, lakeDir: string): Promise<void> {
  // The trailing slash keeps a sibling like "<lakeDir>-private" out: DuckDB matches directories by prefix.
  const allowed = lakeDir.endsWith("/") ? lakeDir : `${lakeDir}/`;
  for (const statement of [
    "SET GLOBAL TimeZone = 'UTC'",
    `SET GLOBAL allowed_directories = [${quoteSqlString(allowed)}]`,
    "SET GLOBAL enable_external_access = false",
    "SET GLOBAL autoinstall_known_extensions = false",
    "SET GLOBAL autoload_known_extensions = false",
    "SET GLOBAL lock_configuration = true",
  ]) {
    await connection.run(statement);
  }
}

/** Prepares `sql` if it is exactly one read-only statement; a ValidationError otherwise. */
export async function prepareReadOnly(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  if (sql.trim() === "") throw new ValidationError("the query is empty", "invalid_query");
  const extracted = await asValidationError(() => connection.extractStatements(sql));
  if (extracted.count !== 1) {
    throw new ValidationError(
      extracted.count === 0 ? "the query is empty" : `run one statement at a time; got ${extracted.count}`,
      "invalid_query",
    );
  }
  const prepared = await asValidationError(() => extracted.prepare(0));
  if (!READ_ONLY.has(prepared.statementType)) {
    const kind = StatementType[prepared.statementType] ?? String(prepared.statementType);
    prepared.destroySync();
    throw new ValidationError(`only read-only queries (SELECT, EXPLAIN) may run over the lake; this is a ${kind} statement`, "statement_not_allowed");
  }
  return prepared;
}

/** Runs `work`, turning DuckDB's errors (parse, bind, catalog, permission…) into ValidationErrors. */
export async function asValidationError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(oneLine(error instanceof Error ? error.message : String(error)), "invalid_query", { cause: error });
  }
}

/**
 * DuckDB's message on one line: its first lines say what is wrong ("Catalog Error: … Did you mean
 * "orders"?"); the "LINE 1: …" excerpt with a caret under it only reads well on a terminal of its own.
 */
function oneLine(message: string): string {
  const lines = message.split("\n").map((line) => line.trim());
  const excerpt = lines.findIndex((line) => /^LINE \d+:/.test(line));
  return (excerpt < 0 ? lines : lines.slice(0, excerpt)).filter((line) => line !== "").join(" ");
}
