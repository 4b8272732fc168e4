// The customers component's serving-store tables, as portable SQL (SQLite and PostgreSQL). Times are
// event time in ms since the epoch (updated_at_ms is wall time); money is in the order's currency.
import type { Migration } from "../store/index.js";

export const customerMigrations: Migration[] = [
  {
    id: "customers-001",
    statements: [
      // One row per session. session_key is the event_id of the event that opened the session, so a
      // session_id split by inactivity has one row per part.
      `CREATE TABLE IF NOT EXISTS customer_sessions (
         session_key TEXT PRIMARY KEY, session_id TEXT, customer_id TEXT,
         started_at_ms BIGINT NOT NULL, last_event_at_ms BIGINT NOT NULL,
         event_count INTEGER NOT NULL, page_views INTEGER NOT NULL, product_views INTEGER NOT NULL,
         funnel_steps INTEGER NOT NULL, orders INTEGER NOT NULL, revenue DOUBLE PRECISION NOT NULL,
         updated_at_ms BIGINT NOT NULL)`,
      // Without last_event_at_ms in them: it changes with every event, and a visitor has few sessions.
      `CREATE INDEX IF NOT EXISTS customer_sessions_session ON customer_sessions (session_id)`,
      `CREATE INDEX IF NOT EXISTS customer_sessions_customer ON customer_sessions (customer_id)`,
      `CREATE INDEX IF NOT EXISTS customer_sessions_started ON customer_sessions (started_at_ms)`,
      // Which session placed an order, and whether its payment was authorized: payments carry no
      // session_id, and may arrive before their order.
      `CREATE TABLE IF NOT EXISTS session_orders (
         order_id TEXT PRIMARY KEY, session_key TEXT, payment_authorized INTEGER NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS customer_orders (
         order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, placed_at_ms BIGINT NOT NULL, placed_month TEXT NOT NULL,
         currency TEXT NOT NULL, total DOUBLE PRECISION NOT NULL, lines_value DOUBLE PRECISION NOT NULL,
         refunded DOUBLE PRECISION NOT NULL, status TEXT NOT NULL, updated_at_ms BIGINT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS customer_order_lines (
         order_id TEXT NOT NULL, line_no INTEGER NOT NULL, product_id TEXT NOT NULL, category TEXT,
         quantity INTEGER NOT NULL, unit_price DOUBLE PRECISION NOT NULL, returned_quantity INTEGER NOT NULL,
         PRIMARY KEY (order_id, line_no))`,
      // Cancellations and returns that arrived before their order, applied when it arrives.
      `CREATE TABLE IF NOT EXISTS customer_order_adjustments (
         event_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, kind TEXT NOT NULL, occurred_at_ms BIGINT NOT NULL,
         items TEXT)`,
      `CREATE INDEX IF NOT EXISTS customer_order_adjustments_order ON customer_order_adjustments (order_id)`,
      // No index on lifetime_value: it changes with every order, and the top customers are one scan with
      // a bounded sort, read every few seconds at most.
      `CREATE TABLE IF NOT EXISTS customer_profiles (
         customer_id TEXT PRIMARY KEY, first_seen_at_ms BIGINT NOT NULL, last_seen_at_ms BIGINT NOT NULL,
         sessions INTEGER NOT NULL, orders INTEGER NOT NULL, cancelled_orders INTEGER NOT NULL,
         returned_orders INTEGER NOT NULL, gross_revenue DOUBLE PRECISION NOT NULL, refunds DOUBLE PRECISION NOT NULL,
         lifetime_value DOUBLE PRECISION NOT NULL, first_order_at_ms BIGINT, last_order_at_ms BIGINT,
         updated_at_ms BIGINT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS customer_category_spend (
         customer_id TEXT NOT NULL, category TEXT NOT NULL, spend DOUBLE PRECISION NOT NULL, units INTEGER NOT NULL,
         PRIMARY KEY (customer_id, category))`,
      `CREATE TABLE IF NOT EXISTS customer_rfm (
         customer_id TEXT PRIMARY KEY, as_of_ms BIGINT NOT NULL, last_order_at_ms BIGINT NOT NULL,
         recency_days DOUBLE PRECISION NOT NULL, frequency INTEGER NOT NULL, monetary DOUBLE PRECISION NOT NULL,
         r_score INTEGER NOT NULL, f_score INTEGER NOT NULL, m_score INTEGER NOT NULL, segment TEXT NOT NULL)`,
      // Per-minute KPIs by event time. aov and conversion are kept with the sums so that a reader of the
      // table (plain SQL, a BI tool) needs no formula.
      `CREATE TABLE IF NOT EXISTS kpi_minute (
         minute_start_ms BIGINT PRIMARY KEY, orders INTEGER NOT NULL, revenue DOUBLE PRECISION NOT NULL,
         aov DOUBLE PRECISION, sessions INTEGER NOT NULL, converted_sessions INTEGER NOT NULL,
         conversion DOUBLE PRECISION, late_events INTEGER NOT NULL, updated_at_ms BIGINT NOT NULL)`,
      // What arrived after its window closed: kept, not lost, so totals still reconcile.
      `CREATE TABLE IF NOT EXISTS kpi_minute_late (
         minute_start_ms BIGINT PRIMARY KEY, events INTEGER NOT NULL, orders INTEGER NOT NULL,
         revenue DOUBLE PRECISION NOT NULL, sessions INTEGER NOT NULL, converted_sessions INTEGER NOT NULL,
         updated_at_ms BIGINT NOT NULL)`,
      // The latest event time seen per source shard; the watermark is their minimum.
      `CREATE TABLE IF NOT EXISTS kpi_watermarks (
         shard_key TEXT PRIMARY KEY, max_event_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL)`,
    ],
  },
];
