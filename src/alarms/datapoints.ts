// Turns registry snapshots into one datapoint per period, as CloudWatch aggregates a metric: a counter by
// its increase, a gauge by its samples, a histogram by its observations. Periods are aligned to multiples
// of the period since the epoch; a period with no sample of the metric has no datapoint (missing).
import { sumSeries, type RegistrySnapshot, type SampledMetricType } from "../monitor/index.js";
import type { AlarmStatistic } from "./config.js";

export interface Datapoint {
  /** start of the period, ms since the epoch */
  periodStart: number;
  /** undefined: missing */
  value: number | undefined;
}

export interface DatapointQuery {
  metric: string;
  labels: Record<string, string>;
  statistic: AlarmStatistic;
  periodSec: number;
}

/** The datapoints of the `count` latest complete periods before `now`, oldest first. */
export function latestDatapoints(query: DatapointQuery, snapshots: readonly RegistrySnapshot[], now: number, count: number): Datapoint[] {
  const periodMs = query.periodSec * 1000;
  const lastEnd = Math.floor(now / periodMs) * periodMs;
  const datapoints: Datapoint[] = [];
  for (let k = count; k >= 1; k--) {
    const start = lastEnd - k * periodMs;
    datapoints.push({ periodStart: start, value: datapointFor(query, snapshots, start, start + periodMs) });
  }
  return datapoints;
}

/** The metric's type as sampled, if any snapshot has it. */
export function sampledType(snapshots: readonly RegistrySnapshot[], metric: string): SampledMetricType | undefined {
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const type = snapshots[i]!.metrics.get(metric)?.type;
    if (type) return type;
  }
  return undefined;
}

/** One period's datapoint, from the snapshots taken in [start, end). */
export function datapointFor(query: DatapointQuery, snapshots: readonly RegistrySnapshot[], start: number, end: number): number | undefined {
  const type = sampledType(snapshots, query.metric);
  if (type === undefined) return undefined;
  if (type === "gauge") {
    const values: number[] = [];
    for (const snapshot of snapshots) {
      if (snapshot.at < start || snapshot.at >= end) continue;
      const sum = sumSeries(snapshot, query.metric, query.labels);
      if (sum) values.push(sum.value);
    }
    return values.length === 0 ? undefined : statisticOf(query.statistic, values, query.periodSec);
  }
  // Counters, histograms and summaries: increases between each sample in the period and the one before it
  // (a series that appears counts from 0; a value that drops is a reset).
  const increases: number[] = [];
  let observations = 0;
  for (let i = 1; i < snapshots.length; i++) {
    const current = snapshots[i]!;
    if (current.at < start || current.at >= end) continue;
    const now = sumSeries(current, query.metric, query.labels);
    if (!now) continue;
    const before = sumSeries(snapshots[i - 1]!, query.metric, query.labels) ?? { value: 0, count: 0 };
    increases.push(now.value >= before.value ? now.value - before.value : now.value);
    observations += now.count >= before.count ? now.count - before.count : now.count;
  }
  if (increases.length === 0) return undefined;
  if (type === "counter") return statisticOf(query.statistic, increases, query.periodSec, true);
  const sum = increases.reduce((total, x) => total + x, 0);
  if (query.statistic === "SampleCount") return observations;
  if (query.statistic === "Sum") return sum;
  // Average (Minimum and Maximum are refused for histograms when the alarm is set up).
  return observations === 0 ? undefined : sum / observations;
}

function statisticOf(statistic: AlarmStatistic, values: number[], periodSec: number, isCounter = false): number {
  const sum = values.reduce((total, x) => total + x, 0);
  switch (statistic) {
    case "Sum":
      return sum;
    case "Average":
      // A counter's average is its rate: increase per second over the period.
      return isCounter ? sum / periodSec : sum / values.length;
    case "Minimum":
      return Math.min(...values);
    case "Maximum":
      return Math.max(...values);
    case "SampleCount":
      return values.length;
  }
}
