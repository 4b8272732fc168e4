// Monthly first-order cohorts × retention: customers are grouped by the month of their first order that
// was not cancelled, and each later month counts how many of them ordered again. Months are UTC calendar
// months of event time. (Signup cohorts need a signup event, which the event model does not have yet.)
import type { ServingStore } from "../store/index.js";
import { monthsBetween } from "./event-time.js";

export interface CohortMonth {
  /** months since the cohort's first month (0 is the first month itself) */
  monthOffset: number;
  /** cohort customers with an order that month */
  customers: number;
  /** customers over the cohort's size */
  rate: number;
}

export interface Cohort {
  /** "YYYY-MM" */
  cohort: string;
  customers: number;
  retention: CohortMonth[];
}

const COHORT_SQL = `SELECT f.first_month AS cohort, o.placed_month AS month, COUNT(DISTINCT o.customer_id) AS customers
  FROM customer_orders o
  JOIN (SELECT customer_id, MIN(placed_month) AS first_month FROM customer_orders WHERE status <> 'cancelled' GROUP BY customer_id) f
    ON f.customer_id = o.customer_id
  WHERE o.status <> 'cancelled'
  GROUP BY f.first_month, o.placed_month
  ORDER BY f.first_month, o.placed_month`;

/** The latest `months` cohorts (default 12), oldest first. */
export async function cohorts(store: ServingStore, options: { months?: number } = {}): Promise<Cohort[]> {
  const rows = await store.all<{ cohort: string; month: string; customers: number }>(COHORT_SQL);
  const byCohort = new Map<string, Cohort>();
  for (const row of rows) {
    let cohort = byCohort.get(row.cohort);
    if (!cohort) {
      // The first row of a cohort is its own month, in which every member ordered.
      cohort = { cohort: row.cohort, customers: Number(row.customers), retention: [] };
      byCohort.set(row.cohort, cohort);
    }
    const customers = Number(row.customers);
    cohort.retention.push({ monthOffset: monthsBetween(row.cohort, row.month), customers, rate: customers / cohort.customers });
  }
  return [...byCohort.values()].slice(-(options.months ?? 12));
}
