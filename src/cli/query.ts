// `shopstream query "SQL"`: one statement over the Parquet lake (a query, EXPLAIN, DESCRIBE, or CREATE TABLE
// … AS SELECT into the lake), printed as a table, JSON or CSV. A query that runs longer than a second shows
// a progress line on a terminal's stderr. Errors in the SQL print DuckDB's message, the line it points at
// with a caret under the spot, and exit with code 1.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { formatResult, KPI_VIEWS, openAnalytics, RESULT_FORMATS, SqlError, type QueryProgress, type ResultFormat, type SqlPosition } from "../analytics/index.js";
import { NotFoundError } from "../errors/index.js";
import { LAKE_TABLES } from "../lake/index.js";
import { action } from "./errors.js";

interface QueryOptions {
  format: ResultFormat;
  dataDir: string;
}

/** Quick queries print nothing but their result; the progress line starts after this long. */
const PROGRESS_AFTER_MS = 1000;
const PROGRESS_INTERVAL_MS = 200;
/** The widest excerpt of a long SQL line shown around an error. */
const EXCERPT_CHARS = 100;

export function registerQuery(program: Command): void {
  const names = [...LAKE_TABLES.map((table) => table.name), ...KPI_VIEWS.map((view) => view.name)].join(", ");
  program
    .command("query")
    .description(`run one SQL statement (DuckDB) over the Parquet lake: tables and views ${names}; CREATE TABLE … AS SELECT writes a table into the lake`)
    .argument("<sql>", 'the statement, e.g. "select * from daily_sales order by dt"')
    .addOption(new Option("--format <format>", "output format").choices(RESULT_FORMATS).default("table"))
    .option("--data-dir <dir>", "the data directory of `shopstream up`; the lake is <dir>/lake", "./.shopstream")
    .action(
      action(async (sql: string, options: QueryOptions) => {
        if (!existsSync(options.dataDir)) {
          throw new NotFoundError(`no data directory at ${options.dataDir}: run \`shopstream up\` first, or pass --data-dir`);
        }
        const engine = await openAnalytics({ lakeDir: join(options.dataDir, "lake") });
        const progress = process.stderr.isTTY ? new ProgressLine() : undefined;
        try {
          const result = await engine.execute(sql, { onProgress: progress && ((update) => progress.show(update)), progressIntervalMs: PROGRESS_INTERVAL_MS });
          progress?.clear();
          process.stdout.write(formatResult(result, options.format));
        } catch (error) {
          progress?.clear();
          if (!(error instanceof SqlError) || !error.position) throw error;
          process.stderr.write(`shopstream: ${error.message}\n${excerpt(sql, error.position)}`);
          process.exitCode = 1;
        } finally {
          await engine.close();
        }
      }),
    );
}

/** One line on stderr, rewritten in place: elapsed time and DuckDB's estimate of how far the query is. */
class ProgressLine {
  private readonly startedMs = Date.now();
  private shown = false;

  show(progress: QueryProgress): void {
    const elapsedMs = Date.now() - this.startedMs;
    if (elapsedMs < PROGRESS_AFTER_MS) return;
    const parts = [`running ${(elapsedMs / 1000).toFixed(1)} s`];
    if (progress.percent !== undefined) parts.push(`${progress.percent.toFixed(0)}%`);
    if (progress.totalRowsToProcess > 0) {
      parts.push(`${progress.rowsProcessed.toLocaleString("en-US")} of ${progress.totalRowsToProcess.toLocaleString("en-US")} rows`);
    }
    process.stderr.write(`\r\x1b[2K${parts.join(" · ")}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write("\r\x1b[2K");
    this.shown = false;
  }
}

/** The SQL line an error points at and a caret under the spot, as DuckDB's own shell prints them. */
function excerpt(sql: string, position: SqlPosition): string {
  const line = sql.split("\n")[position.line - 1] ?? "";
  const chars = [...line];
  const column = position.column - 1;
  const from = Math.max(0, Math.min(column - EXCERPT_CHARS / 2, chars.length - EXCERPT_CHARS));
  const prefix = `LINE ${position.line}: ${from > 0 ? "…" : ""}`;
  const shown = chars.slice(from, from + EXCERPT_CHARS).join("");
  return `${prefix}${shown}${from + EXCERPT_CHARS < chars.length ? "…" : ""}\n${" ".repeat(prefix.length + column - from)}^\n`;
}
