// Tables made by CREATE TABLE … AS (CTAS), in the lake under `ctas/<table>/`: plain Parquet, Hive
// partitioned when asked, plus `_table.json` with the columns and types (files starting with `_` are
// skipped by Hive, Spark, Trino and Athena, and the scan here reads `*.parquet` only). A table appears
// whole or not at all: it is written into a hidden staging directory and renamed into place.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError } from "../errors/index.js";
import { quoteIdentifier, quoteSqlString } from "../lake/index.js";
import type { ResultColumn } from "./query-result.js";
import type { ParquetWriteCompression } from "./table-statement.js";

/** The lake zone of CTAS tables. */
export const CTAS_PREFIX = "ctas";
const MANIFEST_FILE = "_table.json";
const STAGING_PREFIX = ".staging-";

export interface CtasManifest {
  name: string;
  /** every column in query order, partition columns included, with DuckDB types */
  columns: ResultColumn[];
  /** Hive partition columns, in directory order */
  partitionedBy: string[];
  compression: ParquetWriteCompression;
  rowCount: number;
  /** ISO 8601 */
  createdAt: string;
  /** the CREATE TABLE statement that made it */
  statement: string;
}

export class CtasTables {
  readonly directory: string;

  constructor(readonly lakeDir: string) {
    this.directory = join(lakeDir, CTAS_PREFIX);
  }

  location(table: string): string {
    return join(this.directory, table);
  }

  /** Every published CTAS table; a directory without a readable manifest is not a table. */
  async list(): Promise<CtasManifest[]> {
    let entries;
    try {
      entries = await readdir(this.directory, { withFileTypes: true });
    } catch {
      return [];
    }
    const manifests: CtasManifest[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      try {
        const manifest = JSON.parse(await readFile(join(this.directory, entry.name, MANIFEST_FILE), "utf8")) as CtasManifest;
        if (manifest.name === entry.name) manifests.push(manifest);
      } catch {
        // Not ours (or damaged by hand): leave it alone.
      }
    }
    return manifests;
  }

  /** A fresh hidden directory, inside the lake, for one CTAS to write into. */
  async createStaging(): Promise<string> {
    const staging = join(this.directory, `${STAGING_PREFIX}${randomUUID()}`);
    await mkdir(staging, { recursive: true });
    return staging;
  }

  /** Writes the manifest and renames the staging directory to the table's location, atomically. */
  async publish(staging: string, manifest: CtasManifest): Promise<void> {
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      // rename(2) refuses to replace a non-empty directory: two CTAS of one name cannot both win.
      await rename(staging, this.location(manifest.name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOTEMPTY" || code === "EEXIST") throw new ConflictError(`table ${manifest.name} already exists`, "table_exists");
      throw error;
    }
  }

  async discard(staging: string): Promise<void> {
    await rm(staging, { recursive: true, force: true });
  }

  /** Deletes a CTAS table's files; false when there was none. */
  async drop(table: string): Promise<boolean> {
    const location = this.location(table);
    // Renamed away first, so no reader ever sees half a table.
    const doomed = join(this.directory, `${STAGING_PREFIX}drop-${randomUUID()}`);
    try {
      await rename(location, doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
    await rm(doomed, { recursive: true, force: true });
    return true;
  }

  /** The files of a table, typed as its manifest says, its columns in query order. */
  scanSql(manifest: CtasManifest): string {
    const partitioned = manifest.partitionedBy.length > 0;
    const types = new Map(manifest.columns.map((column) => [column.name, column.type]));
    const hiveTypes = manifest.partitionedBy.map((name) => `${quoteSqlString(name)}: ${types.get(name)}`).join(", ");
    const glob = quoteSqlString(`${this.location(manifest.name)}/**/*.parquet`);
    const options = partitioned ? `hive_partitioning = true, hive_types = {${hiveTypes}}` : "hive_partitioning = false";
    // Casts restore types Parquet cannot hold exactly (JSON, UUID, …); a cast to the same type costs nothing.
    const columns = manifest.columns.map((column) => `CAST(${quoteIdentifier(column.name)} AS ${column.type}) AS ${quoteIdentifier(column.name)}`);
    return `SELECT ${columns.join(", ")} FROM read_parquet(${glob}, ${options})`;
  }

  /** The statement that writes `query`'s rows into `staging` as the table's Parquet files. */
  copySql(query: string, staging: string, partitionedBy: readonly string[], compression: ParquetWriteCompression): { sql: string; queryStart: number } {
    const head = "COPY (\n";
    const partitioned = partitionedBy.length > 0;
    // One file per partition (or one file): DuckDB names them data_0.parquet, data_1.parquet, … .
    const target = partitioned ? staging : join(staging, "data_0.parquet");
    const options = [`FORMAT parquet`, `COMPRESSION ${compression}`];
    if (partitioned) options.push(`PARTITION_BY (${partitionedBy.map(quoteIdentifier).join(", ")})`);
    // The newline before ")" ends a trailing -- comment of the query.
    return { sql: `${head}${query}\n) TO ${quoteSqlString(target)} (${options.join(", ")})`, queryStart: head.length };
  }
}
