// Runs the alarms of a pipeline: samples the registry every few seconds, turns the samples into per-period
// datapoints, applies each alarm's rule, keeps its state and history, exports shopstream_alarm_state and
// posts every state change to the webhook.
import { Histogram, Summary, type Registry } from "prom-client";
import { ConfigError } from "../errors/index.js";
import { alarmState, componentLogger, RegistrySampler, type RegistrySnapshot } from "../monitor/index.js";
import { resolveAlarms, type AlarmDefinition, type AlarmsConfig, type AlarmWebhookConfig } from "./config.js";
import { latestDatapoints } from "./datapoints.js";
import { ALARM_STATES, evaluateAlarm, type AlarmStateValue } from "./evaluate.js";
import { alarmNotification, WebhookNotifier } from "./notifier.js";

export interface AlarmTransition {
  /** ISO 8601 */
  at: string;
  from: AlarmStateValue;
  to: AlarmStateValue;
  reason: string;
}

export interface AlarmStatus {
  name: string;
  description: string;
  state: AlarmStateValue;
  stateReason: string;
  /** ISO 8601 */
  stateUpdatedAt: string;
  metric: string;
  labels: Record<string, string>;
  statistic: string;
  periodSec: number;
  threshold: number;
  comparison: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: string;
  actionsEnabled: boolean;
  /** newest first */
  history: AlarmTransition[];
}

export interface AlarmServiceOptions {
  alarms: AlarmsConfig;
  webhook: AlarmWebhookConfig;
  registry: Registry;
  /** more metrics to sample alongside the alarms' (for rates elsewhere) */
  alsoSample?: readonly string[];
}

const MAX_HISTORY = 50;
const MIN_RETENTION_MS = 60_000;

interface AlarmEntry {
  definition: AlarmDefinition;
  state: AlarmStateValue;
  reason: string;
  updatedAt: string;
  history: AlarmTransition[];
}

export class AlarmService {
  readonly sampler: RegistrySampler;
  private readonly entries: AlarmEntry[];
  private readonly notifier: WebhookNotifier;
  private readonly log = componentLogger("alarms");

  constructor(private readonly options: AlarmServiceOptions) {
    const definitions = resolveAlarms(options.alarms);
    for (const definition of definitions) checkMetric(options.registry, definition);
    const startedAt = new Date().toISOString();
    this.entries = definitions.map((definition) => ({
      definition,
      state: "INSUFFICIENT_DATA",
      reason: "Unchecked: Initial alarm creation",
      updatedAt: startedAt,
      history: [],
    }));
    for (const entry of this.entries) exportState(entry.definition.name, entry.state);
    const periodsMs = definitions.map((d) => d.periodSec * 1000);
    // A few samples per period of the shortest alarm, at most one a second.
    const intervalMs = Math.min(1000, Math.max(100, Math.floor(Math.min(...periodsMs, 4000) / 4)));
    const retentionMs = Math.max(MIN_RETENTION_MS, ...definitions.map((d) => (d.evaluationPeriods + 2) * d.periodSec * 1000));
    this.sampler = new RegistrySampler({
      registry: options.registry,
      metricNames: [...definitions.map((d) => d.metric), ...(options.alsoSample ?? [])],
      intervalMs,
      retentionMs,
    });
    this.sampler.onSample((snapshot) => this.evaluate(snapshot.at));
    this.notifier = new WebhookNotifier(options.webhook);
  }

  start(): void {
    this.sampler.start();
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    await this.notifier.stop();
  }

  /** Applies every alarm's rule to the samples so far, as of `now`. */
  evaluate(now = Date.now()): void {
    const snapshots: readonly RegistrySnapshot[] = this.sampler.snapshots;
    for (const entry of this.entries) {
      const { definition } = entry;
      const datapoints = latestDatapoints(definition, snapshots, now, definition.evaluationPeriods);
      const next = evaluateAlarm(definition, datapoints, entry.state);
      if (next.state !== entry.state) this.transition(entry, next.state, next.reason, now);
    }
  }

  list(): AlarmStatus[] {
    return this.entries.map(({ definition: d, state, reason, updatedAt, history }) => ({
      name: d.name,
      description: d.description,
      state,
      stateReason: reason,
      stateUpdatedAt: updatedAt,
      metric: d.metric,
      labels: d.labels,
      statistic: d.statistic,
      periodSec: d.periodSec,
      threshold: d.threshold,
      comparison: d.comparison,
      evaluationPeriods: d.evaluationPeriods,
      datapointsToAlarm: d.datapointsToAlarm,
      treatMissingData: d.treatMissingData,
      actionsEnabled: d.actionsEnabled,
      history: [...history],
    }));
  }

  /** How many alarms are in each state. */
  stateCounts(): Record<AlarmStateValue, number> {
    const counts: Record<AlarmStateValue, number> = { OK: 0, ALARM: 0, INSUFFICIENT_DATA: 0 };
    for (const entry of this.entries) counts[entry.state]++;
    return counts;
  }

  private transition(entry: AlarmEntry, to: AlarmStateValue, reason: string, now: number): void {
    const at = new Date(now).toISOString();
    const change: AlarmTransition = { at, from: entry.state, to, reason };
    entry.history.unshift(change);
    entry.history.length = Math.min(entry.history.length, MAX_HISTORY);
    entry.state = to;
    entry.reason = reason;
    entry.updatedAt = at;
    exportState(entry.definition.name, to);
    const level = to === "ALARM" ? "warn" : "info";
    this.log[level]({ alarm: entry.definition.name, from: change.from, to, reason }, `alarm ${entry.definition.name} is ${to}`);
    const url = entry.definition.webhookUrl ?? this.options.webhook.url;
    if (entry.definition.actionsEnabled && url !== undefined) this.notifier.post(url, alarmNotification(entry.definition, change));
  }
}

function exportState(alarm: string, current: AlarmStateValue): void {
  for (const state of ALARM_STATES) alarmState.set({ alarm, state }, state === current ? 1 : 0);
}

/** An alarm must name a registered metric, and a histogram has no Minimum or Maximum per period. */
function checkMetric(registry: Registry, alarm: AlarmDefinition): void {
  const metric = registry.getSingleMetric(alarm.metric);
  if (!metric) throw new ConfigError(`alarms.${alarm.name}.metric: no metric named ${alarm.metric} (docs/monitoring.md lists them)`);
  const observations = metric instanceof Histogram || metric instanceof Summary;
  if (observations && (alarm.statistic === "Minimum" || alarm.statistic === "Maximum")) {
    throw new ConfigError(`alarms.${alarm.name}.statistic: ${alarm.metric} is a ${metric instanceof Histogram ? "histogram" : "summary"}; use Average, Sum or SampleCount`);
  }
}
