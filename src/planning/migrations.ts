// Planning's serving-store tables and columns: what planning sent (planning_sent), and the reorder policy's
// columns on the core inventory table (a list of their own: they need core's migrations first). Portable SQL: SQLite and PostgreSQL both run it.
import type { Migration } from "../store/index.js";

export const planningMigrations: Migration[] = [
  {
    id: "planning-001",
    statements: [
      `CREATE TABLE IF NOT EXISTS planning_sent (
        store_id TEXT NOT NULL,
        product_id TEXT NOT NULL,
        dedup_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        sent_at BIGINT NOT NULL,
        PRIMARY KEY (store_id, product_id)
      )`,
    ],
  },
];

/**
 * The reorder policy's columns on core's inventory table: apply after coreMigrations. Kept apart from
 * planningMigrations so that a store holding planning's own table alone (the planning bench, a test)
 * still migrates.
 */
export const reorderPolicyMigrations: Migration[] = [
  {
    // Needs core-001 (inventory). reorder_point and target_level stay the columns every reader uses; the
    // configured_* columns keep the configured levels while derived ones are in force, so that a product
    // that stops selling goes back to them.
    id: "planning-002",
    statements: [
      `ALTER TABLE inventory ADD COLUMN configured_reorder_point INTEGER`,
      `ALTER TABLE inventory ADD COLUMN configured_target_level INTEGER`,
      `ALTER TABLE inventory ADD COLUMN reorder_source TEXT NOT NULL DEFAULT 'configured'`,
      `ALTER TABLE inventory ADD COLUMN avg_daily_demand DOUBLE PRECISION`,
      `ALTER TABLE inventory ADD COLUMN lead_time_days DOUBLE PRECISION`,
      `ALTER TABLE inventory ADD COLUMN policy_updated_at BIGINT`,
      `UPDATE inventory SET configured_reorder_point = reorder_point, configured_target_level = target_level`,
    ],
  },
];
