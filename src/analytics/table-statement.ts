// Reads the two statements that change the catalog, in Athena's dialect: CREATE TABLE … [WITH (…)] AS
// query (CTAS, the only way to write into the lake) and DROP TABLE of a table CTAS made. DuckDB's parser
// does not know Athena's WITH (format = 'PARQUET', partitioned_by = ARRAY['dt']) clause, so the head is
// read here and the query part goes to DuckDB on its own.
import { ValidationError } from "../errors/index.js";
import { peek, readKeyword, readStringLiteral, readWord, skipTrivia } from "./sql-text.js";

export type ParquetWriteCompression = "zstd" | "snappy" | "gzip" | "uncompressed";

export interface CreateTableAs {
  kind: "create_table_as";
  table: string;
  ifNotExists: boolean;
  partitionedBy: string[];
  compression: ParquetWriteCompression;
  /** the query, as written */
  query: string;
  /** where the query starts in the statement, for error positions */
  queryOffset: number;
}

export interface DropTable {
  kind: "drop_table";
  table: string;
  ifExists: boolean;
}

export type TableStatement = CreateTableAs | DropTable;

/** Athena's and Glue's rule for table names: lower case letters, digits and underscores. */
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,127}$/;

const COMPRESSIONS: Record<string, ParquetWriteCompression> = {
  ZSTD: "zstd",
  SNAPPY: "snappy",
  GZIP: "gzip",
  NONE: "uncompressed",
  UNCOMPRESSED: "uncompressed",
};

/**
 * The statement when it is CREATE TABLE or DROP TABLE; undefined for anything else (which then goes
 * through the statement gate). A CREATE TABLE that is not CTAS is a ValidationError here.
 */
export function parseTableStatement(sql: string): TableStatement | undefined {
  const create = readKeyword(sql, 0, "CREATE");
  if (create !== undefined) {
    const table = readKeyword(sql, create, "TABLE");
    return table === undefined ? undefined : parseCreateTable(sql, table);
  }
  const drop = readKeyword(sql, 0, "DROP");
  if (drop !== undefined) {
    const table = readKeyword(sql, drop, "TABLE");
    return table === undefined ? undefined : parseDropTable(sql, table);
  }
  return undefined;
}

function parseCreateTable(sql: string, from: number): CreateTableAs {
  let at = from;
  let ifNotExists = false;
  const ifKeyword = readKeyword(sql, at, "IF");
  if (ifKeyword !== undefined) {
    const not = readKeyword(sql, ifKeyword, "NOT");
    const exists = not === undefined ? undefined : readKeyword(sql, not, "EXISTS");
    if (exists === undefined) throw syntax("expected IF NOT EXISTS");
    ifNotExists = true;
    at = exists;
  }
  const name = readTableName(sql, at);
  at = name.end;
  let partitionedBy: string[] = [];
  let compression: ParquetWriteCompression = "zstd";
  const withKeyword = readKeyword(sql, at, "WITH");
  if (withKeyword !== undefined) {
    const properties = readProperties(sql, withKeyword);
    partitionedBy = properties.partitionedBy;
    compression = properties.compression;
    at = properties.end;
  }
  const as = readKeyword(sql, at, "AS");
  if (as === undefined) {
    throw new ValidationError(
      "only CREATE TABLE … AS SELECT … (CTAS) may create a table over the lake: CREATE TABLE name [WITH (format = 'PARQUET', partitioned_by = ARRAY['col'])] AS query",
      "statement_not_allowed",
    );
  }
  const queryOffset = skipTrivia(sql, as);
  let query = sql.slice(queryOffset);
  // Athena's optional tail; DuckDB would not parse it as part of the query.
  const tail = /\s+WITH\s+(NO\s+)?DATA\s*;?\s*$/i.exec(query);
  if (tail) {
    if (tail[1]) throw new ValidationError("CREATE TABLE … WITH NO DATA is not supported: CTAS writes the query's rows", "statement_not_allowed");
    query = query.slice(0, tail.index);
  }
  // A trailing semicolon ends the statement; the query runs inside COPY ( … ), where it may not.
  query = query.replace(/;\s*$/, "");
  if (query.trim() === "") throw syntax("expected a query after AS");
  return { kind: "create_table_as", table: name.table, ifNotExists, partitionedBy, compression, query, queryOffset };
}

