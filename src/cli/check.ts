// `shopstream check`: runs every table's data-quality expectations over the whole lake and prints one row
// per expectation (or JSON). Exits with code 1 when a blocking expectation fails, so a scheduler or CI can
// stop on bad data.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { formatResult } from "../analytics/index.js";
import { loadPipelineConfig } from "../config/index.js";
import { NotFoundError } from "../errors/index.js";
import { runQualityCheck, type QualityCheckReport } from "../lake/index.js";
import { action } from "./errors.js";

const CHECK_FORMATS = ["table", "json"] as const;

interface CheckOptions {
  dataDir: string;
  config?: string;
  format: (typeof CHECK_FORMATS)[number];
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("run every data-quality expectation over the whole lake; exit code 1 when a blocking one fails")
    .option("--data-dir <dir>", "the data directory of `shopstream up`; the lake is <dir>/lake", "./.shopstream")
    .option("--config <file>", "the pipeline config whose tables' expectations to check (default: the built-in config)")
    .addOption(new Option("--format <format>", "output format").choices(CHECK_FORMATS).default("table"))
    .action(
      action(async (options: CheckOptions) => {
        if (!existsSync(options.dataDir)) {
          throw new NotFoundError(`no data directory at ${options.dataDir}: run \`shopstream up\` first, or pass --data-dir`);
        }
        const config = loadPipelineConfig(options.config);
        const report = await runQualityCheck({ lakeDir: join(options.dataDir, "lake"), tables: config.tables });
        process.stdout.write(options.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
        if (!report.passed) process.exitCode = 1;
      }),
    );
}

function renderReport(report: QualityCheckReport): string {
  const table = formatResult(
    {
      columns: ["table", "expectation", "blocking", "result", "failing_rows", "checked_rows", "observed"].map((name) => ({
        name,
        type: name.endsWith("_rows") ? "BIGINT" : "VARCHAR",
      })),
      rows: report.outcomes.map((outcome) => [
        outcome.table,
        outcome.expectation,
        outcome.blocking ? "yes" : "no",
        outcome.passed ? "passed" : "FAILED",
        outcome.failingRows,
        outcome.checkedRows,
        outcome.observed,
      ]),
    },
    "table",
  );
  const failedBlocking = report.outcomes.filter((outcome) => !outcome.passed && outcome.blocking).length;
  const verdict = report.passed ? "every blocking expectation passed" : `${failedBlocking} blocking expectation(s) failed`;
  return `${table}\n${verdict}\n`;
}
