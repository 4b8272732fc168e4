// `shopstream plan`: runs store planning once against a data dir: SQL over its lake finds what is below the
// reorder point, alerts go to its replenishment queue, and the report prints as a table or JSON. It works
// while `shopstream up` runs on the same data dir: the queue and store are SQLite in WAL mode, which takes
// a second process, and the lake is read only.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { openAnalytics } from "../analytics/index.js";
import { NotFoundError } from "../errors/index.js";
import { DEFAULT_DEDUP_WINDOW_MS, DEFAULT_DEMAND_WINDOW_DAYS, formatPlanningReport, planningMigrations, runPlanning } from "../planning/index.js";
import { SqliteQueue } from "../queue/index.js";
import { migrate, SqliteStore } from "../store/index.js";
import { action, parseNumberOption } from "./errors.js";

interface PlanOptions {
  dataDir: string;
  format: "table" | "json";
  store?: string;
  queue: string;
  demandWindowDays: number;
  dedupWindowHours: number;
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("run store planning once: find each store and product below its reorder point and send one replenishment alert per need")
    .option("--data-dir <dir>", "the data directory of `shopstream up`", "./.shopstream")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .option("--store <id>", "plan for this store only")
    .option("--queue <name>", "the queue alerts go to", "replenishment")
    .option("--demand-window-days <days>", "recent demand is what sold in this many days", parseNumberOption("--demand-window-days", 0, 365), DEFAULT_DEMAND_WINDOW_DAYS)
    .option(
      "--dedup-window-hours <hours>",
      "a need alerted within this long is not sent again",
      parseNumberOption("--dedup-window-hours", 0, 24 * 30),
      DEFAULT_DEDUP_WINDOW_MS / 3_600_000,
    )
    .action(
      action(async (options: PlanOptions) => {
        if (!existsSync(options.dataDir)) {
          throw new NotFoundError(`no data directory at ${options.dataDir}: run \`shopstream up\` first, or pass --data-dir`);
        }
        const queue = new SqliteQueue({ path: join(options.dataDir, "queue.db") });
        const store = new SqliteStore({ path: join(options.dataDir, "store.db") });
        const analytics = await openAnalytics({ lakeDir: join(options.dataDir, "lake") });
        try {
          await migrate(store, planningMigrations);
          const report = await runPlanning({
            analytics,
            queue,
            store,
            queueName: options.queue,
            ...(options.store !== undefined && { storeId: options.store }),
            demandWindowDays: options.demandWindowDays,
            dedupWindowMs: options.dedupWindowHours * 3_600_000,
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