function parseDropTable(sql: string, from: number): DropTable {
  let at = from;
  let ifExists = false;
  const ifKeyword = readKeyword(sql, at, "IF");
  if (ifKeyword !== undefined) {
    const exists = readKeyword(sql, ifKeyword, "EXISTS");
    if (exists === undefined) throw syntax("expected IF EXISTS");
    ifExists = true;
    at = exists;
  }
  const name = readTableName(sql, at);
  const rest = peek(sql, name.end);
  if (rest.char !== undefined && !(rest.char === ";" && skipTrivia(sql, rest.at + 1) === sql.length)) {
    throw syntax(`unexpected text after DROP TABLE ${name.table}`);
  }
  return { kind: "drop_table", table: name.table, ifExists };
}

function readTableName(sql: string, from: number): { table: string; end: number } {
  const word = readWord(sql, from);
  if (!word) throw syntax("expected a table name");
  const table = word.quoted ? word.text : word.text.toLowerCase();
  if (peek(sql, word.end).char === ".") {
    throw new ValidationError(`use an unqualified table name: the lake has one database (got ${table}.…)`, "invalid_table_name");
  }
  if (!TABLE_NAME.test(table)) {
    throw new ValidationError(`table names are lower case letters, digits and underscores, starting with a letter or _ (got ${JSON.stringify(table)})`, "invalid_table_name");
  }
  return { table, end: word.end };
}

/** Athena's table properties: `WITH ( key = value [, …] )`. */
function readProperties(sql: string, from: number): { partitionedBy: string[]; compression: ParquetWriteCompression; end: number } {
  const open = peek(sql, from);
  let at = open.at;
  if (open.char !== "(") throw syntax("expected ( after WITH");
  let partitionedBy: string[] = [];
  let compression: ParquetWriteCompression = "zstd";
  at++;
  for (;;) {
    const key = readWord(sql, at);
    if (!key) throw syntax("expected a table property name");
    const equals = peek(sql, key.end);
    if (equals.char !== "=") throw syntax(`expected = after ${key.text}`);
    const name = key.text.toLowerCase();
    if (name === "format") {
      const value = readStringLiteral(sql, equals.at + 1);
      if (!value) throw syntax("format takes a string, e.g. format = 'PARQUET'");
      if (value.value.toUpperCase() !== "PARQUET") throw new ValidationError(`CTAS writes Parquet only (format = 'PARQUET'); got '${value.value}'`, "unsupported_property");
      at = value.end;
    } else if (name === "write_compression" || name === "parquet_compression") {
      const value = readStringLiteral(sql, equals.at + 1);
      const chosen = value && COMPRESSIONS[value.value.toUpperCase()];
      if (!value || !chosen) throw new ValidationError(`${name} is one of ${Object.keys(COMPRESSIONS).join(", ")}`, "unsupported_property");
      compression = chosen;
      at = value.end;
    } else if (name === "partitioned_by") {
      const list = readStringArray(sql, equals.at + 1);
      partitionedBy = list.values;
      at = list.end;
    } else if (name === "external_location") {
      throw new ValidationError("CTAS tables live under the lake's ctas/<table>/ prefix; external_location cannot be set", "unsupported_property");
    } else {
      throw new ValidationError(`unsupported table property ${key.text}: use format, partitioned_by or write_compression`, "unsupported_property");
    }
    const next = peek(sql, at);
    if (next.char === ",") {
      at = next.at + 1;
    } else if (next.char === ")") {
      return { partitionedBy, compression, end: next.at + 1 };
    } else {
      throw syntax("expected , or ) in the table properties");
    }
  }
}

/** `ARRAY['a', 'b']` */
function readStringArray(sql: string, from: number): { values: string[]; end: number } {
  const array = readKeyword(sql, from, "ARRAY");
  const open = array === undefined ? undefined : peek(sql, array);
  if (!open || open.char !== "[") throw syntax("partitioned_by takes ARRAY['column', …]");
  const values: string[] = [];
  let at = open.at + 1;
  if (peek(sql, at).char === "]") return { values, end: peek(sql, at).at + 1 };
  for (;;) {
    const value = readStringLiteral(sql, at);
    if (!value) throw syntax("partitioned_by takes column names as strings: ARRAY['dt', 'region']");
    values.push(value.value);
    const next = peek(sql, value.end);
    if (next.char === "]") return { values, end: next.at + 1 };
    if (next.char !== ",") throw syntax("expected , or ] in partitioned_by");
    at = next.at + 1;
  }
}

function syntax(message: string): ValidationError {
  return new ValidationError(`CREATE/DROP TABLE: ${message}`, "invalid_query");
}
