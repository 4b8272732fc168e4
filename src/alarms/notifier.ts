// Posts alarm state changes to a webhook as JSON in the shape of CloudWatch's SNS alarm message, one at a
// time in the order they happened, with retries; a change that cannot be delivered is logged and counted.
import { alarmNotifications, componentLogger } from "../monitor/index.js";
import type { AlarmDefinition, AlarmWebhookConfig } from "./config.js";
import type { AlarmStateValue } from "./evaluate.js";

export interface AlarmNotification {
  AlarmName: string;
  AlarmDescription: string;
  NewStateValue: AlarmStateValue;
  OldStateValue: AlarmStateValue;
  NewStateReason: string;
  /** ISO 8601 */
  StateChangeTime: string;
  Trigger: {
    MetricName: string;
    Namespace: "shopstream";
    Dimensions: Array<{ name: string; value: string }>;
    Statistic: string;
    Period: number;
    EvaluationPeriods: number;
    DatapointsToAlarm: number;
    ComparisonOperator: string;
    Threshold: number;
    TreatMissingData: string;
  };
}

export function alarmNotification(alarm: AlarmDefinition, change: { from: AlarmStateValue; to: AlarmStateValue; reason: string; at: string }): AlarmNotification {
  return {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description,
    NewStateValue: change.to,
    OldStateValue: change.from,
    NewStateReason: change.reason,
    StateChangeTime: change.at,
    Trigger: {
      MetricName: alarm.metric,
      Namespace: "shopstream",
      Dimensions: Object.entries(alarm.labels).map(([name, value]) => ({ name, value })),
      Statistic: alarm.statistic,
      Period: alarm.periodSec,
      EvaluationPeriods: alarm.evaluationPeriods,
      DatapointsToAlarm: alarm.datapointsToAlarm,
      ComparisonOperator: alarm.comparison,
      Threshold: alarm.threshold,
      TreatMissingData: alarm.treatMissingData,
    },
  };
}

const FIRST_BACKOFF_MS = 500;
const STOP_WAIT_MS = 2_000;

export class WebhookNotifier {
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly log = componentLogger("alarms");

  constructor(private readonly config: AlarmWebhookConfig) {}

  /** Queues one notification; returns at once. */
  post(url: string, notification: AlarmNotification): void {
    this.queue = this.queue.then(() => this.deliver(url, notification));
  }

  /** Waits (a little) for the notifications still queued; retries stop. */
  async stop(): Promise<void> {
    this.stopping = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private async deliver(url: string, notification: AlarmNotification): Promise<void> {
    const body = JSON.stringify(notification);
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          alarmNotifications.inc({ result: "delivered" });
          return;
        }
        problem = `HTTP ${response.status}`;
      } catch (error) {
        problem = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
      }
      if (attempt >= this.config.retries || this.stopping) {
        alarmNotifications.inc({ result: "failed" });
        this.log.error({ alarm: notification.AlarmName, newState: notification.NewStateValue, url, err: problem, attempts: attempt + 1 }, "alarm notification failed");
        return;
      }
      const waitMs = FIRST_BACKOFF_MS * 2 ** attempt;
      this.log.warn({ alarm: notification.AlarmName, url, err: problem, waitMs }, "alarm notification failed; retrying");
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
