// `npm run bench [-- --quick] [-- --only ingest,stream]`: runs the benchmark scenarios on embedded
// defaults. Every figure is printed next to a raw limit measured in the same run, and the whole run is
// kept in bench/results/latest.json.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machine, printTable, writeResults, type Figure } from "./lib/report.js";

// Before the scenarios load: the loggers read their level when their module loads.
process.env["SHOPSTREAM_LOG_LEVEL"] ??= "warn";
const { benchIngest } = await import("./scenarios/ingest.js");
const { benchE2e } = await import("./scenarios/e2e.js");
const { benchLake } = await import("./scenarios/lake.js");
const { benchPlanning } = await import("./scenarios/planning.js");
const { benchFraud } = await import("./scenarios/fraud.js");
const { benchFunctions } = await import("./scenarios/functions.js");
const { benchQueries } = await import("./scenarios/queries.js");
const { benchQueue } = await import("./scenarios/queue.js");
const { benchStream } = await import("./scenarios/stream.js");
const { benchJetStream } = await import("./scenarios/jetstream.js");
const { benchCluster } = await import("./scenarios/cluster.js");

const scenarios: Record<string, (options: { quick: boolean; dir: string }) => Promise<Figure[]>> = {
  ingest: benchIngest,
  stream: benchStream,
  jetstream: benchJetStream,
  cluster: benchCluster,
  functions: benchFunctions,
  e2e: benchE2e,
  queue: benchQueue,
  lake: benchLake,
  queries: benchQueries,
  fraud: benchFraud,
  planning: benchPlanning,
};

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string" }, help: { type: "boolean", default: false } },
});
if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--only ${Object.keys(scenarios).join(",")}]`);
  process.exit(0);
}
const selected = values.only ? values.only.split(",") : Object.keys(scenarios);
const unknown = selected.filter((s) => !scenarios[s]);
if (unknown.length > 0) {
  console.error(`bench: unknown scenario ${unknown.join(", ")}; choose from ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}

const m = machine();
console.log(`shopstream bench${values.quick ? " (quick)" : ""} on ${m.cpus}× ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}\n`);
const figures: Figure[] = [];
for (const name of selected) {
  const dir = mkdtempSync(join(tmpdir(), `shopstream-bench-${name}-`));
  try {
    process.stdout.write(`running ${name}…\n`);
    figures.push(...(await scenarios[name]!({ quick: values.quick, dir })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log("");
printTable(figures);
const out = new URL("./results/latest.json", import.meta.url).pathname;
writeResults(out, figures, { quick: values.quick });
console.log(`\nresults written to ${out}`);
