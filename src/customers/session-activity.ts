// Applies a batch's activity to the stored sessions: loads every session an event could join, places the
// events in event-time order (sessionizer.ts has the rule), marks the funnel steps, and attributes payments
// to the session that placed their order (payments carry no session_id, and may come before the order).
import type { SqlExecutor } from "../store/index.js";
import { SESSION_ACTIVITY_TYPES, type CustomerEvent, type OrderPlaced, type PaymentAuthorized } from "./customer-events.js";
import { funnelBit, ORDER_PLACED_BIT, PAYMENT_AUTHORIZED_BIT } from "./funnel-steps.js";
import type { ProfileChanges } from "./profile-changes.js";
import { Sessionizer, type Session } from "./sessionizer.js";
import { insertRows, selectIn } from "./sql-batches.js";

export interface SessionEffects {
  /** ids of the events that opened a session */
  opened: Set<string>;
  /** ids of the order_placed events that were their session's first order */
  converted: Set<string>;
}

export interface SessionActivityOptions {
  gapMs: number;
  /** ids of the order_placed events the order book booked (a repeated order_id is not an order) */
  bookedOrders: ReadonlySet<string>;
  changes: ProfileChanges;
  nowMs: number;
}

export interface SessionRow {
  session_key: string;
  session_id: string | null;
  customer_id: string | null;
  started_at_ms: number;
  last_event_at_ms: number;
  event_count: number;
  page_views: number;
  product_views: number;
  funnel_steps: number;
  orders: number;
  revenue: number;
}

interface OrderLink {
  sessionKey: string | null;
  paymentAuthorized: boolean;
  changed: boolean;
}

const SESSION_COLUMNS = "session_key, session_id, customer_id, started_at_ms, last_event_at_ms, event_count, page_views, product_views, funnel_steps, orders, revenue";

const UPSERT_SESSIONS = {
  into: `INSERT INTO customer_sessions (${SESSION_COLUMNS}, updated_at_ms)`,
  columnCount: 12,
  onConflict: `ON CONFLICT (session_key) DO UPDATE SET ${SESSION_COLUMNS.split(", ")
    .slice(1)
    .map((column) => `${column} = excluded.${column}`)
    .join(", ")}, updated_at_ms = excluded.updated_at_ms`,
};

const UPSERT_ORDER_LINKS = {
  into: "INSERT INTO session_orders (order_id, session_key, payment_authorized)",
  columnCount: 3,
  onConflict: "ON CONFLICT (order_id) DO UPDATE SET session_key = excluded.session_key, payment_authorized = excluded.payment_authorized",
};

function sessionOf(row: SessionRow): Session {
  return {
    key: row.session_key,
    sessionId: row.session_id,
    customerId: row.customer_id,
    startedAtMs: Number(row.started_at_ms),
    lastEventAtMs: Number(row.last_event_at_ms),
    eventCount: row.event_count,
    pageViews: row.page_views,
    productViews: row.product_views,
    funnelSteps: row.funnel_steps,
    orders: row.orders,
    revenue: row.revenue,
  };
}

type Activity = CustomerEvent & { type: "page_view" | "product_view" | "add_to_cart" | "checkout_started" | "order_placed" };

const isActivity = (event: CustomerEvent): event is Activity =>
  SESSION_ACTIVITY_TYPES.has(event.type) && (event.sessionId !== null || event.customerId !== null);

