// Bench output: one row per figure, with the raw limit it is compared to and the ratio, printed as a table
// and kept as JSON in bench/results/latest.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

export interface Figure {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** the raw limit measured in the same run, in the same unit */
  limit?: { name: string; value: number };
  /** a target from the issues, for the reader: "≥ 250000" */
  target?: string;
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(value >= 10 ? 1 : 2);
}

export function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.scenario,
    f.metric,
    `${fmt(f.value)} ${f.unit}`,
    f.limit ? `${fmt(f.limit.value)} ${f.unit} (${f.limit.name})` : "",
    f.limit ? `${(f.value / f.limit.value).toFixed(2)}` : "",
    f.target ?? "",
  ]);
  const header = ["scenario", "metric", "value", "raw limit (same run)", "ratio", "target"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

export function machine() {
  const cpu = cpus()[0];
  return { cpus: cpus().length, cpuModel: cpu?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
}

export function writeResults(path: string, figures: Figure[], options: { quick: boolean }): void {
  mkdirSync(new URL(".", `file://${path}`).pathname, { recursive: true });
  writeFileSync(path, JSON.stringify({ at: new Date().toISOString(), quick: options.quick, machine: machine(), figures }, null, 2) + "\n");
}
