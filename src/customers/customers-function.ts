// The `customers` built-in function: reads `curated` and keeps sessions and the funnel, customer profiles
// (orders, lifetime value, first and last seen, category spend) and per-minute KPIs in the serving store.
// One transaction per batch holds every effect and the batch's processed_events claims, so a replayed
// event changes nothing, and the tables always agree with each other (the sessions a KPI window counts
// are rows in customer_sessions). A batch reads state, decides, and writes it back: its transaction must
// be serializable. The SQLite store runs one transaction at a time; a PostgreSQL store must use
// SERIALIZABLE, where a conflict fails the batch and its mapping retries it.
import type { BatchContext, BuiltinFunction, DecodedRecord } from "../functions/index.js";
import { componentId, componentLogger, countDiscarded, functionRecords } from "../monitor/index.js";
import type { ServingStore } from "../store/index.js";
import { claimFreshEvents } from "./claim-events.js";
import { DEFAULT_CUSTOMERS_CONFIG, type CustomersConfig } from "./config.js";
import { CUSTOMER_EVENT_TYPES, decodeCustomerEvent, type CustomerEvent } from "./customer-events.js";
import { MINUTE_MS } from "./event-time.js";
import { applyKpiWindows, type KpiContribution, type TimedEvent } from "./kpi-windows.js";
import { kpiLateEvents } from "../monitor/index.js";
import { OrderBook } from "./order-book.js";
import { ProfileChanges } from "./profile-changes.js";
import { applySessionActivity } from "./session-activity.js";

export const CUSTOMERS_FUNCTION = "customers";

export interface CustomersFunctionOptions {
  store: ServingStore;
  /** the `customers` config section; defaults apply when absent */
  config?: CustomersConfig;
}

/** Records of other types are not decoded for it (the built-in invoker reads `handlesTypes`). */
export type CustomersFunction = BuiltinFunction<unknown> & { readonly handlesTypes: ReadonlySet<string> };

export function createCustomersFunction(options: CustomersFunctionOptions): CustomersFunction {
  const { store } = options;
  const config = options.config ?? DEFAULT_CUSTOMERS_CONFIG;
  const gapMs = config.sessionGapMinutes * MINUTE_MS;
  const allowedLatenessMs = config.allowedLatenessSec * 1000;
  const log = componentLogger(CUSTOMERS_FUNCTION);

  return {
    name: CUSTOMERS_FUNCTION,
    handlesTypes: CUSTOMER_EVENT_TYPES,
    async handleBatch(records: DecodedRecord<unknown>[], context: BatchContext): Promise<void> {
      const events: CustomerEvent[] = [];
      for (const record of records) {
        const decoded = decodeCustomerEvent(record.value);
        if (decoded.kind === "event") events.push(decoded.event);
        else if (decoded.kind === "invalid") {
          functionRecords.inc({ function: CUSTOMERS_FUNCTION, result: "skipped" });
          countDiscarded(componentId.function(CUSTOMERS_FUNCTION), "invalid_event");
          log.warn({ sequenceNumber: record.sequenceNumber, shardId: context.shardId, reason: decoded.reason }, "curated record skipped");
        }
      }
      if (events.length === 0) return;
      const nowMs = Date.now();
      const outcome = await store.transaction(async (tx) => {
        const fresh = await claimFreshEvents(tx, CUSTOMERS_FUNCTION, events, nowMs);
        const changes = new ProfileChanges();
        for (const event of fresh) if (event.customerId !== null) changes.seen(event.customerId, event.atMs);

        // Placements first, adjustments after: a cancellation or return always follows its order, even
        // when the stream delivers it first.
        const book = await OrderBook.load(tx, fresh);
        const booked = new Set<string>();
        for (const event of fresh) if (event.type === "order_placed" && book.place(event, changes)) booked.add(event.eventId);
        const sessions = await applySessionActivity(tx, fresh, { gapMs, bookedOrders: booked, changes, nowMs });
        for (const event of [...fresh].sort((a, b) => a.atMs - b.atMs)) {
          if (event.type === "order_cancelled" || event.type === "order_returned") book.adjust(event, changes);
        }
        await book.save(tx, nowMs);
        await changes.write(tx, nowMs);

        const timed = fresh.map((event): TimedEvent => {
          const kpi: KpiContribution = {
            sessions: sessions.opened.has(event.eventId) ? 1 : 0,
            convertedSessions: sessions.converted.has(event.eventId) ? 1 : 0,
            orders: booked.has(event.eventId) ? 1 : 0,
            revenue: booked.has(event.eventId) && event.type === "order_placed" ? event.total : 0,
          };
          return kpi.sessions + kpi.convertedSessions + kpi.orders > 0 ? { atMs: event.atMs, kpi } : { atMs: event.atMs };
        });
        // A direct invocation (Lambda Invoke) reads no shard: it must not become one that holds the watermark.
        const shardKey = context.stream === "" ? undefined : `${context.stream}/${context.shardId}`;
        return applyKpiWindows(tx, timed, { shardKey, allowedLatenessMs, nowMs });
      });
      if (outcome.lateApplied > 0) kpiLateEvents.inc({ outcome: "applied" }, outcome.lateApplied);
      if (outcome.dropped > 0) {
        kpiLateEvents.inc({ outcome: "dropped" }, outcome.dropped);
        log.info({ shardId: context.shardId, dropped: outcome.dropped }, "events beyond the allowed lateness dropped from their KPI windows (kept in kpi_minute_late)");
      }
    },
  };
}
