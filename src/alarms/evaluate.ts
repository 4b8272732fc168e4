// CloudWatch's alarm rule over the latest N datapoints: each is breaching, not breaching or missing;
// missing ones are treated as the alarm says; M breaching of N sets ALARM. With `missing` and `ignore`
// only the datapoints present count: if they are all breaching but fewer than M, the alarm still goes to
// ALARM (as CloudWatch does); with none present, `missing` gives INSUFFICIENT_DATA and `ignore` keeps the state.
import type { AlarmComparison, TreatMissingData } from "./config.js";
import type { Datapoint } from "./datapoints.js";

export const ALARM_STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;
export type AlarmStateValue = (typeof ALARM_STATES)[number];

export interface AlarmRule {
  threshold: number;
  comparison: AlarmComparison;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
}

export interface Evaluation {
  state: AlarmStateValue;
  reason: string;
}

const COMPARISON_WORDS: Record<AlarmComparison, string> = {
  GreaterThanThreshold: "greater than",
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

export function breaches(value: number, rule: Pick<AlarmRule, "threshold" | "comparison">): boolean {
  switch (rule.comparison) {
    case "GreaterThanThreshold":
      return value > rule.threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= rule.threshold;
    case "LessThanThreshold":
      return value < rule.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= rule.threshold;
  }
}

/** The state the latest N datapoints (oldest first) call for, given the current state. */
export function evaluateAlarm(rule: AlarmRule, datapoints: readonly Datapoint[], current: AlarmStateValue): Evaluation {
  const window = datapoints.slice(-rule.evaluationPeriods);
  const present = window.filter((d): d is Datapoint & { value: number } => d.value !== undefined);
  const missing = window.length - present.length;
  const breaching = present.filter((d) => breaches(d.value, rule)).length;
  const listed = `[${present.map((d) => `${round(d.value)} (${new Date(d.periodStart).toISOString()})`).join(", ")}]`;
  const words = COMPARISON_WORDS[rule.comparison];
  const crossed = (count: number) =>
    `Threshold Crossed: ${count} out of the last ${window.length} datapoints ${listed} ${count === 1 ? "was" : "were"} ${words} the threshold (${rule.threshold})` +
    ` (minimum ${rule.datapointsToAlarm} datapoint${rule.datapointsToAlarm === 1 ? "" : "s"} for OK -> ALARM transition)` +
    (missing > 0 ? `; ${missing} missing, treated as ${rule.treatMissingData}` : "") +
    ".";
  const notCrossed = (count: number) =>
    `Threshold Crossed: ${count} out of the last ${window.length} datapoints ${listed} ${count === 1 ? "was" : "were"} not ${words} the threshold (${rule.threshold})` +
    ` (minimum 1 datapoint for ALARM -> OK transition)` +
    (missing > 0 ? `; ${missing} missing, treated as ${rule.treatMissingData}` : "") +
    ".";

  switch (rule.treatMissingData) {
    case "breaching":
    case "notBreaching": {
      const missingBreach = rule.treatMissingData === "breaching" ? missing : 0;
      const total = breaching + missingBreach;
      return total >= rule.datapointsToAlarm
        ? { state: "ALARM", reason: crossed(total) }
        : { state: "OK", reason: notCrossed(window.length - total) };
    }
    case "missing":
    case "ignore": {
      if (present.length === 0) {
        const reason = `Insufficient Data: ${window.length} datapoint${window.length === 1 ? " was" : "s were"} unknown.`;
        if (rule.treatMissingData === "missing") return { state: "INSUFFICIENT_DATA", reason };
        return { state: current, reason: `${reason} The state is kept (treatMissingData: ignore).` };
      }
      const allPresentBreach = breaching === present.length && present.length < rule.datapointsToAlarm;
      return breaching >= rule.datapointsToAlarm || allPresentBreach
        ? { state: "ALARM", reason: crossed(breaching) }
        : { state: "OK", reason: notCrossed(present.length - breaching) };
    }
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
