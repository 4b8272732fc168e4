// The analytics engine: DuckDB, in process, over the Parquet lake. The catalog (table-registry.ts) holds a
// view per lake table, the KPI views and the CTAS tables; queries are read-only and sandboxed to the lake
// directory (sandbox.ts, statement-gate.ts); CREATE TABLE … AS is the one statement that writes, into the
// lake's ctas/ zone. Queries run on a small pool of connections, so a few run side by side and the rest
// wait their turn; each can be interrupted.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance, StatementType, type DuckDBConnection } from "@duckdb/node-api";
import { ConflictError, ValidationError } from "../errors/index.js";
import { ConnectionPool } from "./connection-pool.js";
import { CtasTables, type CtasManifest } from "./ctas-tables.js";
import { toJsonValue, type JsonValue, type QueryResult, type ResultColumn } from "./query-result.js";
import { applySandbox, lockConfiguration, prepareQueryConnection } from "./sandbox.js";
import { referencedTables } from "./referenced-tables.js";
import { QueryCancelledError, SqlError, sqlPart, sqlSource, withSqlErrors, type SqlSource } from "./sql-error.js";
import { readWord } from "./sql-text.js";
import { requireReadOnly } from "./statement-gate.js";
import { TableRegistry, type PartitionInfo, type TableInfo } from "./table-registry.js";
import { parseTableStatement, type CreateTableAs, type DropTable } from "./table-statement.js";

export interface AnalyticsOptions {
  /** the lake root: the directory holding `curated/` */
  lakeDir: string;
  /** queries that run at once, each on a DuckDB connection of its own; default 2 (DuckDB parallelises within a query too) */
  maxConcurrentQueries?: number;
  /** DuckDB's memory limit, e.g. "4GB"; default DuckDB's, 80% of RAM */
  memoryLimit?: string;
  /** DuckDB worker threads shared by all queries; default one per core */
  threads?: number;
  /**
   * Brings `lakeDir` up to date before the catalog lists it (at open, and before each query): an S3 lake's
   * local mirror syncs here. A local lake needs none.
   */
  syncLake?: () => Promise<void>;
}

/** Athena's statement classes: DML reads rows, DDL changes the catalog, UTILITY describes. */
export type StatementKind = "DML" | "DDL" | "UTILITY";

export interface QueryProgress {
  /** 0 to 100; undefined while DuckDB cannot tell (before its first estimate, or for some scans) */
  percent: number | undefined;
  rowsProcessed: number;
  totalRowsToProcess: number;
}

export interface ExecuteOptions {
  /** aborting interrupts the query (or takes it out of the line for a connection) */
  signal?: AbortSignal;
  /** called once the query has a connection and starts */
  onStart?: () => void;
  /** a result with more rows fails with ResultTooLargeError instead of filling memory */
  maxRows?: number;
  /** called every progressIntervalMs while the query runs */
  onProgress?: (progress: QueryProgress) => void;
  progressIntervalMs?: number;
}

export interface Execution extends QueryResult {
  statementKind: StatementKind;
  /** the CTAS table created, or dropped */
  table?: string;
}

/** The result would have more rows than the caller keeps. */
export class ResultTooLargeError extends ValidationError {
  constructor(maxRows: number) {
    super(
      `the result has more than ${maxRows.toLocaleString("en-US")} rows; add a LIMIT or an aggregate, or write it into the lake with CREATE TABLE … AS`,
      "result_too_large",
    );
  }
}

const DEFAULT_MAX_CONCURRENT_QUERIES = 2;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;
/** The lake's hidden directory for DuckDB's spill files; one subdirectory per open engine. */
const SPILL_PREFIX = ".analytics-spill";

/**
 * DuckDB's errors when a scan's files changed under it: a glob that matches nothing any more (retention
 * deleted the files), or a file listed and then gone before it was read (compaction replaced it).
 */
const FILES_CHANGED = /No files found that match the pattern|No such file or directory|Cannot open file/i;

