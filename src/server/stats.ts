// Live figures for the dashboard and `GET /v1/stats`: counters from the metrics registry, consumer lag,
// and serving-store totals.
import { registry } from "../monitor/index.js";
import type { Pipeline } from "../pipeline/index.js";

export interface PipelineStats {
  at: string;
  ingest: { accepted: number; rejected: number };
  functions: Record<string, { ok: number; error: number }>;
  lag: Record<string, number>;
  lake: { records: Record<string, number>; files: number };
  store: { orders: number; revenue: number; lowStock: number };
  /** how many alarms are in each state */
  alarms: { OK: number; ALARM: number; INSUFFICIENT_DATA: number };
}

async function counterValues(name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

export async function collectStats(pipeline: Pipeline): Promise<PipelineStats> {
  const ingest = { accepted: 0, rejected: 0 };
  for (const v of await counterValues("shopstream_ingest_events_total")) {
    if (v.labels["result"] === "accepted") ingest.accepted = v.value;
    if (v.labels["result"] === "rejected") ingest.rejected = v.value;
  }
  const functions: PipelineStats["functions"] = {};
  for (const v of await counterValues("shopstream_function_records_total")) {
    const name = String(v.labels["function"]);
    const entry = (functions[name] ??= { ok: 0, error: 0 });
    if (v.labels["result"] === "ok") entry.ok = v.value;
    if (v.labels["result"] === "error") entry.error = v.value;
  }
  const lake = { records: {} as Record<string, number>, files: 0 };
  for (const v of await counterValues("shopstream_lake_records_total")) lake.records[String(v.labels["table"])] = v.value;
  for (const v of await counterValues("shopstream_lake_files_total")) lake.files += v.value;
  const totals = await pipeline.store.get<{ orders: number; revenue: number | null }>(
    "SELECT count(*) AS orders, sum(total) AS revenue FROM orders",
  );
  const low = await pipeline.store.get<{ n: number }>("SELECT count(*) AS n FROM inventory WHERE on_hand - reserved < reorder_point");
  return {
    at: new Date().toISOString(),
    ingest,
    functions,
    lag: await pipeline.lag(),
    lake,
    store: { orders: Number(totals?.orders ?? 0), revenue: Math.round(Number(totals?.revenue ?? 0) * 100) / 100, lowStock: Number(low?.n ?? 0) },
    alarms: pipeline.alarms.stateCounts(),
  };
}
