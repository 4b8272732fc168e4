// The catalog over the lake (Glue's job): one view per lake table, so queries say `FROM orders`; the KPI
// views on top (views.ts); and the tables CTAS made. A lake table's view reads what the lake's
// scanTableFiles says the table is made of right now, so before each query the views the query reads are
// brought up to date (new objects show up, compacted ones drop out); a table with no files yet is an
// empty view with the table's columns. Partition columns stay columns of every view, so filters on them
// prune files.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { NotFoundError } from "../errors/index.js";
import { emptyTableRows, LAKE_DATA_PREFIX, LAKE_TABLES, quoteIdentifier, scanTableFiles, tableDirectory, type LakeTable } from "../lake/index.js";
import { CTAS_PREFIX, type CtasManifest, type CtasTables } from "./ctas-tables.js";
import type { ResultColumn } from "./query-result.js";
import { referencedTables } from "./referenced-tables.js";
import { parseQueryTree } from "./statement-gate.js";
import { KPI_VIEWS } from "./views.js";

export interface TableColumn extends ResultColumn {
  description?: string;
  /** a Hive partition column: in the object keys, not in the files */
  partitionKey: boolean;
}

export interface TableInfo {
  name: string;
  kind: "table" | "view";
  /** lake: a table the pipeline delivers; kpi: a KPI view; ctas: made by CREATE TABLE … AS */
  source: "lake" | "kpi" | "ctas";
  description: string;
  /** where its files are, relative to the lake root, e.g. `curated/orders/` */
  location?: string;
  columns: TableColumn[];
  /** the Hive partition columns, in directory order */
  partitionKeys: string[];
  /** a view's definition */
  sql?: string;
  /** when CTAS made it (ISO 8601) */
  createdAt?: string;
}

/** One partition of a table: its values by partition column, and its directory relative to the lake root. */
export interface PartitionInfo {
  values: Record<string, string>;
  location: string;
}

const LAKE = LAKE_TABLES as readonly LakeTable[];

