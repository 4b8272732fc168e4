// What one batch changes in customer profiles and category spend, gathered per customer and written as
// one upsert per customer: counters add up, first and last times widen. Sessions and the order book feed
// it; it knows nothing about where the changes come from.
import type { SqlExecutor } from "../store/index.js";
import { insertRows } from "./sql-batches.js";

interface ProfileDelta {
  firstSeenAtMs: number;
  lastSeenAtMs: number;
  sessions: number;
  orders: number;
  cancelledOrders: number;
  returnedOrders: number;
  grossRevenue: number;
  refunds: number;
  firstOrderAtMs: number | null;
  lastOrderAtMs: number | null;
}

interface CategoryDelta {
  customerId: string;
  category: string;
  spend: number;
  units: number;
}

const earlier = (column: string) =>
  `${column} = CASE WHEN customer_profiles.${column} IS NULL OR excluded.${column} < customer_profiles.${column} THEN excluded.${column} ELSE customer_profiles.${column} END`;
const later = (column: string) =>
  `${column} = CASE WHEN customer_profiles.${column} IS NULL OR excluded.${column} > customer_profiles.${column} THEN excluded.${column} ELSE customer_profiles.${column} END`;
const added = (table: string, column: string) => `${column} = ${table}.${column} + excluded.${column}`;

const UPSERT_PROFILES = {
  into: `INSERT INTO customer_profiles (customer_id, first_seen_at_ms, last_seen_at_ms, sessions, orders, cancelled_orders, returned_orders,
           gross_revenue, refunds, lifetime_value, first_order_at_ms, last_order_at_ms, updated_at_ms)`,
  columnCount: 13,
  onConflict: `ON CONFLICT (customer_id) DO UPDATE SET ${[
    earlier("first_seen_at_ms"),
    later("last_seen_at_ms"),
    ...["sessions", "orders", "cancelled_orders", "returned_orders", "gross_revenue", "refunds", "lifetime_value"].map((column) => added("customer_profiles", column)),
    earlier("first_order_at_ms"),
    later("last_order_at_ms"),
    "updated_at_ms = excluded.updated_at_ms",
  ].join(", ")}`,
};

const UPSERT_CATEGORY_SPEND = {
  into: "INSERT INTO customer_category_spend (customer_id, category, spend, units)",
  columnCount: 4,
  onConflict: `ON CONFLICT (customer_id, category) DO UPDATE SET ${added("customer_category_spend", "spend")}, ${added("customer_category_spend", "units")}`,
};

export class ProfileChanges {
  private readonly profiles = new Map<string, ProfileDelta>();
  private readonly categories = new Map<string, CategoryDelta>();

  /** The customer was active at `atMs`: every change widens first and last seen. */
  seen(customerId: string, atMs: number): ProfileDelta {
    let delta = this.profiles.get(customerId);
    if (!delta) {
      delta = {
        firstSeenAtMs: atMs,
        lastSeenAtMs: atMs,
        sessions: 0,
        orders: 0,
        cancelledOrders: 0,
        returnedOrders: 0,
        grossRevenue: 0,
        refunds: 0,
        firstOrderAtMs: null,
        lastOrderAtMs: null,
      };
      this.profiles.set(customerId, delta);
    }
    if (atMs < delta.firstSeenAtMs) delta.firstSeenAtMs = atMs;
    if (atMs > delta.lastSeenAtMs) delta.lastSeenAtMs = atMs;
    return delta;
  }

  sessionAttributed(customerId: string, atMs: number): void {
    this.seen(customerId, atMs).sessions++;
  }

  orderPlaced(customerId: string, atMs: number, total: number): void {
    const delta = this.seen(customerId, atMs);
    delta.orders++;
    delta.grossRevenue += total;
    if (delta.firstOrderAtMs === null || atMs < delta.firstOrderAtMs) delta.firstOrderAtMs = atMs;
    if (delta.lastOrderAtMs === null || atMs > delta.lastOrderAtMs) delta.lastOrderAtMs = atMs;
  }

  orderCancelled(customerId: string, atMs: number, refund: number): void {
    const delta = this.seen(customerId, atMs);
    delta.cancelledOrders++;
    delta.refunds += refund;
  }

  /** `firstReturn`: the order had nothing returned before, so it now counts as a returned order. */
  orderReturned(customerId: string, atMs: number, refund: number, firstReturn: boolean): void {
    const delta = this.seen(customerId, atMs);
    if (firstReturn) delta.returnedOrders++;
    delta.refunds += refund;
  }

  /** Merchandise bought (positive) or given back (negative) in a category, at line value. */
  categorySpend(customerId: string, category: string, spend: number, units: number): void {
    const key = `${customerId}\u0000${category}`;
    const delta = this.categories.get(key);
    if (delta) {
      delta.spend += spend;
      delta.units += units;
    } else this.categories.set(key, { customerId, category, spend, units });
  }

  async write(tx: SqlExecutor, nowMs: number): Promise<void> {
    await insertRows(
      tx,
      UPSERT_PROFILES,
      [...this.profiles].map(([customerId, d]) => [
        customerId,
        d.firstSeenAtMs,
        d.lastSeenAtMs,
        d.sessions,
        d.orders,
        d.cancelledOrders,
        d.returnedOrders,
        d.grossRevenue,
        d.refunds,
        d.grossRevenue - d.refunds,
        d.firstOrderAtMs,
        d.lastOrderAtMs,
        nowMs,
      ]),
    );
    await insertRows(
      tx,
      UPSERT_CATEGORY_SPEND,
      [...this.categories.values()].map((d) => [d.customerId, d.category, d.spend, d.units]),
    );
  }
}
