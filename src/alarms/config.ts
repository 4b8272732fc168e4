// The `alarms` and `alarmWebhook` sections of the pipeline config: alarms over the metrics registry with
// CloudWatch's semantics (statistic over a period, M of N datapoints, treatment of missing data), and where
// state changes are posted. The built-in alarms are quiet (OK) on a healthy pipeline.
import { Type, type Static } from "@sinclair/typebox";
import { ConfigError } from "../errors/index.js";

export const ALARM_STATISTICS = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"] as const;
export const ALARM_COMPARISONS = [
  "GreaterThanThreshold",
  "GreaterThanOrEqualToThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export const TREAT_MISSING_DATA = ["missing", "notBreaching", "breaching", "ignore"] as const;

export type AlarmStatistic = (typeof ALARM_STATISTICS)[number];
export type AlarmComparison = (typeof ALARM_COMPARISONS)[number];
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

const ALARM_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$";
const METRIC_NAME_PATTERN = "^[a-zA-Z_:][a-zA-Z0-9_:]*$";

export const alarmConfigSchema = Type.Object(
  {
    description: Type.String({ default: "", maxLength: 1024, description: "what the alarm means and what to do about it; shown on the dashboard" }),
    metric: Type.String({
      pattern: METRIC_NAME_PATTERN,
      description: "a metric of GET /metrics (docs/monitoring.md), e.g. shopstream_component_errors_total",
    }),
    labels: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: "only series with these label values count; the matching series are summed (e.g. { component: \"function:orders\" })",
    }),
    statistic: Type.Union([Type.Literal("Average"), Type.Literal("Sum"), Type.Literal("Minimum"), Type.Literal("Maximum"), Type.Literal("SampleCount")], {
      default: "Sum",
      description:
        "per period: a counter's increase (Sum), increase per second (Average), per-sample increases (Minimum, Maximum) or samples (SampleCount); " +
        "a gauge's samples; a histogram's observations (SampleCount), their sum (Sum) or mean (Average)",
    }),
    periodSec: Type.Integer({ minimum: 1, maximum: 86_400, default: 60, description: "length of one datapoint's period, in seconds" }),
    evaluationPeriods: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: "N: how many of the latest periods are evaluated" }),
    datapointsToAlarm: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, description: "M: breaching datapoints among the last N that set ALARM; default N, at most N" }),
    ),
    threshold: Type.Number({ description: "the value datapoints are compared with" }),
    comparison: Type.Union(
      [
        Type.Literal("GreaterThanThreshold"),
        Type.Literal("GreaterThanOrEqualToThreshold"),
        Type.Literal("LessThanThreshold"),
        Type.Literal("LessThanOrEqualToThreshold"),
      ],
      { default: "GreaterThanThreshold", description: "how a datapoint is compared with the threshold" },
    ),
    treatMissingData: Type.Union([Type.Literal("missing"), Type.Literal("notBreaching"), Type.Literal("breaching"), Type.Literal("ignore")], {
      default: "missing",
      description:
        "a period without data: missing (all missing → INSUFFICIENT_DATA), notBreaching, breaching, or ignore (all missing → the state stays)",
    }),
    actionsEnabled: Type.Boolean({ default: true, description: "post state changes to the webhook" }),
    webhookUrl: Type.Optional(Type.String({ pattern: "^https?://", description: "this alarm's webhook, instead of alarmWebhook.url" })),
  },
  { additionalProperties: false, description: "one alarm" },
);

const DEFAULT_ALARMS: Record<string, Record<string, unknown>> = {
  "function-errors": {
    description: "A function failed invocations in the last minute: look at its logs (component function:<name>) and the DLQ.",
    metric: "shopstream_function_errors_total",
    statistic: "Sum",
    periodSec: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  },
  "consumer-lag": {
    description: "Stream consumers (functions, lake delivery) are more than 50000 records behind for 3 minutes.",
    metric: "shopstream_component_lag",
    statistic: "Maximum",
    periodSec: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    threshold: 50_000,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  },
  "replenishment-dlq-not-empty": {
    description: "Replenishment alerts reached the dead-letter queue: the dispatcher failed them 5 times. Redrive with POST /v1/queues/replenishment-dlq/redrive.",
    metric: "shopstream_queue_messages",
    labels: { queue: "replenishment-dlq", state: "visible" },
    statistic: "Maximum",
    periodSec: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  },
  "lake-delivery-errors": {
    description: "Records went to the lake's error prefix in the last 5 minutes: see GET /v1/quality and lake/errors/.",
    metric: "shopstream_lake_error_records_total",
    statistic: "Sum",
    periodSec: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  },
};

export const alarmsConfigSchema = Type.Record(Type.String({ pattern: ALARM_NAME_PATTERN }), alarmConfigSchema, {
  // Complete entries: the defaults of the entry schema are not applied to the section's own default.
  default: Object.fromEntries(Object.entries(DEFAULT_ALARMS).map(([name, alarm]) => [name, { labels: {}, actionsEnabled: true, ...alarm }])),
  description: "alarms by name, evaluated every few seconds over the metrics; GET /v1/alarms shows them (docs/monitoring.md)",
});

export const alarmWebhookConfigSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ pattern: "^https?://", description: "where every alarm state change is POSTed as JSON (CloudWatch's SNS alarm message shape)" })),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000, description: "time limit of one POST, in ms" }),
    retries: Type.Integer({ minimum: 0, maximum: 10, default: 3, description: "retries of a failed POST, with exponential backoff from 500 ms" }),
  },
  { additionalProperties: false, default: {}, description: "the webhook alarm state changes are posted to" },
);

export type AlarmConfig = Static<typeof alarmConfigSchema>;
export type AlarmsConfig = Static<typeof alarmsConfigSchema>;
export type AlarmWebhookConfig = Static<typeof alarmWebhookConfigSchema>;

/** An alarm with every field settled. */
export interface AlarmDefinition extends Omit<AlarmConfig, "datapointsToAlarm"> {
  name: string;
  datapointsToAlarm: number;
}

/** Settles defaults that depend on other fields and checks the rules across fields. */
export function resolveAlarms(alarms: AlarmsConfig): AlarmDefinition[] {
  return Object.entries(alarms).map(([name, alarm]) => {
    const datapointsToAlarm = alarm.datapointsToAlarm ?? alarm.evaluationPeriods;
    if (datapointsToAlarm > alarm.evaluationPeriods) {
      throw new ConfigError(`alarms.${name}.datapointsToAlarm: expected at most evaluationPeriods (${alarm.evaluationPeriods}), got ${datapointsToAlarm}`);
    }
    return { ...alarm, name, datapointsToAlarm };
  });
}
