// Periodic snapshots of chosen metrics from the Prometheus registry, kept for a while: alarms turn them into
// per-period datapoints, and GET /v1/pipeline into rates over the last seconds.
import type { Registry } from "prom-client";
import { componentLogger } from "./logger.js";

export type SampledMetricType = "counter" | "gauge" | "histogram" | "summary";

export interface SeriesSample {
  labels: Record<string, string>;
  /** the counter's or gauge's value; a histogram's or summary's sum of observations */
  value: number;
  /** histograms and summaries: the number of observations */
  count?: number;
}

export interface SampledMetric {
  type: SampledMetricType;
  series: SeriesSample[];
}

export interface RegistrySnapshot {
  /** ms since the epoch */
  at: number;
  metrics: ReadonlyMap<string, SampledMetric>;
}

export interface RegistrySamplerOptions {
  registry: Registry;
  metricNames: Iterable<string>;
  intervalMs: number;
  /** snapshots older than this are dropped */
  retentionMs: number;
}

export class RegistrySampler {
  private readonly names: string[];
  private readonly history: RegistrySnapshot[] = [];
  private readonly listeners: Array<(snapshot: RegistrySnapshot) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly log = componentLogger("monitor");

  constructor(private readonly options: RegistrySamplerOptions) {
    this.names = [...new Set(options.metricNames)];
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  /** Oldest first. */
  get snapshots(): readonly RegistrySnapshot[] {
    return this.history;
  }

  onSample(listener: (snapshot: RegistrySnapshot) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.timer) return;
    void this.sampleNow();
    this.timer = setInterval(() => void this.sampleNow(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async sampleNow(): Promise<RegistrySnapshot> {
    const snapshot = await readSnapshot(this.options.registry, this.names);
    this.history.push(snapshot);
    const oldest = snapshot.at - this.options.retentionMs;
    while (this.history.length > 2 && this.history[0]!.at < oldest) this.history.shift();
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.log.warn({ err: error }, "registry sample listener failed");
      }
    }
    return snapshot;
  }

  /** The newest snapshot taken at least `ageMs` ago, or else the oldest one kept. */
  snapshotAgo(ageMs: number, now = Date.now()): RegistrySnapshot | undefined {
    let found: RegistrySnapshot | undefined;
    for (const snapshot of this.history) {
      if (snapshot.at <= now - ageMs) found = snapshot;
      else break;
    }
    return found ?? this.history[0];
  }
}

/** Reads the named metrics now; a name that is not registered is left out. */
export async function readSnapshot(registry: Registry, names: Iterable<string>, at = Date.now()): Promise<RegistrySnapshot> {
  const metrics = new Map<string, SampledMetric>();
  for (const name of names) {
    const metric = registry.getSingleMetric(name);
    if (!metric) continue;
    const data = await metric.get();
    const type = String(data.type) as SampledMetricType;
    if (type === "counter" || type === "gauge") {
      metrics.set(name, { type, series: data.values.map((v) => ({ labels: stringLabels(v.labels), value: v.value })) });
      continue;
    }
    // Histograms and summaries: keep _sum and _count per label set, not the buckets or quantiles.
    const byLabels = new Map<string, SeriesSample>();
    for (const v of data.values) {
      const metricName = (v as { metricName?: string }).metricName ?? "";
      const isSum = metricName.endsWith("_sum");
      if (!isSum && !metricName.endsWith("_count")) continue;
      const labels = stringLabels(v.labels);
      const key = JSON.stringify(labels);
      const entry = byLabels.get(key) ?? { labels, value: 0, count: 0 };
      if (isSum) entry.value = v.value;
      else entry.count = v.value;
      byLabels.set(key, entry);
    }
    metrics.set(name, { type, series: [...byLabels.values()] });
  }
  return { at, metrics };
}

function stringLabels(labels: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)]));
}

/** Whether a series carries every label of `filter` with the same value. */
export function matchesLabels(labels: Record<string, string>, filter: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(filter)) if (labels[key] !== value) return false;
  return true;
}

/** The matching series of one metric in a snapshot, summed; undefined when none matches. */
export function sumSeries(snapshot: RegistrySnapshot, metric: string, filter: Record<string, string> = {}): { value: number; count: number } | undefined {
  const sampled = snapshot.metrics.get(metric);
  if (!sampled) return undefined;
  let found = false;
  let value = 0;
  let count = 0;
  for (const series of sampled.series) {
    if (!matchesLabels(series.labels, filter)) continue;
    found = true;
    value += series.value;
    count += series.count ?? 0;
  }
  return found ? { value, count } : undefined;
}
