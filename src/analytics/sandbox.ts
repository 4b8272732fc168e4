// Locks the analytics DuckDB down to the lake, the first layer of the sandbox (statement-gate.ts is the
// second): no file system outside the lake directory, no extensions, no network, and a configuration
// that no later SET can undo. DuckDB resolves symbolic links before it checks a path, so a link inside
// the lake that points elsewhere is refused too.
import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteSqlString } from "../lake/index.js";

export interface SandboxSettings {
  /** absolute path of the lake root; the only directory DuckDB may read (and CTAS write) */
  lakeDir: string;
  /**
   * where DuckDB spills when a query outgrows memory; DuckDB adds it to the allowed directories, so it
   * lies inside the lake (a hidden directory of this engine's own)
   */
  spillDir: string;
  /** DuckDB's memory_limit, e.g. "4GB"; DuckDB's default (80% of RAM) when absent */
  memoryLimit?: string;
  /** DuckDB worker threads; one per core when absent */
  threads?: number;
}

/** Settings for the whole database. Runs before any user query; `lockConfiguration` then freezes them. */
export async function applySandbox(admin: DuckDBConnection, settings: SandboxSettings): Promise<void> {
  const statements = [
    "SET GLOBAL TimeZone = 'UTC'",
    // Errors as JSON carry the position DuckDB points at (sql-error.ts reads it).
    "SET GLOBAL errors_as_json = true",
    // Parquet footers stay cached between queries: a dashboard reads the same files again and again, and
    // lake objects never change in place (they are published once under a new name).
    "SET GLOBAL parquet_metadata_cache = true",
    // Before allowed_directories: DuckDB allows its spill directory on its own, by default `.tmp` in the
    // working directory.
    `SET GLOBAL temp_directory = ${quoteSqlString(settings.spillDir)}`,
    // The trailing slash keeps a sibling like "<lakeDir>-private" out: DuckDB matches directories by prefix.
    `SET GLOBAL allowed_directories = [${quoteSqlString(withTrailingSlash(settings.lakeDir))}]`,
    "SET GLOBAL enable_external_access = false",
    "SET GLOBAL autoinstall_known_extensions = false",
    "SET GLOBAL autoload_known_extensions = false",
    "SET GLOBAL allow_community_extensions = false",
  ];
  if (settings.memoryLimit !== undefined) statements.push(`SET GLOBAL memory_limit = ${quoteSqlString(settings.memoryLimit)}`);
  if (settings.threads !== undefined) statements.push(`SET GLOBAL threads = ${Math.max(1, Math.floor(settings.threads))}`);
  for (const statement of statements) await admin.run(statement);
}

/**
 * Settings of one query connection. They are per connection in DuckDB, so every connection gets them
 * before the configuration is locked.
 */
export async function prepareQueryConnection(connection: DuckDBConnection): Promise<void> {
  // Progress is tracked (for `connection.progress`) but never printed by DuckDB itself.
  await connection.run("SET enable_progress_bar = true");
  await connection.run("SET enable_progress_bar_print = false");
}

/** Freezes the configuration: no SET, RESET or PRAGMA can change a setting afterwards. */
export async function lockConfiguration(admin: DuckDBConnection): Promise<void> {
  await admin.run("SET GLOBAL lock_configuration = true");
}

function withTrailingSlash(path: string): string {
  return path.endsWith("/") ? path : `${path}/`;
}
