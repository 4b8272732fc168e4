// fraud: the built-in function that scores orders and payments from the curated stream and raises fraud
// alerts. Effects are exactly once: each event's state change and alert commit with its
// processed_events row in one serving-store transaction; the alerts' `fraud_alert` events are then
// appended to the output stream together with the function's checkpoint. A crash between the two
// replays the batch: its events are already processed, and the alerts they raised are read back from
// the store and appended then.
import type { CuratedEvent } from "../events/index.js";
import type { BatchContext, BuiltinFunction, CheckpointRef, DecodedRecord } from "../functions/index.js";
import { componentLogger, storeEffects } from "../monitor/index.js";
import type { ServingStore, SqlExecutor } from "../store/index.js";
import type { Stream } from "../stream/index.js";
import { alertEvent, alertsRaisedBy, type FraudAlert } from "./alerts.js";
import { assessEvent } from "./assess-event.js";
import { resolveFraudConfig, stateRetentionMs, type FraudConfig, type FraudConfigInput } from "./config.js";
import { ASSESSED_EVENT_TYPES, eventFactsOf, isAssessedEventType, type EventFacts } from "./event-facts.js";
import { pruneBefore } from "./fraud-state.js";

export const FRAUD_FUNCTION_NAME = "fraud";
const CONSUMER = FRAUD_FUNCTION_NAME;
const DEFAULT_OUTPUT = "curated";
/** Pruning runs once event time has moved on this much since the last time. */
const PRUNE_EVERY_MS = 60_000;
/** Records per put on a stream (Kinesis PutRecords). */
const PUT_RECORDS_MAX = 500;

export interface FraudFunctionOptions {
  store: ServingStore;
  /** where `fraud_alert` events go (the lake reads them there); without one, alerts stay in the store */
  stream?: Stream;
  /** the stream alerts are appended to; default "curated" */
  output?: string;
  /** the pipeline config's `fraud` section; defaults fill what it leaves out */
  config?: FraudConfigInput;
  /** wall clock in ms, for when alerts are created; tests pin it */
  clock?: () => number;
}

interface Assessed {
  fresh: number;
  duplicate: number;
  alerts: number;
}

/** Records of other types are not decoded for it (the built-in invoker reads `handlesTypes`). */
export type FraudFunction = BuiltinFunction<CuratedEvent> & { readonly handlesTypes: ReadonlySet<string> };

export function createFraudFunction(options: FraudFunctionOptions): FraudFunction {
  const config: FraudConfig = resolveFraudConfig(options.config);
  const clock = options.clock ?? Date.now;
  const output = options.output ?? DEFAULT_OUTPUT;
  const retentionMs = stateRetentionMs(config);
  const log = componentLogger(FRAUD_FUNCTION_NAME);
  let prunedAtWatermarkMs = Number.NEGATIVE_INFINITY;

  /** Event time the batch stands at: its median, so one wild occurred_at cannot prune everyone's state. */
  const watermarkOf = (events: readonly EventFacts[]): number => {
    const times = events.map((facts) => facts.occurredMs).sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  };

  async function assessAll(events: readonly EventFacts[], nowMs: number): Promise<Assessed> {
    return options.store.transaction(async (tx: SqlExecutor) => {
      const counts: Assessed = { fresh: 0, duplicate: 0, alerts: 0 };
      for (const facts of events) {
        const fresh = await tx.run("INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [
          CONSUMER,
          facts.eventId,
          nowMs,
        ]);
        if (fresh.changes === 0) {
          counts.duplicate++;
          continue;
        }
        counts.fresh++;
        if (await assessEvent(tx, config, facts, nowMs)) counts.alerts++;
      }
      const watermarkMs = watermarkOf(events);
      if (watermarkMs - prunedAtWatermarkMs >= PRUNE_EVERY_MS) {
        await pruneBefore(tx, watermarkMs - retentionMs);
        prunedAtWatermarkMs = watermarkMs;
      }
      return counts;
    });
  }

  /** One put per 500 alerts; the checkpoint rides on the last, so a batch's alerts and its progress commit together. */
  async function appendAlerts(stream: Stream, alerts: readonly FraudAlert[], checkpoint: CheckpointRef | undefined): Promise<void> {
    for (let start = 0; start < alerts.length; start += PUT_RECORDS_MAX) {
      const chunk = alerts.slice(start, start + PUT_RECORDS_MAX);
      const last = start + PUT_RECORDS_MAX >= alerts.length;
      const records = chunk.map((alert) => ({ partitionKey: alert.customerId ?? alert.orderId, data: Buffer.from(JSON.stringify(alertEvent(alert))) }));
      const results = await stream.putRecords(output, records, last && checkpoint ? { checkpoint } : undefined);
      for (const [index, result] of results.entries()) {
        if ("errorCode" in result) log.error({ alert_id: chunk[index]?.alertId, error: result.errorMessage }, "fraud alert refused by the stream");
      }
    }
  }

  return {
    name: FRAUD_FUNCTION_NAME,
    handlesTypes: ASSESSED_EVENT_TYPES,
    async handleBatch(records: DecodedRecord<CuratedEvent>[], context: BatchContext): Promise<void> {
      const events: EventFacts[] = [];
      for (const record of records) {
        const value: unknown = record.value;
        if (typeof value !== "object" || value === null || !isAssessedEventType(String((value as { type?: unknown }).type))) continue;
        const facts = eventFactsOf(value as CuratedEvent);
        if (facts) events.push(facts);
        else log.warn({ sequence_number: record.sequenceNumber, shard: context.shardId }, "order or payment without a usable order_id, amount or occurred_at: not assessed");
      }
      if (events.length === 0) return;
      const counts = await assessAll(events, clock());
      storeEffects.inc({ kind: "fraud_assessment", result: "applied" }, counts.fresh);
      if (counts.duplicate > 0) storeEffects.inc({ kind: "fraud_assessment", result: "duplicate" }, counts.duplicate);
      if (counts.alerts > 0) storeEffects.inc({ kind: "fraud_alert", result: "applied" }, counts.alerts);
      if (!options.stream) return;
      // Every alert this batch's events raised, including those committed before a crash: their events
      // were not appended, or the checkpoint would have moved past this batch.
      const order = new Map(events.map((facts, index) => [facts.eventId, index]));
      const alerts = (await alertsRaisedBy(options.store, events.map((facts) => facts.eventId))).sort(
        (a, b) => (order.get(a.eventId) ?? 0) - (order.get(b.eventId) ?? 0),
      );
      if (alerts.length > 0) await appendAlerts(options.stream, alerts, context.checkpoint);
    },
  };
}
