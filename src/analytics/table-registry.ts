// One view per lake table, so queries say `FROM orders`. A view over files reads them at each query, so
// new objects show up on their own; a table with no files yet is an empty view with the table's columns
// (read_parquet fails on a glob that matches nothing), and switches over once its first file appears.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { emptyTableRows, LAKE_TABLES, quoteIdentifier, scanTableFiles, tableDirectory, type LakeTable } from "../lake/index.js";

export class TableRegistry {
  /** tables whose view currently reads files */
  private readonly withFiles = new Set<string>();
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly lakeDir: string,
  ) {}

  /** Creates every view. */
  async register(): Promise<void> {
    for (const table of LAKE_TABLES) await this.createView(table, await hasParquetFile(tableDirectory(this.lakeDir, table)));
  }

  /**
   * Switches empty views over to their files once files exist. With `recheckAll`, also switches views back
   * when their files are gone (retention deleted them). Cheap: it only looks at tables without files.
   */
  refresh(recheckAll = false): Promise<void> {
    // One refresh at a time; a failed one does not block the next.
    this.refreshing = this.refreshing.catch(() => undefined).then(async () => {
      for (const table of LAKE_TABLES) {
        if (this.withFiles.has(table.name) && !recheckAll) continue;
        const hasFiles = await hasParquetFile(tableDirectory(this.lakeDir, table));
        if (hasFiles !== this.withFiles.has(table.name)) await this.createView(table, hasFiles);
      }
    });
    return this.refreshing;
  }

  private async createView(table: LakeTable, hasFiles: boolean): Promise<void> {
    const body = hasFiles ? `SELECT * FROM ${scanTableFiles(this.lakeDir, table)}` : emptyTableRows(table);
    await this.connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(table.name)} AS ${body}`);
    if (hasFiles) this.withFiles.add(table.name);
    else this.withFiles.delete(table.name);
  }
}

/** Whether a directory tree holds a visible .parquet file; stops at the first. */
async function hasParquetFile(directory: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isFile() && entry.name.endsWith(".parquet")) return true;
  }
  for (const entry of entries) {
    if (!entry.name.startsWith(".") && entry.isDirectory() && (await hasParquetFile(join(directory, entry.name)))) return true;
  }
  return false;
}