export class AnalyticsEngine {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
    private readonly pool: ConnectionPool,
    private readonly registry: TableRegistry,
    private readonly ctas: CtasTables,
    private readonly spillDir: string,
    private readonly syncLake: (() => Promise<void>) | undefined,
  ) {}

  static async open(options: AnalyticsOptions): Promise<AnalyticsEngine> {
    const lakeDir = resolve(options.lakeDir);
    const spillDir = await prepareSpillDirectory(join(lakeDir, SPILL_PREFIX));
    const instance = await DuckDBInstance.create(":memory:");
    let admin: DuckDBConnection | undefined;
    let pool: ConnectionPool | undefined;
    try {
      admin = await instance.connect();
      await applySandbox(admin, { lakeDir, spillDir, memoryLimit: options.memoryLimit, threads: options.threads ?? availableParallelism() });
      pool = await ConnectionPool.open(instance, Math.max(1, options.maxConcurrentQueries ?? DEFAULT_MAX_CONCURRENT_QUERIES), prepareQueryConnection);
      await lockConfiguration(admin);
      const ctas = new CtasTables(lakeDir);
      const registry = new TableRegistry(admin, lakeDir, ctas);
      await options.syncLake?.();
      await registry.register();
      return new AnalyticsEngine(instance, admin, pool, registry, ctas, spillDir, options.syncLake);
    } catch (error) {
      await pool?.close();
      admin?.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  /** Runs one statement and returns all of its rows. Errors in the SQL come back as SqlError. */
  async query(sql: string): Promise<QueryResult> {
    const { columns, rows } = await this.execute(sql);
    return { columns, rows };
  }

  /**
   * Runs one statement: a query (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW…), CREATE TABLE … AS, or DROP
   * TABLE of a CTAS table. Waits for a connection when all are busy.
   */
  async execute(sql: string, options: ExecuteOptions = {}): Promise<Execution> {
    this.requireOpen();
    const statement = parseTableStatement(sql);
    const lease = await this.pool.acquire(options.signal);
    const { connection } = lease;
    const interrupt = () => connection.interrupt();
    options.signal?.addEventListener("abort", interrupt, { once: true });
    const progress = options.onProgress && watchProgress(connection, options.onProgress, options.progressIntervalMs);
    try {
      options.onStart?.();
      if (statement?.kind === "create_table_as") return await this.createTableAs(connection, sql, statement, options.signal);
      if (statement?.kind === "drop_table") return await this.dropTable(statement);
      return await this.runQuery(connection, sql, options);
    } finally {
      if (progress) clearInterval(progress);
      options.signal?.removeEventListener("abort", interrupt);
      lease.release();
    }
  }

  /** Every table and view: lake tables, KPI views and CTAS tables, with columns. */
  async tables(): Promise<TableInfo[]> {
    this.requireOpen();
    await this.refreshCatalog();
    return withSqlErrors(undefined, () => this.registry.describe());
  }

  async table(name: string): Promise<TableInfo> {
    this.requireOpen();
    await this.refreshCatalog();
    return withSqlErrors(undefined, () => this.registry.describeTable(name));
  }

  /** The partitions of a table that hold files. */
  async partitions(table: string): Promise<PartitionInfo[]> {
    this.requireOpen();
    await this.refreshCatalog();
    return this.registry.partitions(table);
  }

  /** Queries waiting for a connection right now. */
  get queuedQueries(): number {
    return this.pool.waiting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
    this.admin.closeSync();
    this.instance.closeSync();
    await rm(this.spillDir, { recursive: true, force: true });
  }

  /**
   * Brings the views of `tables` (every table when absent) up to date with the lake. DuckDB binds a view's
   * scan as it creates it, so a file it may not read (a planted link) fails here: as a SqlError without a
   * position, since the SQL is shopstream's, not the user's.
   */
  private async refreshCatalog(tables?: Iterable<string>): Promise<void> {
    await this.syncLake?.();
    return withSqlErrors(undefined, () => this.registry.refresh(tables));
  }

  private requireOpen(): void {
    if (this.closed) throw new ConflictError("the analytics engine is closed");
  }

  private async runQuery(connection: DuckDBConnection, sql: string, options: ExecuteOptions): Promise<Execution> {
    const tables = referencedTables(await requireReadOnly(connection, sql));
    await this.refreshCatalog(tables);
    try {
      return await this.readAll(connection, sql, options);
    } catch (error) {
      // A pure read is safe to run again, once the views list the files the lake has now.
      if (!(error instanceof SqlError) || !FILES_CHANGED.test(error.message) || options.signal?.aborted) throw error;
      await this.refreshCatalog(tables);
      return this.readAll(connection, sql, options);
    }
  }

  private async readAll(connection: DuckDBConnection, sql: string, options: ExecuteOptions): Promise<Execution> {
    // An abort between statements finds no query to interrupt; checked before DuckDB starts this one.
    if (options.signal?.aborted) throw new QueryCancelledError();
    // One call that parses, binds and runs: a prepared statement would bind twice, and binding a scan lists
    // the table's files. The result is materialized inside DuckDB and converted only if it fits maxRows.
    const result = await withSqlErrors(sqlSource(sql), () => connection.run(sql));
    const maxRows = options.maxRows ?? Infinity;
    if (result.rowCount > maxRows) throw new ResultTooLargeError(maxRows);
    const names = result.columnNames();
    const columns: ResultColumn[] = result.columnTypes().map((type, i) => ({ name: names[i] ?? `column${i}`, type: type.toString() }));
    const rows: JsonValue[][] = [];
    for (let i = 0; i < result.chunkCount; i++) {
      for (const row of result.getChunk(i).getRows()) rows.push(row.map(toJsonValue));
    }
    return { columns, rows, statementKind: statementKindOf(sql) };
  }

  private async createTableAs(connection: DuckDBConnection, sql: string, statement: CreateTableAs, signal: AbortSignal | undefined): Promise<Execution> {
    const { table } = statement;
    const created = (rowCount: number): Execution => ({ columns: [{ name: "rows", type: "BIGINT" }], rows: [[rowCount]], statementKind: "DDL", table });
    await this.refreshCatalog([]);
    if (this.registry.has(table)) {
      if (statement.ifNotExists && this.registry.isCtasTable(table)) return created(0);
      throw new ValidationError(
        this.registry.isCtasTable(table) ? `table ${table} already exists; DROP TABLE ${table} first` : `${table} is a lake table or view; choose another name`,
        "table_exists",
      );
    }
    const tree = await requireReadOnly(connection, statement.query, { sqlOffset: statement.queryOffset, userSql: sql, queryOnly: true });
    await this.refreshCatalog(referencedTables(tree));
    const query = await withSqlErrors(sqlPart(sql, statement.queryOffset, statement.query), () => connection.prepare(statement.query));
    let columns: ResultColumn[];
    try {
      columns = Array.from({ length: query.columnCount }, (_, i) => ({ name: query.columnName(i), type: query.columnType(i).toString() }));
    } finally {
      query.destroySync();
    }
    checkCtasColumns(columns, statement.partitionedBy);

    const staging = await this.ctas.createStaging();
    try {
      const copy = this.ctas.copySql(statement.query, staging, statement.partitionedBy, statement.compression);
      const source: SqlSource = {
        userSql: sql,
        executedSql: copy.sql,
        userStart: copy.queryStart,
        userEnd: copy.queryStart + statement.query.length,
        userOffset: statement.queryOffset,
      };
      const extracted = await withSqlErrors(source, () => connection.extractStatements(copy.sql));
      // The query was one statement on its own; inside COPY ( … ) it must still be exactly one COPY.
      if (extracted.count !== 1) throw new ValidationError("the query of CREATE TABLE … AS must be one query, without a trailing comment after ;", "invalid_query");
      const prepared = await withSqlErrors(source, () => extracted.prepare(0));
      let rowCount: number;
      try {
        if (prepared.statementType !== StatementType.COPY) throw new ValidationError("the query of CREATE TABLE … AS must be one query", "invalid_query");
        if (signal?.aborted) throw new QueryCancelledError();
        const reader = await withSqlErrors(source, () => prepared.runAndReadAll());
        rowCount = Number(reader.getRows()[0]?.[0] ?? 0);
      } finally {
        prepared.destroySync();
      }
      const manifest: CtasManifest = {
        name: table,
        columns,
        partitionedBy: statement.partitionedBy,
        compression: statement.compression,
        rowCount,
        createdAt: new Date().toISOString(),
        statement: sql,
      };
      await this.ctas.publish(staging, manifest);
      await this.registry.addCtasTable(manifest);
      return created(rowCount);
    } finally {
      await this.ctas.discard(staging);
    }
  }

  private async dropTable(statement: DropTable): Promise<Execution> {
    const { table } = statement;
    await this.refreshCatalog([]);
    const dropped: Execution = { columns: [], rows: [], statementKind: "DDL", table };
    if (!this.registry.isCtasTable(table)) {
      if (this.registry.has(table)) {
        throw new ValidationError(`${table} is a lake table or view and cannot be dropped; only tables made by CREATE TABLE … AS can`, "statement_not_allowed");
      }
      if (statement.ifExists) return dropped;
      throw new ValidationError(`no table ${table} to drop`, "table_not_found");
    }
    await this.registry.removeCtasTable(table);
    await this.ctas.drop(table);
    return dropped;
  }
}

export function openAnalytics(options: AnalyticsOptions): Promise<AnalyticsEngine> {
  return AnalyticsEngine.open(options);
}

/**
 * Athena's class of a statement, from its first word: CREATE and DROP change the catalog (DDL); EXPLAIN,
 * DESCRIBE, SHOW, SUMMARIZE and PRAGMA describe (UTILITY, though DuckDB runs most of them as queries);
 * the rest read rows (DML).
 */
export function statementKindOf(sql: string): StatementKind {
  const first = readWord(sql, 0)?.text.toUpperCase();
  if (first === "CREATE" || first === "DROP") return "DDL";
  if (first !== undefined && UTILITY_KEYWORDS.has(first)) return "UTILITY";
  return "DML";
}

const UTILITY_KEYWORDS = new Set(["EXPLAIN", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE", "PRAGMA"]);

/** What Parquet and Hive need of a CTAS result: unique column names, existing scalar partition columns. */
function checkCtasColumns(columns: readonly ResultColumn[], partitionedBy: readonly string[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    const key = column.name.toLowerCase();
    if (seen.has(key)) throw new ValidationError(`column ${column.name} appears twice in the query; give each column its own name (AS …)`, "invalid_query");
    seen.add(key);
  }
  for (const name of partitionedBy) {
    const column = columns.find((candidate) => candidate.name === name);
    if (!column) throw new ValidationError(`partitioned_by names ${name}, which the query does not return`, "invalid_query");
    if (!/^[A-Z ]+$|^DECIMAL\(\d+,\d+\)$/.test(column.type)) {
      throw new ValidationError(`partition column ${name} has type ${column.type}; partition by a scalar column (text, number, date, …)`, "invalid_query");
    }
  }
  if (partitionedBy.length > 0 && partitionedBy.length >= columns.length) {
    throw new ValidationError("a partitioned table needs at least one column that is not a partition column", "invalid_query");
  }
}

/**
 * A spill directory of this engine's own under `root` (DuckDB creates the last level, not its parents),
 * after removing those of engines whose process is gone: a crash leaves DuckDB's spill files behind.
 * A lake DuckDB may not write to still opens; only a query that has to spill fails.
 */
async function prepareSpillDirectory(root: string): Promise<string> {
  try {
    await mkdir(root, { recursive: true });
    for (const entry of await readdir(root)) {
      const pid = Number(entry.split("-")[0]);
      if (Number.isSafeInteger(pid) && pid > 0 && !processIsAlive(pid)) await rm(join(root, entry), { recursive: true, force: true });
    }
  } catch {
    // Read-only or otherwise unwritable: see above.
  }
  return join(root, `${process.pid}-${randomUUID().slice(0, 8)}`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but someone else's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Polls DuckDB's progress for the query running on `connection`. */
function watchProgress(connection: DuckDBConnection, report: (progress: QueryProgress) => void, intervalMs = DEFAULT_PROGRESS_INTERVAL_MS): NodeJS.Timeout {
  return setInterval(() => {
    const { percentage, rows_processed, total_rows_to_process } = connection.progress;
    report({
      percent: percentage >= 0 ? Math.min(100, percentage) : undefined,
      rowsProcessed: Number(rows_processed),
      totalRowsToProcess: Number(total_rows_to_process),
    });
  }, intervalMs);
}
