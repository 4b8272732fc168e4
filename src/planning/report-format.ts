// A planning report as a person reads it: one line of totals, then a table of the needs found.
import type { PlanningReport } from "./planner.js";
import type { LevelsRefresh } from "./reorder-levels.js";

const COLUMNS = ["store_id", "product_id", "current_level", "reorder_point", "target_level", "reorder_source", "avg_daily_demand", "quantity", "priority", "outcome"] as const;

export function formatPlanningReport(report: PlanningReport & { levelsRefresh?: LevelsRefresh }): string {
  const head =
    `planning run ${report.runId}: ${report.storesChecked.toLocaleString("en-US")} stores, ` +
    `${report.productsChecked.toLocaleString("en-US")} store products checked in ${report.durationMs} ms (SQL ${report.queryMs} ms); ` +
    `${report.belowReorderPoint.length} below the reorder point, ${report.sent} sent, ${report.duplicates} already sent within the window` +
    (report.failed > 0 ? `, ${report.failed} failed to send` : "") +
    "\n" +
    (report.levelsRefresh
      ? `reorder levels: ${report.levelsRefresh.selling} store products sold in the demand window, ${report.levelsRefresh.derived} derived, ` +
        `${report.levelsRefresh.reverted} back to their configured levels\n`
      : "");
  if (report.belowReorderPoint.length === 0) return head;
  const rows = report.belowReorderPoint.map((need) => COLUMNS.map((column) => String(need[column])));
  const widths = COLUMNS.map((column, i) => Math.max(column.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [head, line(COLUMNS), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}
