// The KPI views the dashboard reads, defined once: name, what a row is, and the SQL over the lake tables.
// The registry creates them after the tables; docs/analytics.md describes them.
//
// Every view keeps the lake's partition columns (`dt`, `hour`) as plain columns and groups or partitions
// by them, so a filter such as `WHERE dt = DATE '2026-01-05'` on the view reaches the Parquet scan and
// prunes every other day's files. Amounts are in the order currency (the simulated shop sells in USD);
// the orders-based views group by currency so that two currencies are never added up.

export interface KpiView {
  name: string;
  description: string;
  sql: string;
}

/** The funnel's steps, in order: each is an event type, except the last, which comes from payments. */
const FUNNEL_STEPS = ["page_view", "product_view", "add_to_cart", "checkout_started", "order_placed", "payment_authorized"] as const;

const SESSION_STEPS = FUNNEL_STEPS.slice(0, -1)
  .map((step) => `'${step}'`)
  .join(", ");

export const KPI_VIEWS: readonly KpiView[] = [
  {
    name: "daily_sales",
    description: "per event-time day (UTC) and currency: orders placed, units, revenue and average order value",
    sql: `SELECT dt, currency,
       count(*) AS orders,
       CAST(sum(units) AS BIGINT) AS units,
       sum(total) AS revenue,
       CAST(sum(total) / count(*) AS DECIMAL(18, 2)) AS average_order_value,
       count(DISTINCT customer_id) AS customers
FROM orders
GROUP BY dt, currency`,
  },
  {
    name: "hourly_sales",
    description: "per event-time hour (UTC) and currency: orders placed, units, revenue and average order value",
    sql: `SELECT dt, hour, CAST(dt AS TIMESTAMPTZ) + to_hours(hour) AS hour_start, currency,
       count(*) AS orders,
       CAST(sum(units) AS BIGINT) AS units,
       sum(total) AS revenue,
       CAST(sum(total) / count(*) AS DECIMAL(18, 2)) AS average_order_value
FROM orders
GROUP BY dt, hour, currency`,
  },
  {
    name: "funnel",
    description:
      "per day (UTC): sessions that reached each step, page_view → product_view → add_to_cart → checkout_started → " +
      "order_placed → payment_authorized (a session's order whose payment was authorized), with the conversion from the " +
      "previous step and from the first",
    // payment_authorized carries no session: it counts the sessions of the day's orders whose payment went
    // through, whenever it did. The events table is scanned once: planning a scan lists the table's files,
    // and events has the most of them. A session that spans midnight counts on each day it reached a step.
    sql: `WITH steps(step_no, step) AS (VALUES ${FUNNEL_STEPS.map((step, i) => `(${i + 1}, '${step}')`).join(", ")}),
reached AS (
  SELECT dt, type AS step, count(DISTINCT session_id) AS sessions
  FROM events
  WHERE type IN (${SESSION_STEPS}) AND session_id IS NOT NULL
  GROUP BY dt, type
  UNION ALL
  SELECT dt, 'payment_authorized' AS step, count(DISTINCT session_id) AS sessions
  FROM orders
  SEMI JOIN (SELECT order_id FROM payments WHERE status = 'authorized') AS paid USING (order_id)
  WHERE session_id IS NOT NULL
  GROUP BY dt
)
SELECT dt, step_no, step, sessions,
       round(sessions / lag(sessions) OVER (PARTITION BY dt ORDER BY step_no), 4) AS conversion_from_previous,
       round(sessions / first_value(sessions) OVER (PARTITION BY dt ORDER BY step_no), 4) AS conversion_from_start
FROM reached JOIN steps USING (step)`,
  },
  {
    name: "top_products",
    description: "per day (UTC) and product: units sold, revenue and orders, with the product's revenue rank within the day",
    sql: `SELECT dt, product_id,
       any_value(product_name) AS product_name,
       any_value(category) AS category,
       CAST(sum(quantity) AS BIGINT) AS units,
       sum(line_total) AS revenue,
       count(DISTINCT order_id) AS orders,
       rank() OVER (PARTITION BY dt ORDER BY sum(line_total) DESC) AS revenue_rank
FROM order_items
GROUP BY dt, product_id`,
  },
  {
    name: "store_revenue",
    description: "per day (UTC), fulfilling store and currency: orders, units and revenue, with the store's region",
    sql: `SELECT dt, store_id, store_region AS region, currency,
       count(*) AS orders,
       CAST(sum(units) AS BIGINT) AS units,
       sum(total) AS revenue
FROM orders
GROUP BY dt, store_id, store_region, currency`,
  },
  {
    name: "latest_inventory",
    description: "per store and product: the most recent inventory snapshot (on hand, reorder point) and when it was taken",
    // One arg_max over a struct, so every value comes from the same snapshot; event_id breaks ties.
    sql: `SELECT store_id, product_id, latest.*
FROM (
  SELECT store_id, product_id,
         arg_max({'product_name': product_name, 'category': category, 'region': region, 'on_hand': on_hand,
                  'reorder_point': reorder_point, 'snapshot_at': occurred_at}, (occurred_at, event_id)) AS latest
  FROM inventory_snapshots
  GROUP BY store_id, product_id
)`,
  },
  {
    name: "low_stock",
    description: "latest snapshots whose on_hand is below the reorder point, with the units short of it",
    sql: `SELECT store_id, product_id, product_name, category, region, on_hand, reorder_point,
       reorder_point - on_hand AS units_short, snapshot_at
FROM latest_inventory
WHERE on_hand < reorder_point`,
  },
];