export async function applySessionActivity(tx: SqlExecutor, events: readonly CustomerEvent[], options: SessionActivityOptions): Promise<SessionEffects> {
  const effects: SessionEffects = { opened: new Set(), converted: new Set() };
  // Array.prototype.sort is stable: events at the same instant keep their stream order.
  const activity = events.filter(isActivity).sort((a, b) => a.atMs - b.atMs);
  const payments = events.filter((event): event is PaymentAuthorized => event.type === "payment_authorized");
  if (activity.length === 0 && payments.length === 0) return effects;

  const bookedOrders = activity.filter((event): event is OrderPlaced => event.type === "order_placed" && options.bookedOrders.has(event.eventId));
  const links = await loadOrderLinks(tx, [...bookedOrders, ...payments].map((event) => event.orderId));
  const sessionizer = new Sessionizer(options.gapMs, await loadSessions(tx, activity, links, payments, options.gapMs));

  for (const event of activity) {
    const { session, opened } = sessionizer.sessionFor(event);
    if (opened) effects.opened.add(event.eventId);
    sessionizer.recordActivity(session, event.atMs);
    // An anonymous visit that logs in was the customer's from its start: first seen moves back to it.
    if (event.customerId !== null && sessionizer.identify(session, event.customerId)) options.changes.sessionAttributed(event.customerId, session.startedAtMs);
    if (event.type === "page_view") session.pageViews++;
    else if (event.type === "product_view") session.productViews++;
    if (event.type !== "order_placed") {
      session.funnelSteps |= funnelBit(event.type);
      continue;
    }
    if (!options.bookedOrders.has(event.eventId)) continue;
    if ((session.funnelSteps & ORDER_PLACED_BIT) === 0) effects.converted.add(event.eventId);
    session.funnelSteps |= ORDER_PLACED_BIT;
    session.orders++;
    session.revenue += event.total;
    const link = linkOf(links, event.orderId);
    if (link.sessionKey === null) {
      link.sessionKey = session.key;
      link.changed = true;
    }
    if (link.paymentAuthorized) session.funnelSteps |= PAYMENT_AUTHORIZED_BIT;
  }

  for (const payment of payments) {
    const link = linkOf(links, payment.orderId);
    if (!link.paymentAuthorized) {
      link.paymentAuthorized = true;
      link.changed = true;
    }
    const session = link.sessionKey === null ? undefined : sessionizer.get(link.sessionKey);
    if (session && (session.funnelSteps & PAYMENT_AUTHORIZED_BIT) === 0) {
      session.funnelSteps |= PAYMENT_AUTHORIZED_BIT;
      sessionizer.markChanged(session);
    }
  }

  await insertRows(
    tx,
    UPSERT_SESSIONS,
    [...sessionizer.changed].map((s) => [
      s.key,
      s.sessionId,
      s.customerId,
      s.startedAtMs,
      s.lastEventAtMs,
      s.eventCount,
      s.pageViews,
      s.productViews,
      s.funnelSteps,
      s.orders,
      s.revenue,
      options.nowMs,
    ]),
  );
  await insertRows(
    tx,
    UPSERT_ORDER_LINKS,
    [...links].filter(([, link]) => link.changed).map(([orderId, link]) => [orderId, link.sessionKey, link.paymentAuthorized ? 1 : 0]),
  );
  return effects;
}

function linkOf(links: Map<string, OrderLink>, orderId: string): OrderLink {
  let link = links.get(orderId);
  if (!link) {
    link = { sessionKey: null, paymentAuthorized: false, changed: false };
    links.set(orderId, link);
  }
  return link;
}

async function loadOrderLinks(tx: SqlExecutor, orderIds: string[]): Promise<Map<string, OrderLink>> {
  const rows = await selectIn<{ order_id: string; session_key: string | null; payment_authorized: number }>(
    tx,
    (list) => `SELECT order_id, session_key, payment_authorized FROM session_orders WHERE order_id IN ${list}`,
    orderIds,
  );
  return new Map(rows.map((row) => [row.order_id, { sessionKey: row.session_key, paymentAuthorized: row.payment_authorized === 1, changed: false }]));
}

/**
 * The stored sessions the batch can touch: those of its session_ids and (for events without one) its
 * customers that end within the gap of its earliest event, and those its payments' orders were placed in.
 */
async function loadSessions(
  tx: SqlExecutor,
  activity: readonly Activity[],
  links: ReadonlyMap<string, OrderLink>,
  payments: readonly PaymentAuthorized[],
  gapMs: number,
): Promise<Session[]> {
  const sessions = new Map<string, Session>();
  const add = (rows: SessionRow[]) => rows.forEach((row) => sessions.set(row.session_key, sessionOf(row)));
  if (activity.length > 0) {
    const sinceMs = activity.reduce((min, event) => Math.min(min, event.atMs), Infinity) - gapMs;
    const sessionIds = activity.flatMap((event) => (event.sessionId !== null ? [event.sessionId] : []));
    const customerIds = activity.flatMap((event) => (event.sessionId === null && event.customerId !== null ? [event.customerId] : []));
    add(await selectIn<SessionRow>(tx, (list) => `SELECT ${SESSION_COLUMNS} FROM customer_sessions WHERE session_id IN ${list} AND last_event_at_ms >= ?`, sessionIds, [sinceMs]));
    add(await selectIn<SessionRow>(tx, (list) => `SELECT ${SESSION_COLUMNS} FROM customer_sessions WHERE customer_id IN ${list} AND last_event_at_ms >= ?`, customerIds, [sinceMs]));
  }
  const paidKeys = payments.flatMap((event) => {
    const key = links.get(event.orderId)?.sessionKey;
    return key ? [key] : [];
  });
  add(await selectIn<SessionRow>(tx, (list) => `SELECT ${SESSION_COLUMNS} FROM customer_sessions WHERE session_key IN ${list}`, paidKeys.filter((key) => !sessions.has(key))));
  return [...sessions.values()];
}
