// The KPI views over the lake for the dashboard, one synchronous call each: GET /v1/kpis/views/:view runs
// `SELECT * FROM <view>` in the analytics engine, newest first, and answers its columns and rows. Only the
// KPI views (src/analytics/views.ts) can be named; anything else is a 404.
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { KPI_VIEWS, type AnalyticsEngine, type JsonValue, type ResultColumn } from "../analytics/index.js";
import { NotFoundError } from "../errors/index.js";

export const MAX_VIEW_ROWS = 1000;
const DEFAULT_VIEW_ROWS = 100;

/** Each view's order: the latest day (or hour) first, its biggest figures first within it. */
const VIEW_ORDER: Record<string, string> = {
  daily_sales: "dt DESC, currency",
  hourly_sales: "hour_start DESC, currency",
  funnel: "dt DESC, step_no",
  top_products: "dt DESC, revenue_rank, product_id",
  store_revenue: "dt DESC, revenue DESC, store_id",
  latest_inventory: "store_id, product_id",
  low_stock: "units_short DESC, store_id, product_id",
};

export interface KpiViewResult {
  view: string;
  columns: ResultColumn[];
  /** one array per row, aligned with `columns` */
  rows: JsonValue[][];
}

const ViewParams = Type.Object({ view: Type.String({ maxLength: 64 }) });
const ViewQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VIEW_ROWS, default: DEFAULT_VIEW_ROWS, description: "rows to return" })) },
  { additionalProperties: false },
);

export async function readKpiView(analytics: AnalyticsEngine, view: string, limit = DEFAULT_VIEW_ROWS): Promise<KpiViewResult> {
  if (!KPI_VIEWS.some((kpi) => kpi.name === view)) {
    throw new NotFoundError(`no KPI view ${JSON.stringify(view)}; the views are ${KPI_VIEWS.map((kpi) => kpi.name).join(", ")}`);
  }
  const order = VIEW_ORDER[view];
  // `view` is one of the names above and `limit` a checked integer, so the statement is built from constants.
  const { columns, rows } = await analytics.query(`SELECT * FROM ${view}${order ? ` ORDER BY ${order}` : ""} LIMIT ${Math.trunc(limit)}`);
  return { view, columns, rows };
}

export async function registerKpiViewRoutes(app: FastifyInstance, analytics: AnalyticsEngine): Promise<void> {
  app.get<{ Params: Static<typeof ViewParams>; Querystring: Static<typeof ViewQuery> }>(
    "/v1/kpis/views/:view",
    { schema: { params: ViewParams, querystring: ViewQuery } },
    async (request) => readKpiView(analytics, request.params.view, request.query.limit),
  );
}
