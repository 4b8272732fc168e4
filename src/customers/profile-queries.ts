// Customer profiles as the dashboard reads them: the top customers, one customer in full. Favourite
// categories are the customer's top three by net merchandise spend (what was bought, less what came back).
import type { ServingStore } from "../store/index.js";
import { isoOf } from "./event-time.js";
import { roundMoney } from "./money.js";
import type { RfmSegment } from "./rfm-scores.js";
import { selectIn } from "./sql-batches.js";

const FAVOURITE_CATEGORIES = 3;
export const MAX_TOP_CUSTOMERS = 1_000;

export const TOP_CUSTOMER_ORDERINGS = ["lifetime_value", "orders"] as const;
export type TopCustomerOrdering = (typeof TOP_CUSTOMER_ORDERINGS)[number];

export interface CategorySpend {
  category: string;
  spend: number;
}

export interface CustomerSummary {
  customerId: string;
  orders: number;
  cancelledOrders: number;
  returnedOrders: number;
  sessions: number;
  grossRevenue: number;
  refunds: number;
  /** gross revenue less refunds of cancellations and returns */
  lifetimeValue: number;
  firstSeenAt: string;
  lastSeenAt: string;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  favouriteCategories: CategorySpend[];
  /** from the last RFM run; null when the customer was not scored */
  segment: RfmSegment | null;
}

export interface CustomerRfm {
  asOf: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: RfmSegment;
}

export interface CustomerSession {
  sessionKey: string;
  sessionId: string | null;
  startedAt: string;
  lastEventAt: string;
  events: number;
  pageViews: number;
  orders: number;
  revenue: number;
}

export interface CustomerProfile extends CustomerSummary {
  rfm: CustomerRfm | null;
  recentSessions: CustomerSession[];
}

interface ProfileRow {
  customer_id: string;
  first_seen_at_ms: number;
  last_seen_at_ms: number;
  sessions: number;
  orders: number;
  cancelled_orders: number;
  returned_orders: number;
  gross_revenue: number;
  refunds: number;
  lifetime_value: number;
  first_order_at_ms: number | null;
  last_order_at_ms: number | null;
  segment: RfmSegment | null;
}

const PROFILE_SELECT = `SELECT p.customer_id, p.first_seen_at_ms, p.last_seen_at_ms, p.sessions, p.orders, p.cancelled_orders, p.returned_orders,
  p.gross_revenue, p.refunds, p.lifetime_value, p.first_order_at_ms, p.last_order_at_ms, r.segment
  FROM customer_profiles p LEFT JOIN customer_rfm r ON r.customer_id = p.customer_id`;

const ORDER_BY: Record<TopCustomerOrdering, string> = {
  lifetime_value: "p.lifetime_value DESC, p.orders DESC, p.customer_id",
  orders: "p.orders - p.cancelled_orders DESC, p.lifetime_value DESC, p.customer_id",
};

const optionalIso = (ms: number | null) => (ms === null ? null : isoOf(Number(ms)));

async function favouriteCategories(store: ServingStore, customerIds: readonly string[]): Promise<Map<string, CategorySpend[]>> {
  const rows = await selectIn<{ customer_id: string; category: string; spend: number }>(
    store,
    (list) => `SELECT customer_id, category, spend FROM customer_category_spend WHERE customer_id IN ${list} AND spend > 0.005 ORDER BY customer_id, spend DESC, category`,
    customerIds,
  );
  const favourites = new Map<string, CategorySpend[]>();
  for (const row of rows) {
    const list = favourites.get(row.customer_id) ?? [];
    if (list.length < FAVOURITE_CATEGORIES) list.push({ category: row.category, spend: roundMoney(row.spend) });
    favourites.set(row.customer_id, list);
  }
  return favourites;
}

async function summaries(store: ServingStore, rows: readonly ProfileRow[]): Promise<CustomerSummary[]> {
  const favourites = await favouriteCategories(
    store,
    rows.map((row) => row.customer_id),
  );
  return rows.map((row) => ({
    customerId: row.customer_id,
    orders: row.orders,
    cancelledOrders: row.cancelled_orders,
    returnedOrders: row.returned_orders,
    sessions: row.sessions,
    grossRevenue: roundMoney(row.gross_revenue),
    refunds: roundMoney(row.refunds),
    lifetimeValue: roundMoney(row.lifetime_value),
    firstSeenAt: isoOf(Number(row.first_seen_at_ms)),
    lastSeenAt: isoOf(Number(row.last_seen_at_ms)),
    firstOrderAt: optionalIso(row.first_order_at_ms),
    lastOrderAt: optionalIso(row.last_order_at_ms),
    favouriteCategories: favourites.get(row.customer_id) ?? [],
    segment: row.segment,
  }));
}

/** The `limit` best customers: by lifetime value, or by orders that were not cancelled. */
export async function topCustomers(store: ServingStore, options: { limit?: number; by?: TopCustomerOrdering } = {}): Promise<CustomerSummary[]> {
  const limit = Math.max(1, Math.min(options.limit ?? 10, MAX_TOP_CUSTOMERS));
  const rows = await store.all<ProfileRow>(`${PROFILE_SELECT} WHERE p.orders > 0 ORDER BY ${ORDER_BY[options.by ?? "lifetime_value"]} LIMIT ?`, [limit]);
  return summaries(store, rows);
}

/** One customer with RFM scores and the latest sessions; undefined for a customer never seen. */
export async function customerProfile(store: ServingStore, customerId: string, options: { sessions?: number } = {}): Promise<CustomerProfile | undefined> {
  const row = await store.get<ProfileRow>(`${PROFILE_SELECT} WHERE p.customer_id = ?`, [customerId]);
  if (!row) return undefined;
  const [summary] = (await summaries(store, [row])) as [CustomerSummary];
  const rfm = await store.get<{
    as_of_ms: number;
    recency_days: number;
    frequency: number;
    monetary: number;
    r_score: number;
    f_score: number;
    m_score: number;
    segment: RfmSegment;
  }>("SELECT as_of_ms, recency_days, frequency, monetary, r_score, f_score, m_score, segment FROM customer_rfm WHERE customer_id = ?", [customerId]);
  const sessions = await store.all<{
    session_key: string;
    session_id: string | null;
    started_at_ms: number;
    last_event_at_ms: number;
    event_count: number;
    page_views: number;
    orders: number;
    revenue: number;
  }>(
    "SELECT session_key, session_id, started_at_ms, last_event_at_ms, event_count, page_views, orders, revenue FROM customer_sessions WHERE customer_id = ? ORDER BY last_event_at_ms DESC LIMIT ?",
    [customerId, options.sessions ?? 10],
  );
  return {
    ...summary,
    rfm: rfm
      ? {
          asOf: isoOf(Number(rfm.as_of_ms)),
          recencyDays: Math.round(rfm.recency_days * 100) / 100,
          frequency: rfm.frequency,
          monetary: roundMoney(rfm.monetary),
          r: rfm.r_score,
          f: rfm.f_score,
          m: rfm.m_score,
          segment: rfm.segment,
        }
      : null,
    recentSessions: sessions.map((s) => ({
      sessionKey: s.session_key,
      sessionId: s.session_id,
      startedAt: isoOf(Number(s.started_at_ms)),
      lastEventAt: isoOf(Number(s.last_event_at_ms)),
      events: s.event_count,
      pageViews: s.page_views,
      orders: s.orders,
      revenue: roundMoney(s.revenue),
    })),
  };
}
