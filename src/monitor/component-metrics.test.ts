// The uniform component metrics (docs/monitoring.md): after a short simulated run every component emits
// received and sent, the busy ones their durations; and the spec lists every metric the registry has, so
// it cannot go stale.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { generateEvents } from "../simulator/index.js";
import { startTestServer, waitFor } from "../test-support/server.js";
import { registry } from "./index.js";

const SPEC = readFileSync(new URL("../../docs/monitoring.md", import.meta.url), "utf8");

function seriesValue(text: string, metric: string, labels: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${metric}{${labels}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

it("every component emits the uniform series after a short simulated run", { timeout: 90_000 }, async (t) => {
  const { url, pipeline } = await startTestServer(t);
  const events = generateEvents({ seed: 11 }, 600);
  const response = await fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: events.map((e) => JSON.stringify(e)).join("\n") });
  assert.ok(response.status === 200 || response.status === 400);
  const functionsLag = async () => Object.entries(await pipeline.lag()).filter(([consumer]) => consumer.startsWith("function:")).map(([, n]) => n);
  await waitFor(async () => (await functionsLag()).every((n) => n === 0), 60_000, "the functions to catch up");
  await Promise.all(pipeline.lakes.map((lake) => lake.flush()));
  const query = await fetch(`${url}/v1/queries`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sql: "select 1" }) });
  assert.ok(query.ok);
  await fetch(`${url}/v1/planning/run`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });

  let metrics = "";
  await waitFor(async () => {
    metrics = await (await fetch(`${url}/metrics`)).text();
    return (seriesValue(metrics, "shopstream_component_received_total", 'component="analytics"') ?? 0) > 0;
  }, 20_000, "the analytics query to be counted");

  const components = [
    "ingest",
    "stream:events",
    "stream:curated",
    ...pipeline.functions.functionNames.map((name) => `function:${name}`),
    ...pipeline.lakes.map((lake) => lake.consumerName),
    "queue:replenishment",
    "dispatcher",
    "planning",
    "analytics",
  ];
  for (const component of components) {
    for (const metric of ["shopstream_component_received_total", "shopstream_component_sent_total"]) {
      assert.notEqual(seriesValue(metrics, metric, `component="${component}"`), undefined, `${metric}{component="${component}"}`);
    }
  }
  const busy = ["ingest", "stream:events", "stream:curated", "function:enrich", "function:orders", "function:customers", "function:fraud", ...pipeline.lakes.map((lake) => lake.consumerName), "planning", "analytics"];
  for (const component of busy) {
    assert.ok((seriesValue(metrics, "shopstream_component_received_total", `component="${component}"`) ?? 0) > 0, `${component} received something`);
    assert.ok(new RegExp(`shopstream_component_duration_seconds_count\\{component="${component}",operation="\\w+"\\} [1-9]`).test(metrics), `${component} timed its work`);
  }
  for (const component of ["ingest", "stream:events", "function:enrich", "function:orders", ...pipeline.lakes.map((lake) => lake.consumerName)]) {
    assert.ok((seriesValue(metrics, "shopstream_component_sent_total", `component="${component}"`) ?? 0) > 0, `${component} sent something`);
  }
  // consumers report their lag and iterator age
  await waitFor(async () => seriesValue(await (await fetch(`${url}/metrics`)).text(), "shopstream_component_lag", 'component="function:orders"') !== undefined, 5_000, "the lag gauge");
  assert.ok(/shopstream_component_iterator_age_seconds\{component="function:enrich",stream="events",shard="shardId-000000000000"\}/.test(metrics), "iterator age");
});

it("docs/monitoring.md lists every registered metric", async () => {
  const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name).filter((name) => !name.startsWith("shopstream_process_"));
  const missing = names.filter((name) => !SPEC.includes(`\`${name}\``));
  assert.deepEqual(missing, [], "metrics the spec does not list");
  assert.ok(SPEC.includes("shopstream_process_"), "the Node.js process metrics are mentioned as a group");
});
