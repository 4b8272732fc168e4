// `shopstream query "SQL"`: one read-only SQL statement over the Parquet lake, printed as a table, JSON or
// CSV. Errors in the SQL print DuckDB's message on one line and exit with code 1.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { formatResult, openAnalytics, RESULT_FORMATS, type ResultFormat } from "../analytics/index.js";
import { NotFoundError } from "../errors/index.js";
import { action } from "./errors.js";

interface QueryOptions {
  format: ResultFormat;
  dataDir: string;
}

export function registerQuery(program: Command): void {
  program
    .command("query")
    .description("run one read-only SQL query (DuckDB) over the Parquet lake: tables events, orders, order_items, page_views, inventory_snapshots, reviews, payments")
    .argument("<sql>", 'the query, e.g. "select count(*) from orders"')
    .addOption(new Option("--format <format>", "output format").choices(RESULT_FORMATS).default("table"))
    .option("--data-dir <dir>", "the data directory of `shopstream up`; the lake is <dir>/lake", "./.shopstream")
    .action(
      action(async (sql: string, options: QueryOptions) => {
        if (!existsSync(options.dataDir)) {
          throw new NotFoundError(`no data directory at ${options.dataDir}: run \`shopstream up\` first, or pass --data-dir`);
        }
        const engine = await openAnalytics({ lakeDir: join(options.dataDir, "lake") });
        try {
          process.stdout.write(formatResult(await engine.query(sql), options.format));
        } finally {
          await engine.close();
        }
      }),
    );
}
