// Scenario: the pipeline spread over processes on this machine: one ingest process and 1, 2 and 3
// worker processes (`shopstream up --role …`) on a private nats-server, PostgreSQL and an s3rver lake
// (src/test-support/cluster.ts). End to end: events posted by 4 concurrent clients until every function
// has processed them (lag 0 on every function consumer), next to the raw JetStream publish rate of the
// same batches (bench/scenarios/jetstream.ts) measured against the same server in the same run.
import { generateEvents } from "../../src/simulator/index.js";
import type { PutRecordInput } from "../../src/stream/index.js";
import { clusterLag, sendLoad, startCluster } from "../../src/test-support/cluster.js";
import { ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";
import { rawPublishRate } from "./jetstream.js";

const FUNCTION_CONSUMERS = ["function:enrich", "function:orders", "function:customers", "function:fraud"];
const BATCH = 500;

export async function benchCluster(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 20_000 : 100_000;
  const events = generateEvents({ seed: 5 }, count);
  const figures: Figure[] = [];
  for (const workers of [1, 2, 3]) {
    const cluster = await startCluster({ workers });
    try {
      // Wait until the workers split every lease, so the run measures processing, not the handover.
      await waitForLeases(cluster, workers);
      let maxLag = 0;
      const started = performance.now();
      let polling = true;
      const sampling = (async () => {
        while (polling) {
          const lag = await clusterLag(cluster).catch(() => undefined);
          if (lag) maxLag = Math.max(maxLag, FUNCTION_CONSUMERS.reduce((sum, name) => sum + (lag[name] ?? 0), 0));
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      })();
      const load = await sendLoad(() => cluster.ingest.url, events, { clients: 4, batch: BATCH });
      if (load.acked.size !== count) throw new Error(`only ${load.acked.size} of ${count} events were acknowledged`);
      const ingestMs = performance.now() - started;
      for (;;) {
        const lag = await clusterLag(cluster);
        if (FUNCTION_CONSUMERS.every((name) => lag[name] === 0)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const endToEndMs = performance.now() - started;
      polling = false;
      await sampling;

      const batches: PutRecordInput[][] = [];
      for (let i = 0; i < count; i += BATCH) {
        batches.push(events.slice(i, i + BATCH).map((event) => ({ partitionKey: event.event_id, data: Buffer.from(JSON.stringify(event)) })));
      }
      const raw = await rawPublishRate(cluster.nats.servers, `${cluster.prefix}-raw`, batches);
      const limit = { name: "raw JetStream publish of the same batches", value: raw };
      figures.push(
        { scenario: "cluster", metric: `end to end, ${workers} worker process${workers > 1 ? "es" : ""} (ingest accepted → all 4 functions done)`, value: ratePerSec(count, endToEndMs), unit: "events/s", limit },
        { scenario: "cluster", metric: `ingest accepted, ${workers} worker process${workers > 1 ? "es" : ""} running`, value: ratePerSec(count, ingestMs), unit: "events/s", limit },
        { scenario: "cluster", metric: `largest function lag during the run, ${workers} worker${workers > 1 ? "s" : ""}`, value: maxLag, unit: "records" },
      );
    } finally {
      await cluster.stop();
    }
  }
  return figures;
}

async function waitForLeases(cluster: Awaited<ReturnType<typeof startCluster>>, workers: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const rows = await cluster.sql<{ owners: string; free: string }>(
      "SELECT count(DISTINCT owner) AS owners, count(*) FILTER (WHERE owner IS NULL OR expires_at <= now()) AS free FROM cluster_leases",
    );
    if (Number(rows[0]?.owners) === workers && Number(rows[0]?.free) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the ${workers} workers did not split the leases within 60 s`);
}
