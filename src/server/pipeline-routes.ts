// Pipeline health over HTTP: GET /v1/pipeline (throughput, lag and errors per component, queues, lake
// freshness, alarm counts; rates over the last ~10 s from the metrics registry), GET /v1/alarms (each
// alarm's state and history) and POST /v1/queues/:name/redrive (move a dead-letter queue's messages back).
import type { FastifyInstance } from "fastify";
import type { AlarmStatus } from "../alarms/alarm-service.js";
import { ValidationError } from "../errors/index.js";
import { matchesLabels, PIPELINE_RATE_METRICS, readSnapshot, registry, type RegistrySnapshot } from "../monitor/index.js";
import type { Pipeline } from "../pipeline/index.js";
import { readQueueGauges } from "../queue/index.js";

const RATE_WINDOW_MS = 10_000;

export interface ComponentHealth {
  component: string;
  received_per_sec: number;
  sent_per_sec: number;
  errors_per_sec: number;
  received_total: number;
  sent_total: number;
  errors_total: number;
  discarded_total: number;
}

export interface PipelineHealth {
  at: string;
  components: ComponentHealth[];
  consumers: Array<{ consumer: string; stream: string; lag_records: number; iterator_age_ms: number }>;
  functions: Array<{ name: string; ok: number; errors: number; retries: number }>;
  queues: Array<{ name: string; visible: number; in_flight: number; delayed: number; dead_letter_for: string[] }>;
  lake: Array<{ table: string; files: number; records: number; last_delivery_at: string | null; freshness_ms: number | null }>;
  alarms: { OK: number; ALARM: number; INSUFFICIENT_DATA: number };
}

/** An alarm as GET /v1/alarms shows it: its state, rule and history, without the metric's labels. */
export type AlarmView = Omit<AlarmStatus, "labels" | "actionsEnabled">;

/** GET /v1/alarms */
export interface AlarmList {
  alarms: AlarmView[];
}

export async function registerPipelineRoutes(app: FastifyInstance, pipeline: Pipeline): Promise<void> {
  app.get("/v1/pipeline", async () => pipelineHealth(pipeline));

  app.get("/v1/alarms", async (): Promise<AlarmList> => ({
    alarms: pipeline.alarms.list().map((alarm) => ({
      name: alarm.name,
      description: alarm.description,
      state: alarm.state,
      stateReason: alarm.stateReason,
      stateUpdatedAt: alarm.stateUpdatedAt,
      metric: alarm.metric,
      statistic: alarm.statistic,
      periodSec: alarm.periodSec,
      threshold: alarm.threshold,
      comparison: alarm.comparison,
      evaluationPeriods: alarm.evaluationPeriods,
      datapointsToAlarm: alarm.datapointsToAlarm,
      treatMissingData: alarm.treatMissingData,
      history: alarm.history,
    })),
  }));

  app.post<{ Params: { name: string }; Body: { destination?: unknown } | undefined }>("/v1/queues/:name/redrive", async (request) => {
    const { name } = request.params;
    const destination = request.body?.destination;
    if (destination !== undefined && typeof destination !== "string") throw new ValidationError("destination: expected a queue name");
    await pipeline.queue.describeQueue(name); // 404 for a queue that does not exist
    const sources = await deadLetterSources(pipeline, name);
    if (sources.length === 0) throw new ValidationError(`queue ${name} is not the dead-letter queue of any queue`, "not_a_dead_letter_queue");
    if (destination !== undefined) await pipeline.queue.describeQueue(destination);
    return pipeline.queue.redrive(name, destination);
  });
}

/** The queues whose redrive policy names `deadLetterQueue`. */
async function deadLetterSources(pipeline: Pipeline, deadLetterQueue: string): Promise<string[]> {
  const sources: string[] = [];
  for (const name of await pipeline.queue.listQueues()) {
    const policy = (await pipeline.queue.describeQueue(name)).attributes.redrivePolicy;
    if (policy?.deadLetterQueue === deadLetterQueue) sources.push(name);
  }
  return sources;
}

