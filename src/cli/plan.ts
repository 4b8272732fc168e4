// `shopstream plan`: runs store planning once against a data dir: SQL over its lake finds what is below the
// reorder point, alerts go to its replenishment queue, the serving store's reorder levels are refreshed,
// and the report prints as a table or JSON. The pipeline config's `planning` and `inventory` sections
// apply (--config; default the built-in one), and the options below override them. It works while
// `shopstream up` runs on the same data dir: the queue and store are SQLite in WAL mode, which takes a
// second process, and the lake is read only.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { openAnalytics } from "../analytics/index.js";
import { loadPipelineConfig } from "../config/index.js";
import { NotFoundError } from "../errors/index.js";
import { formatPlanningReport, planningMigrations, reorderPolicyMigrations, StorePlanning } from "../planning/index.js";
import { SqliteQueue } from "../queue/index.js";
import { migrate, openServingStore } from "../store/index.js";
import { action, parseNumberOption } from "./errors.js";

interface PlanOptions {
  dataDir: string;
  config?: string;
  format: "table" | "json";
  store?: string;
  queue?: string;
  demandWindowDays?: number;
  dedupWindowHours?: number;
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("run store planning once: find each store and product below its reorder point and send one replenishment alert per need")
    .option("--data-dir <dir>", "the data directory of `shopstream up`", "./.shopstream")
    .option("--config <file>", "pipeline config (YAML) whose planning and inventory sections apply; default the built-in one")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .option("--store <id>", "plan for this store only")
    .option("--queue <name>", "the queue alerts go to (default planning.queue)")
    .option("--demand-window-days <days>", "recent demand is what sold in this many days (default planning.demandWindowDays)", parseNumberOption("--demand-window-days", 0, 365))
    .option(
      "--dedup-window-hours <hours>",
      "a need alerted within this long is not sent again (default planning.dedupWindowMs)",
      parseNumberOption("--dedup-window-hours", 0, 24 * 30),
    )
    .action(
      action(async (options: PlanOptions) => {
        if (!existsSync(options.dataDir)) {
          throw new NotFoundError(`no data directory at ${options.dataDir}: run \`shopstream up\` first, or pass --data-dir`);
        }
        const config = loadPipelineConfig(options.config);
        const queue = new SqliteQueue({ path: join(options.dataDir, "queue.db") });
        const store = await openServingStore(config.store, { sqlitePath: join(options.dataDir, "store.db") });
        const analytics = await openAnalytics({ lakeDir: join(options.dataDir, "lake") });
        try {
          // The data dir of `up` has core's tables; the reorder policy adds columns to its inventory.
          await migrate(store, [...planningMigrations, ...reorderPolicyMigrations]);
          const onError = (error: unknown) => process.stderr.write(`the reorder levels were not refreshed: ${error instanceof Error ? error.message : String(error)}\n`);
          const planning = StorePlanning.fromConfig(config, { analytics, queue, store, onError });
          const report = await planning.run({
            ...(options.queue !== undefined && { queueName: options.queue }),
            ...(options.store !== undefined && { storeId: options.store }),
            ...(options.demandWindowDays !== undefined && { demandWindowDays: options.demandWindowDays }),
            ...(options.dedupWindowHours !== undefined && { dedupWindowMs: options.dedupWindowHours * 3_600_000 }),
          });
          process.stdout.write(options.format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatPlanningReport(report));
          if (report.failed > 0) process.exitCode = 1;
        } finally {
          await analytics.close();
          await store.close();
          await queue.close();
        }
      }),
    );
}
