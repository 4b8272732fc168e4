// Converts one flushed batch with DuckDB, off the JavaScript thread: the staged lines are parsed, checked
// and placed in one statement (the batch table), grouped by what places them, and each object is written
// to the staging directory with one COPY; the staged objects of tables with expectations are audited.
// Nothing is published here: the shard delivery publishes what the audit let through.
//
// Measured on one batch of 100k curated events (one DuckDB thread, CPU time): the batch table 0.26 s
// (reading the JSON 0.1, the checks 0.09, storing it 0.07), the tables' objects 0.28 s (selecting their
// rows, mostly the payload's json_transform and `extra`, 0.18; writing Parquet 0.1), the audit 0.03. The
// JavaScript thread only stages bytes. The work takes three calls (each waits for a turn of a busy event
// loop to come back): the batch table with its contents, the objects with their audit and row counts, and
// the drop.
import { open, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { planOutputs, type BatchGroup, type PlannedOutput } from "./batch-outputs.js";
import type { ConcurrencyLimit } from "./concurrency-limit.js";
import { CuratedRecordsSql } from "./curated-records.js";
import type { ResolvedDeliveryStream } from "./delivery-stream.js";
import { expectationOutcomes, expectationsQuery, type ExpectationCheck, type ExpectationOutcome } from "./expectations.js";
import type { PublishedThrough } from "./published-index.js";
import { RawRecordsSql } from "./raw-records.js";
import type { TimeUnit } from "./prefix-template.js";
import { partitionKeyColumn } from "./record-checks.js";
import type { LakeErrorType, RefusedRecord } from "./record-errors.js";
import type { ShardBatch } from "./shard-batch.js";
import { quoteSqlString } from "./sql-text.js";
import { FIELD_SEPARATOR, type StagingLayout } from "./staging-lines.js";
import { selectTableRows } from "./table-sql.js";

const BATCH_TABLE = "lake_batch";

/** Time units of one length in UTC, in ms: a bucket is the epoch floored to a multiple (floor also before 1970). */
const FIXED_UNIT_MS: Partial<Record<TimeUnit, number>> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** An object written to the staging directory. */
interface StagedFile extends PlannedOutput {
  /** the local file to publish */
  path: string;
}

export interface StagedOutput extends StagedFile {
  /** rows it holds (records for NDJSON) */
  rows: number;
}

export interface ConvertedBatch {
  /** the objects to publish: written, not empty, not held back by an expectation */
  outputs: StagedOutput[];
  /** records DuckDB refused, and records held back by a blocking expectation (once per table) */
  refused: RefusedRecord[];
  expectations: ExpectationOutcome[];
  /** every file written to the staging directory, to remove after publishing */
  stagedPaths: string[];
}

/** How a delivery stream's records are read and checked: curated events for Parquet, raw lines for NDJSON. */
export type RecordsSql = CuratedRecordsSql | RawRecordsSql;

/** Built once per delivery stream; a record field a prefix cannot read fails here, with its config path. */
export function recordsSqlFor(delivery: ResolvedDeliveryStream): RecordsSql {
  return delivery.prefix ? new RawRecordsSql(delivery) : new CuratedRecordsSql(delivery);
}

export class BatchConverter {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly delivery: ResolvedDeliveryStream,
    private readonly records: RecordsSql,
    /** shared by the shards of a delivery stream */
    private readonly conversions: ConcurrencyLimit,
  ) {}

  /** How batches are staged for this converter's reader. */
  get layout(): StagingLayout {
    return this.records.layout;
  }

  async convert(batch: ShardBatch, stagingDir: string, publishedThrough: PublishedThrough): Promise<ConvertedBatch> {
    if (batch.lines.lineCount === 0) return { outputs: [], refused: [], expectations: [], stagedPaths: [] };
    const { firstSequenceNumber, lastSequenceNumber } = batch.range;
    const stem = join(stagingDir, `${firstSequenceNumber}-${lastSequenceNumber}`);
    const linesPath = `${stem}.lines`;
    const stagedPaths = [linesPath];
    try {
      await writeWhole(linesPath, batch.lines.bytes());
      return await this.conversions.run(async () => {
        const contents = await this.contents(`CREATE OR REPLACE TEMP TABLE ${BATCH_TABLE} AS ${this.selectBatch(linesPath)};\n`, linesPath);
        const refused = [...(await this.unreadRecords(batch, contents.rowCount)), ...contents.refused];
        const planned = planOutputs(this.delivery, contents.groups, batch, publishedThrough);
        const staged: StagedFile[] = planned.map((output, n) => ({ ...output, path: `${stem}-${n}.${output.key.slice(output.key.lastIndexOf(".") + 1)}` }));
        stagedPaths.push(...staged.map((output) => output.path));
        const { expectations, rows } = await this.writeAndAudit(staged);
        const blocked = await this.blockedRecords(expectations, staged);
        const outputs = staged
          .map((output, n) => ({ ...output, rows: rows[n] ?? 0 }))
          .filter((output) => output.rows > 0 && !(output.table && blocked.tables.has(output.table.table.name)));
        await this.connection.run(`DROP TABLE ${BATCH_TABLE}`);
        return { outputs, refused: [...refused, ...blocked.records], expectations, stagedPaths };
      });
    } catch (error) {
      await Promise.all(stagedPaths.map((path) => unlink(path).catch(() => undefined)));
      throw error;
    }
  }

  private selectBatch(linesPath: string): string {
    const unit = this.delivery.timeUnit;
    // Records are placed by their timestamp (or their arrival, as Firehose) truncated to the finest unit
    // the prefixes format: every record of a bucket renders the same folders. A unit of fixed length (up to
    // a day: the session's zone is UTC) truncates the epoch by arithmetic; date_trunc on a TIMESTAMPTZ goes
    // through ICU's calendar for every record (with the type key's skipped second check, 7–15 % less
    // CPU for a batch of 88k records: docs/architecture.md).
    const fixedMs = unit === undefined ? undefined : FIXED_UNIT_MS[unit];
    const timeMs = "coalesce(epoch_ms(event_time), t)";
    const bucket =
      unit === undefined
        ? "NULL::BIGINT"
        : fixedMs !== undefined
          ? `CAST(floor(${timeMs} / ${fixedMs}) * ${fixedMs} AS BIGINT)`
          : `epoch_ms(date_trunc('${unit}', coalesce(event_time, make_timestamptz(t * 1000))))`;
    return `SELECT *, ${bucket} AS ts_bucket FROM (${this.records.selectBatch(this.records.stagedRelation(linesPath))})`;
  }

  /**
   * What the batch holds, in one query run after `script` (the batch table): the groups of records that
   * passed their checks, by what places them, and the records that did not.
   */
  private async contents(script: string, linesPath: string): Promise<{ groups: BatchGroup[]; refused: RefusedRecord[]; rowCount: number }> {
    const keys = Object.keys(this.delivery.partitionKeys).map(partitionKeyColumn);
    const type = this.delivery.prefix ? "CAST(NULL AS VARCHAR)" : '"type"';
    const reader = await this.connection.runAndReadAll(
      `${script}SELECT true AS passed, ${type}, ts_bucket, max(i), count(*), NULL, NULL${keys.map((key) => `, ${key}`).join("")} ` +
        `FROM ${BATCH_TABLE} WHERE error IS NULL GROUP BY ALL ` +
        `UNION ALL SELECT false, NULL, NULL, i, 1, error.error_type, error.message${keys.map(() => ", NULL").join("")} ` +
        `FROM ${BATCH_TABLE} WHERE error IS NOT NULL`,
    );
    const groups: BatchGroup[] = [];
    const refused: RefusedRecord[] = [];
    let rowCount = 0;
    for (const row of reader.getRows()) {
      rowCount += Number(row[4]);
      if (row[0] === true) {
        groups.push({
          type: row[1] === null ? undefined : String(row[1]),
          bucketMs: row[2] === null ? undefined : Number(row[2]),
          lastIndex: Number(row[3]),
          keys: Object.fromEntries(Object.keys(this.delivery.partitionKeys).map((key, k) => [key, String(row[7 + k])])),
        });
      } else {
        // The message comes with describeRefused; the error type alone until then.
        refused.push({ index: Number(row[3]), errorType: String(row[5]) as LakeErrorType, message: row[6] === null ? `refused: ${String(row[5])}` : String(row[6]) });
      }
    }
    refused.sort((a, b) => a.index - b.index);
    await this.describeRefused(refused, linesPath);
    return { groups, refused, rowCount };
  }

  /**
   * The messages of refused records: the batch table names only the failing check's error type, and the
   * few records that failed are read again with the messages (the same checks, so the same first failure).
   */
  private async describeRefused(refused: RefusedRecord[], linesPath: string): Promise<void> {
    if (refused.length === 0) return;
    const reader = await this.connection.runAndReadAll(this.records.selectErrors(this.records.stagedRelation(linesPath), refused.map((record) => record.index)));
    const described = new Map<number, { error_type: string; message: string }>();
    for (const [index, error] of reader.getRowObjectsJS().map((row) => [Number(row["i"]), row["error"]] as const)) {
      described.set(index, error as { error_type: string; message: string });
    }
    for (const record of refused) {
      const error = described.get(record.index);
      if (error) record.message = error.message;
    }
  }

  /** Staged records the reader could not parse (their lines are not JSON): missing from the batch table. */
  private async unreadRecords(batch: ShardBatch, rowCount: number): Promise<RefusedRecord[]> {
    if (rowCount === batch.lines.lineCount) return [];
    const read = new Set((await this.connection.runAndReadAll(`SELECT i FROM ${BATCH_TABLE}`)).getRows().map((row) => Number(row[0])));
    return batch.lines
      .stagedIndexes()
      .filter((index) => !read.has(index))
      .map((index) => ({ index, errorType: "invalid_json", message: notJsonMessage(batch.lines.recordAt(index)) }));
  }

  private copyStatement(output: StagedFile): string {
    const target = quoteSqlString(output.path);
    if (!output.table) {
      const compression = this.delivery.config.compression === "gzip" ? "gzip" : "zstd";
      // A CSV of one column, without quoting or escaping, writes each line back byte for byte.
      return (
        `COPY (SELECT line FROM ${BATCH_TABLE} WHERE error IS NULL AND ${output.filter}) TO ${target} ` +
        `(FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '${String.fromCharCode(FIELD_SEPARATOR)}', COMPRESSION ${compression})`
      );
    }
    const rows = selectTableRows(output.table.table, BATCH_TABLE, `error IS NULL AND ${output.filter}`);
    return `COPY (${rows}) TO ${target} (FORMAT parquet, COMPRESSION ${this.delivery.config.compression})`;
  }

  /**
   * The expectations of each table, over the objects staged for it: the rows a query would read once they
   * are published. Reading the staged Parquet back costs far less than keeping the rows a second time.
   */
  private audits(staged: readonly StagedFile[]): ExpectationCheck[] {
    const checks: ExpectationCheck[] = [];
    for (const delivered of this.delivery.tables) {
      const files = staged.filter((output) => output.table === delivered).map((output) => quoteSqlString(output.path));
      if (files.length === 0) continue;
      const relation = `read_parquet([${files.join(", ")}])`;
      for (const expectation of delivered.expectations) checks.push({ table: delivered.table.name, expectation, relation });
    }
    return checks;
  }

  /**
   * The records whose rows a blocking expectation held back: each goes to the error prefix once per
   * table, naming the table and the failed expectations.
   */
  private async blockedRecords(outcomes: readonly ExpectationOutcome[], staged: readonly StagedFile[]): Promise<{ tables: Set<string>; records: RefusedRecord[] }> {
    const failures = new Map<string, string[]>();
    for (const outcome of outcomes) {
      if (outcome.passed || !outcome.blocking) continue;
      const list = failures.get(outcome.table) ?? [];
      list.push(`${outcome.expectation} failed on ${outcome.failingRows} of ${outcome.checkedRows} rows${outcome.observed ? ` (${outcome.observed})` : ""}`);
      failures.set(outcome.table, list);
    }
    const records: RefusedRecord[] = [];
    for (const [table, problems] of failures) {
      const filters = staged.filter((output) => output.table?.table.name === table).map((output) => `(${output.filter})`);
      const reader = await this.connection.runAndReadAll(`SELECT i FROM ${BATCH_TABLE} WHERE error IS NULL AND (${filters.join(" OR ")}) ORDER BY i`);
      const message = `the batch's ${table} rows failed a blocking expectation: ${problems.join("; ")}`;
      for (const row of reader.getRows()) records.push({ index: Number(row[0]), errorType: "expectation_failed", message, table });
    }
    return { tables: new Set(failures.keys()), records };
  }

  /**
   * Writes every staged object (a COPY each) and, in the same call, audits them and counts their rows:
   * the row counts come back as extra rows of the expectations' result, k = -1 for the first object.
   */
  private async writeAndAudit(staged: readonly StagedFile[]): Promise<{ expectations: ExpectationOutcome[]; rows: number[] }> {
    if (staged.length === 0) return { expectations: [], rows: [] };
    const checks = this.audits(staged);
    const copies = staged.map((output) => `${this.copyStatement(output)};\n`).join("");
    const reader = await this.connection.runAndReadAll(`${copies}${expectationsQuery(checks)} UNION ALL ${this.rowCountsQuery(staged)}`);
    const result = reader.getRows();
    const rows = new Map(result.filter((row) => Number(row[0]) < 0).map((row) => [-1 - Number(row[0]), Number(row[2])]));
    return { expectations: expectationOutcomes(checks, result), rows: staged.map((_, n) => rows.get(n) ?? 0) };
  }

  /** Rows in each staged object, as rows (k, NULL, rows, NULL, NULL): from the Parquet footers, or counted in the batch for NDJSON. */
  private rowCountsQuery(outputs: readonly StagedFile[]): string {
    const ks = outputs.map((_, n) => -1 - n).join(", ");
    if (this.delivery.prefix) {
      const counts = outputs.map((output) => `count(*) FILTER (WHERE ${output.filter})`);
      return `SELECT unnest([${ks}]), NULL::BOOLEAN, unnest([${counts.join(", ")}]), NULL::BIGINT, NULL::VARCHAR FROM ${BATCH_TABLE} WHERE error IS NULL`;
    }
    const paths = outputs.map((output) => quoteSqlString(output.path)).join(", ");
    return `SELECT -list_position([${paths}], file_name), NULL::BOOLEAN, num_rows, NULL::BIGINT, NULL::VARCHAR FROM parquet_file_metadata([${paths}])`;
  }
}

/**
 * Writes a file off the JavaScript thread in one request. fs.writeFile would take a turn of the event loop
 * per 512 KiB, and a synchronous write would hold the loop (and every DuckDB callback) for a full buffer.
 */
async function writeWhole(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, "w");
  try {
    for (let offset = 0; offset < bytes.byteLength; ) offset += (await handle.write(bytes, offset, bytes.byteLength - offset)).bytesWritten;
  } finally {
    await handle.close();
  }
}

/** Why a line of staged bytes is not JSON, in JSON.parse's words. */
function notJsonMessage(bytes: Buffer | undefined): string {
  try {
    JSON.parse(bytes?.toString("utf8") ?? "");
    return "record is not JSON DuckDB can read";
  } catch (error) {
    return `record is not JSON: ${(error as Error).message}`;
  }
}