export async function pipelineHealth(pipeline: Pipeline): Promise<PipelineHealth> {
  const now = Date.now();
  const current = await readSnapshot(
    registry,
    [
      ...PIPELINE_RATE_METRICS,
      "shopstream_function_records_total",
      "shopstream_function_errors_total",
      "shopstream_function_retries_total",
      "shopstream_component_iterator_age_seconds",
      "shopstream_lake_files_total",
      "shopstream_lake_records_total",
      "shopstream_lake_last_delivery_timestamp_seconds",
    ],
    now,
  );
  const before = pipeline.alarms.sampler.snapshotAgo(RATE_WINDOW_MS, now);
  const elapsedSec = before ? (now - before.at) / 1000 : 0;

  const totals = (snapshot: RegistrySnapshot | undefined, metric: string) => sumBy(snapshot, metric, "component");
  const received = totals(current, "shopstream_component_received_total");
  const sent = totals(current, "shopstream_component_sent_total");
  const errors = totals(current, "shopstream_component_errors_total");
  const discarded = totals(current, "shopstream_component_discarded_total");
  const receivedBefore = totals(before, "shopstream_component_received_total");
  const sentBefore = totals(before, "shopstream_component_sent_total");
  const errorsBefore = totals(before, "shopstream_component_errors_total");
  const rate = (now: number, then: number | undefined) => (elapsedSec > 0 ? round(Math.max(0, now - (then ?? 0)) / elapsedSec) : 0);
  const components = [...new Set([...received.keys(), ...sent.keys(), ...errors.keys(), ...discarded.keys()])].sort().map((component) => ({
    component,
    received_per_sec: rate(received.get(component) ?? 0, receivedBefore.get(component)),
    sent_per_sec: rate(sent.get(component) ?? 0, sentBefore.get(component)),
    errors_per_sec: rate(errors.get(component) ?? 0, errorsBefore.get(component)),
    received_total: received.get(component) ?? 0,
    sent_total: sent.get(component) ?? 0,
    errors_total: errors.get(component) ?? 0,
    discarded_total: discarded.get(component) ?? 0,
  }));

  const lag = await pipeline.lag();
  const streams = new Map<string, string>();
  const ageSec = new Map<string, number>();
  for (const series of current.metrics.get("shopstream_component_iterator_age_seconds")?.series ?? []) {
    const consumer = series.labels["component"] ?? "";
    streams.set(consumer, series.labels["stream"] ?? "");
    ageSec.set(consumer, Math.max(ageSec.get(consumer) ?? 0, series.value));
  }
  const consumers = Object.entries(lag)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([consumer, records]) => ({
      consumer,
      stream: streams.get(consumer) ?? "",
      lag_records: records,
      iterator_age_ms: Math.round((ageSec.get(consumer) ?? 0) * 1000),
    }));

  const ok = sumBy(current, "shopstream_function_records_total", "function", { result: "ok" });
  const failed = sumBy(current, "shopstream_function_errors_total", "function");
  const retries = sumBy(current, "shopstream_function_retries_total", "function");
  const functions = pipeline.functions.functionNames.sort().map((name) => ({
    name,
    ok: ok.get(name) ?? 0,
    errors: failed.get(name) ?? 0,
    retries: retries.get(name) ?? 0,
  }));

  const queues: PipelineHealth["queues"] = [];
  const gauges = await readQueueGauges(pipeline.queue);
  const deadLetterFor = new Map<string, string[]>();
  for (const { queue } of gauges) {
    const target = (await pipeline.queue.describeQueue(queue)).attributes.redrivePolicy?.deadLetterQueue;
    if (target !== undefined) deadLetterFor.set(target, [...(deadLetterFor.get(target) ?? []), queue]);
  }
  for (const gauge of gauges) {
    queues.push({ name: gauge.queue, visible: gauge.visible, in_flight: gauge.inFlight, delayed: gauge.delayed, dead_letter_for: deadLetterFor.get(gauge.queue) ?? [] });
  }

  const files = sumBy(current, "shopstream_lake_files_total", "table");
  const records = sumBy(current, "shopstream_lake_records_total", "table");
  const lastDelivery = sumBy(current, "shopstream_lake_last_delivery_timestamp_seconds", "table");
  const lake = [...new Set([...files.keys(), ...records.keys()])].sort().map((table) => {
    const lastSec = lastDelivery.get(table);
    return {
      table,
      files: files.get(table) ?? 0,
      records: records.get(table) ?? 0,
      last_delivery_at: lastSec === undefined ? null : new Date(lastSec * 1000).toISOString(),
      freshness_ms: lastSec === undefined ? null : Math.max(0, now - Math.round(lastSec * 1000)),
    };
  });

  return { at: new Date(now).toISOString(), components, consumers, functions, queues, lake, alarms: pipeline.alarms.stateCounts() };
}

/** A metric's series in a snapshot, summed by one label (only series matching `filter`). */
function sumBy(snapshot: RegistrySnapshot | undefined, metric: string, label: string, filter: Record<string, string> = {}): Map<string, number> {
  const sums = new Map<string, number>();
  for (const series of snapshot?.metrics.get(metric)?.series ?? []) {
    if (!matchesLabels(series.labels, filter)) continue;
    const key = series.labels[label];
    if (key === undefined) continue;
    sums.set(key, (sums.get(key) ?? 0) + series.value);
  }
  return sums;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
