// Statements over many rows at once: one multi-row INSERT (or one IN list) per chunk instead of one
// statement per row, which is most of the cost of a batch. Chunk sizes are powers of two, so a handful of
// statement texts cover every batch size: the store prepares and caches each text once.
import type { SqlExecutor, SqlValue } from "../store/index.js";

/** Keeps statements well under SQLite's 32766 and PostgreSQL's 65535 bound parameters. */
const MAX_ROWS_PER_STATEMENT = 256;

/** Splits `items` into runs of 256, 128, …, 1 items, in order. */
export function powerOfTwoChunks<T>(items: readonly T[], maxSize = MAX_ROWS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  let size = maxSize;
  for (let offset = 0; offset < items.length; offset += size) {
    while (size > items.length - offset) size /= 2;
    chunks.push(items.slice(offset, offset + size));
  }
  return chunks;
}

export interface MultiRowInsert {
  /** the head, e.g. "INSERT INTO t (a, b)" */
  into: string;
  columnCount: number;
  /** what follows VALUES, e.g. "ON CONFLICT (a) DO UPDATE SET b = excluded.b" */
  onConflict: string;
}

/** Statement texts by statement and row count: built once, and the store finds its prepared statement by them. */
const insertTexts = new WeakMap<MultiRowInsert, Map<number, string>>();

function insertText(statement: MultiRowInsert, rowCount: number): string {
  let texts = insertTexts.get(statement);
  if (texts === undefined) insertTexts.set(statement, (texts = new Map()));
  let text = texts.get(rowCount);
  if (text === undefined) {
    const row = `(${new Array<string>(statement.columnCount).fill("?").join(", ")})`;
    text = `${statement.into} VALUES ${new Array<string>(rowCount).fill(row).join(", ")} ${statement.onConflict}`;
    texts.set(rowCount, text);
  }
  return text;
}

/** Inserts (or upserts) rows; a statement may not touch one key twice, so callers merge rows by key first. */
export async function insertRows(tx: SqlExecutor, statement: MultiRowInsert, rows: readonly SqlValue[][]): Promise<void> {
  for (const chunk of powerOfTwoChunks(rows)) await tx.run(insertText(statement, chunk.length), chunk.flat());
}

/** As insertRows, with a RETURNING clause in `onConflict`: the rows it returns, over every chunk. */
export async function insertRowsReturning<T>(tx: SqlExecutor, statement: MultiRowInsert, rows: readonly SqlValue[][]): Promise<T[]> {
  const returned: T[] = [];
  for (const chunk of powerOfTwoChunks(rows)) returned.push(...(await tx.all<T>(insertText(statement, chunk.length), chunk.flat())));
  return returned;
}

/** "(?, ?, …)" by length: chunk lengths are powers of two, so there are a handful. */
const placeholderLists = new Map<number, string>();

function placeholderList(length: number): string {
  let list = placeholderLists.get(length);
  if (list === undefined) placeholderLists.set(length, (list = `(${new Array<string>(length).fill("?").join(", ")})`));
  return list;
}

/** Chunks of distinct keys, each with its "(?, ?, …)" list. */
function inLists(keys: Iterable<SqlValue>): Array<{ list: string; keys: SqlValue[] }> {
  return powerOfTwoChunks([...new Set(keys)]).map((chunk) => ({ list: placeholderList(chunk.length), keys: chunk }));
}

/**
 * Runs the query `sql(list)` once per chunk of distinct `keys`, where `list` is "(?, ?, …)" for the
 * chunk; the IN list must be the statement's first parameters, and `after` follow it.
 */
export async function selectIn<T>(tx: SqlExecutor, sql: (list: string) => string, keys: Iterable<SqlValue>, after: readonly SqlValue[] = []): Promise<T[]> {
  const rows: T[] = [];
  for (const chunk of inLists(keys)) rows.push(...(await tx.all<T>(sql(chunk.list), [...chunk.keys, ...after])));
  return rows;
}

/** As selectIn, for a statement that returns no rows (UPDATE, DELETE). */
export async function runIn(tx: SqlExecutor, sql: (list: string) => string, keys: Iterable<SqlValue>, after: readonly SqlValue[] = []): Promise<void> {
  for (const chunk of inLists(keys)) await tx.run(sql(chunk.list), [...chunk.keys, ...after]);
}
