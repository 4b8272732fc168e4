// The fraud function's serving-store tables, as portable SQL (SQLite and PostgreSQL). Apply after the
// core migrations: the function also writes core's processed_events. Times the rules compute with are
// event-time ms (`*_ms`); `created_at` and `updated_at` are wall-clock ms, like the core tables.
import type { Migration } from "../store/index.js";

export const fraudMigrations: Migration[] = [
  {
    id: "fraud-001",
    statements: [
      // Orders and payment attempts inside the windows (plus the allowed lateness); pruned by event time.
      `CREATE TABLE IF NOT EXISTS fraud_activity (
         event_id TEXT PRIMARY KEY, kind TEXT NOT NULL, order_id TEXT NOT NULL, customer_id TEXT,
         card_fingerprint TEXT, amount DOUBLE PRECISION NOT NULL, occurred_ms BIGINT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS fraud_activity_customer ON fraud_activity (customer_id, occurred_ms)`,
      `CREATE INDEX IF NOT EXISTS fraud_activity_card ON fraud_activity (card_fingerprint, occurred_ms)`,
      `CREATE INDEX IF NOT EXISTS fraud_activity_time ON fraud_activity (occurred_ms)`,
      // Each customer's history, all time: order totals as running log-scale sums, and the cards seen.
      `CREATE TABLE IF NOT EXISTS fraud_customers (
         customer_id TEXT PRIMARY KEY, order_count INTEGER NOT NULL, mean_log_total DOUBLE PRECISION NOT NULL,
         m2_log_total DOUBLE PRECISION NOT NULL, card_count INTEGER NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS fraud_customer_cards (
         customer_id TEXT NOT NULL, card_fingerprint TEXT NOT NULL, first_seen_ms BIGINT NOT NULL,
         PRIMARY KEY (customer_id, card_fingerprint))`,
      // The evidence gathered on each open order, and its alert once raised: one alert per order.
      `CREATE TABLE IF NOT EXISTS fraud_orders (
         order_id TEXT PRIMARY KEY, customer_id TEXT, placed BOOLEAN NOT NULL, reasons TEXT NOT NULL,
         alert_id TEXT, last_seen_ms BIGINT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS fraud_orders_seen ON fraud_orders (last_seen_ms)`,
      `CREATE TABLE IF NOT EXISTS fraud_alerts (
         alert_id TEXT PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL, order_id TEXT NOT NULL,
         customer_id TEXT, card_fingerprint TEXT, score DOUBLE PRECISION NOT NULL, threshold DOUBLE PRECISION NOT NULL,
         reasons TEXT NOT NULL, occurred_at TEXT NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS fraud_alerts_occurred ON fraud_alerts (occurred_at)`,
      `CREATE INDEX IF NOT EXISTS fraud_alerts_customer ON fraud_alerts (customer_id)`,
    ],
  },
];
