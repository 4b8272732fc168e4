// DuckDB's errors, made structured: the engine runs with `errors_as_json`, so each error arrives as
// {"exception_type": …, "exception_message": …, "position": …}. A SQL mistake becomes a SqlError with
// DuckDB's message and, where DuckDB gives one, the line and column it points at; an interrupted query
// becomes QueryCancelledError.
import { ShopstreamError, ValidationError } from "../errors/index.js";

export interface SqlPosition {
  /** 0-based character offset into the SQL text */
  offset: number;
  /** 1-based */
  line: number;
  /** 1-based, in characters */
  column: number;
}

/** A statement DuckDB refused: a syntax, name, type or permission error in what the user wrote. */
export class SqlError extends ValidationError {
  /** DuckDB's error class: "Parser", "Binder", "Catalog", "Conversion", "Permission", … */
  readonly errorType: string;
  readonly position: SqlPosition | undefined;

  constructor(message: string, errorType: string, position: SqlPosition | undefined, options?: { cause?: unknown }) {
    super(message, "invalid_query", options);
    this.errorType = errorType;
    this.position = position;
  }
}

/** The query was stopped on request (cancel, timeout or shutdown) before it finished. */
export class QueryCancelledError extends ShopstreamError {
  constructor(message = "the query was cancelled") {
    super("query_cancelled", 409, message);
  }
}

interface DuckDbErrorInfo {
  type: string;
  message: string;
  /** byte offset into the statement DuckDB was given */
  byteOffset?: number;
}

/** DuckDB's error fields, from a JSON error (some are prefixed, e.g. `Parser Error: {…}`) or plain text. */
function parseDuckDbError(text: string): DuckDbErrorInfo {
  const brace = text.indexOf("{");
  if (brace >= 0) {
    try {
      const fields = JSON.parse(text.slice(brace)) as Record<string, unknown>;
      if (typeof fields["exception_type"] === "string" && typeof fields["exception_message"] === "string") {
        const position = Number(fields["position"]);
        return {
          type: fields["exception_type"],
          message: fields["exception_message"],
          ...(fields["position"] !== undefined && Number.isSafeInteger(position) && { byteOffset: position }),
        };
      }
    } catch {
      // Not JSON after all: plain text that happens to hold a brace.
    }
  }
  const typed = /^([A-Za-z ]+?) Error: ([\s\S]*)$/.exec(text);
  return typed ? { type: typed[1]!, message: typed[2]! } : { type: "Unknown", message: text };
}

/**
 * The text DuckDB was given and where it sits in the text the user wrote, so that an error's position
 * points into what the user sees. The two differ when shopstream runs a part of the user's statement (the
 * query of a CTAS), or wraps it (inside COPY ( … ) TO).
 */
export interface SqlSource {
  userSql: string;
  executedSql: string;
  /** where the user's text lies in executedSql: [start, end) */
  userStart: number;
  userEnd: number;
  /** the index in userSql of executedSql[userStart] */
  userOffset: number;
}

/** The user's text, run as it is. */
export function sqlSource(sql: string): SqlSource {
  return { userSql: sql, executedSql: sql, userStart: 0, userEnd: sql.length, userOffset: 0 };
}

/** A part of the user's text, starting at `offset`, run on its own. */
export function sqlPart(userSql: string, offset: number, part: string): SqlSource {
  return { userSql, executedSql: part, userStart: 0, userEnd: part.length, userOffset: offset };
}

/**
 * Turns what DuckDB threw into a typed error. With a `source`, a position DuckDB gives inside the user's
 * text is mapped into it; without one (an error in SQL shopstream wrote, such as a view's), there is none.
 */
export function toSqlError(error: unknown, source?: SqlSource): Error {
  if (error instanceof ShopstreamError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const info = parseDuckDbError(text);
  if (info.type.toUpperCase() === "INTERRUPT") return new QueryCancelledError();
  let position: SqlPosition | undefined;
  if (source && info.byteOffset !== undefined) {
    // DuckDB counts bytes of UTF-8; JavaScript strings count UTF-16 units.
    const index = Buffer.from(source.executedSql, "utf8").subarray(0, info.byteOffset).toString("utf8").length;
    if (index >= source.userStart && index <= source.userEnd) position = positionAt(source.userSql, source.userOffset + index - source.userStart);
  }
  return new SqlError(`${info.type} Error: ${oneLine(info.message)}`, info.type, position, { cause: error });
}

/** Runs `work` against DuckDB, rethrowing its errors as toSqlError does. */
export async function withSqlErrors<T>(source: SqlSource | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toSqlError(error, source);
  }
}

function positionAt(sql: string, offset: number): SqlPosition {
  const before = sql.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { offset, line: before.split("\n").length, column: [...before.slice(lineStart)].length + 1 };
}

/**
 * DuckDB's message on one line: its lines say what is wrong and what was meant ("… Did you mean
 * "orders"?"); the LINE excerpt with a caret is left to clients, which get the position instead.
 */
function oneLine(message: string): string {
  const lines = message.split("\n").map((line) => line.trim());
  const excerpt = lines.findIndex((line) => /^LINE \d+:/.test(line));
  return (excerpt < 0 ? lines : lines.slice(0, excerpt)).filter((line) => line !== "").join(" ");
}