export class TableRegistry {
  /** the body of each lake table's view as last created: a view is replaced only when its files changed */
  private readonly lakeViews = new Map<string, string>();
  /** the lake tables each KPI view reads, directly or through another view */
  private readonly kpiDependencies = new Map<string, Set<string>>();
  private readonly ctasTables = new Map<string, CtasManifest>();
  /** a KPI view's columns, as DuckDB typed them (they change only with shopstream's code) */
  private readonly kpiColumns = new Map<string, ResultColumn[]>();
  /** catalog work runs one task at a time, on the one connection that does it */
  private tasks: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly lakeDir: string,
    private readonly ctas: CtasTables,
  ) {}

  /** Creates every view: the lake tables first, the KPI views over them, then the CTAS tables. */
  register(): Promise<void> {
    return this.change(async () => {
      for (const table of LAKE) await this.syncLakeView(table);
      for (const view of KPI_VIEWS) {
        await this.connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(view.name)} AS ${view.sql}`);
        const tree = await parseQueryTree(this.connection, view.sql);
        this.kpiDependencies.set(view.name, this.lakeTablesUnder(tree === undefined ? [] : referencedTables(tree)));
      }
      await this.syncCtasTables();
    });
  }

  /**
   * Brings the views a query reads up to date with the lake: the lake tables among `names` and under the
   * KPI views among them (every lake table when `names` is absent), and the CTAS tables, which another
   * process may have made or dropped.
   */
  refresh(names?: Iterable<string>): Promise<void> {
    return this.change(async () => {
      const wanted = names === undefined ? undefined : this.lakeTablesUnder(names);
      for (const table of LAKE) if (wanted === undefined || wanted.has(table.name)) await this.syncLakeView(table);
      await this.syncCtasTables();
    });
  }

  /** Whether `name` is taken by a lake table, a KPI view or a CTAS table. */
  has(name: string): boolean {
    return LAKE.some((table) => table.name === name) || KPI_VIEWS.some((view) => view.name === name) || this.ctasTables.has(name);
  }

  isCtasTable(name: string): boolean {
    return this.ctasTables.has(name);
  }

  addCtasTable(manifest: CtasManifest): Promise<void> {
    return this.change(() => this.createCtasView(manifest));
  }

  removeCtasTable(name: string): Promise<void> {
    return this.change(async () => {
      this.ctasTables.delete(name);
      await this.connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(name)}`);
    });
  }

  /** Every table and view with its columns. */
  async describe(): Promise<TableInfo[]> {
    const infos: TableInfo[] = LAKE.map(lakeTableInfo);
    for (const view of KPI_VIEWS) {
      infos.push({
        name: view.name,
        kind: "view",
        source: "kpi",
        description: view.description,
        columns: (await this.kpiViewColumns(view.name)).map((column) => ({ ...column, partitionKey: false })),
        partitionKeys: [],
        sql: view.sql,
      });
    }
    for (const manifest of [...this.ctasTables.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      infos.push({
        name: manifest.name,
        kind: "table",
        source: "ctas",
        description: `made by CREATE TABLE … AS (${manifest.rowCount} rows)`,
        location: `${CTAS_PREFIX}/${manifest.name}/`,
        columns: manifest.columns.map((column) => ({ ...column, partitionKey: manifest.partitionedBy.includes(column.name) })),
        partitionKeys: manifest.partitionedBy,
        createdAt: manifest.createdAt,
      });
    }
    return infos;
  }

  async describeTable(name: string): Promise<TableInfo> {
    const info = (await this.describe()).find((table) => table.name === name);
    if (!info) throw new NotFoundError(`no table or view named ${name}`, "table_not_found");
    return info;
  }

  /** The partitions of a table that hold files, in key order: Athena's GetPartitions. */
  async partitions(name: string): Promise<PartitionInfo[]> {
    const info = await this.describeTable(name);
    if (info.kind === "view" || info.location === undefined) return [];
    const partitions: PartitionInfo[] = [];
    await walkPartitions(join(this.lakeDir, info.location), info.location.replace(/\/$/, ""), info.partitionKeys, {}, partitions);
    return partitions;
  }

  private change<T>(task: () => Promise<T>): Promise<T> {
    // A failed task does not block the next.
    const next = this.tasks.catch(() => undefined).then(task);
    this.tasks = next;
    return next;
  }

  private async kpiViewColumns(view: string): Promise<ResultColumn[]> {
    let columns = this.kpiColumns.get(view);
    if (!columns) {
      const reader = await this.change(() => this.connection.runAndReadAll(`DESCRIBE ${quoteIdentifier(view)}`));
      columns = reader.getRows().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
      this.kpiColumns.set(view, columns);
    }
    return columns;
  }

  /** The lake tables `names` read: themselves if they are lake tables, what they read if KPI views. */
  private lakeTablesUnder(names: Iterable<string>): Set<string> {
    const tables = new Set<string>();
    for (const name of names) {
      if (LAKE.some((table) => table.name === name)) tables.add(name);
      // KPI views are registered in order, so a view's dependencies are known before a later view reads it.
      for (const dependency of this.kpiDependencies.get(name) ?? []) tables.add(dependency);
    }
    return tables;
  }

  private async syncLakeView(table: LakeTable): Promise<void> {
    // scanTableFiles lists the table's objects (an await for a lake that lists, harmless for one that globs);
    // before the first object exists the view is an empty relation with the table's columns.
    const body = (await hasParquetFile(tableDirectory(this.lakeDir, table))) ? `SELECT * FROM ${await scanTableFiles(this.lakeDir, table)}` : emptyTableRows(table);
    if (this.lakeViews.get(table.name) === body) return;
    await this.connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(table.name)} AS ${body}`);
    this.lakeViews.set(table.name, body);
  }

  private async syncCtasTables(): Promise<void> {
    const published = await this.ctas.list();
    const names = new Set(published.map((manifest) => manifest.name));
    for (const name of this.ctasTables.keys()) {
      if (names.has(name)) continue;
      this.ctasTables.delete(name);
      await this.connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(name)}`);
    }
    for (const manifest of published) {
      const known = this.ctasTables.get(manifest.name);
      if (known?.createdAt === manifest.createdAt) continue;
      // A directory under ctas/ named like a lake table or KPI view (made by hand) never shadows it.
      if (!known && this.has(manifest.name)) continue;
      await this.createCtasView(manifest);
    }
  }

  private async createCtasView(manifest: CtasManifest): Promise<void> {
    const hasFiles = await hasParquetFile(this.ctas.location(manifest.name));
    const body = hasFiles ? this.ctas.scanSql(manifest) : emptyRows(manifest.columns);
    await this.connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(manifest.name)} AS ${body}`);
    this.ctasTables.set(manifest.name, manifest);
  }
}

function lakeTableInfo(table: LakeTable): TableInfo {
  return {
    name: table.name,
    kind: "table",
    source: "lake",
    description: table.description,
    location: `${LAKE_DATA_PREFIX}/${table.name}/`,
    columns: [
      ...table.columns.map((column) => ({ name: column.name, type: column.type, description: column.description, partitionKey: false })),
      ...table.partitionColumns.map((column) => ({ name: column.name, type: column.type, description: column.description, partitionKey: true })),
    ],
    partitionKeys: table.partitionColumns.map((column) => column.name),
  };
}

/** No rows, with the given columns and types. */
function emptyRows(columns: readonly ResultColumn[]): string {
  return `SELECT ${columns.map((column) => `CAST(NULL AS ${column.type}) AS ${quoteIdentifier(column.name)}`).join(", ")} WHERE false`;
}

/** Depth-first over `key=value` directories, one level per partition key; leaves that hold Parquet count. */
async function walkPartitions(
  directory: string,
  location: string,
  keys: readonly string[],
  values: Record<string, string>,
  into: PartitionInfo[],
): Promise<void> {
  const [key, ...rest] = keys;
  if (key === undefined) {
    if (await hasParquetFile(directory)) into.push({ values, location: `${location}/` });
    return;
  }
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return;
  }
  const prefix = `${key}=`;
  const names = entries.filter((entry) => entry.isDirectory() && entry.name.startsWith(prefix)).map((entry) => entry.name);
  for (const name of names.sort()) {
    const value = decodePartitionValue(name.slice(prefix.length));
    await walkPartitions(join(directory, name), `${location}/${name}`, rest, { ...values, [key]: value }, into);
  }
}

/** Hive escapes special characters in partition values as %XX. */
function decodePartitionValue(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
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
