// The analytics engine: DuckDB, in process, over the Parquet lake. Each table is a view over its files;
// queries are read-only and sandboxed to the lake directory (sandbox.ts). One connection per query, so
// queries run side by side.
import { resolve } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { ConflictError } from "../errors/index.js";
import { asValidationError, lockDown, prepareReadOnly } from "./sandbox.js";
import { toJsonValue, type QueryResult } from "./query-result.js";
import { TableRegistry } from "./table-registry.js";

export interface AnalyticsOptions {
  /** the lake root: the directory holding `curated/` */
  lakeDir: string;
}

/** DuckDB's message when a view's glob matches no file any more (the files were deleted). */
const NO_FILES = /No files found that match the pattern/i;

export class AnalyticsEngine {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
    private readonly registry: TableRegistry,
  ) {}

  static async open(options: AnalyticsOptions): Promise<AnalyticsEngine> {
    const lakeDir = resolve(options.lakeDir);
    const instance = await DuckDBInstance.create(":memory:");
    const admin = await instance.connect();
    try {
      await lockDown(admin, lakeDir);
      const registry = new TableRegistry(admin, lakeDir);
      await registry.register();
      return new AnalyticsEngine(instance, admin, registry);
    } catch (error) {
      admin.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  /** Runs one read-only SQL statement. Errors in the SQL come back as ValidationError with DuckDB's message. */
  async query(sql: string): Promise<QueryResult> {
    if (this.closed) throw new ConflictError("the analytics engine is closed");
    await this.registry.refresh();
    try {
      return await this.run(sql);
    } catch (error) {
      if (!(error instanceof Error) || !NO_FILES.test(error.message)) throw error;
      await this.registry.refresh(true);
      return this.run(sql);
    }
  }

  private async run(sql: string): Promise<QueryResult> {
    const connection = await this.instance.connect();
    try {
      const prepared = await prepareReadOnly(connection, sql);
      try {
        const reader = await asValidationError(() => prepared.runAndReadAll());
        const columnNames = reader.columnNames();
        const columns = reader.columnTypes().map((type, i) => ({ name: columnNames[i] ?? `column${i}`, type: type.toString() }));
        const rows = reader.getRows().map((row) => row.map(toJsonValue));
        return { columns, rows };
      } finally {
        prepared.destroySync();
      }
    } finally {
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.admin.closeSync();
    this.instance.closeSync();
  }
}

export function openAnalytics(options: AnalyticsOptions): Promise<AnalyticsEngine> {
  return AnalyticsEngine.open(options);
}
