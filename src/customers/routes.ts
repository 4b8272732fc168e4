// The dashboard's HTTP API over customer analytics: top customers, one customer, RFM segments (and a
// recompute on demand), per-minute KPIs, the funnel and cohorts. Plain JSON; query strings are checked
// against the schemas below, and typed errors become {error: {code, message}} in the server's one error
// handler. Times in query strings are RFC 3339 or epoch milliseconds.
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../errors/index.js";
import type { ServingStore } from "../store/index.js";
import { cohorts } from "./cohorts.js";
import { DEFAULT_CUSTOMERS_CONFIG, type CustomersConfig } from "./config.js";
import { funnelConversion } from "./funnel.js";
import { kpiSeries } from "./kpi-series.js";
import { customerProfile, MAX_TOP_CUSTOMERS, TOP_CUSTOMER_ORDERINGS, topCustomers } from "./profile-queries.js";
import { computeRfm, segmentCounts } from "./rfm.js";
import { parseInstant, parseTimeRange } from "./time-range.js";

const Instant = (description: string) => Type.Optional(Type.String({ maxLength: 40, description }));

const RangeQuery = Type.Object(
  {
    from: Instant("start of the range (inclusive), RFC 3339 or epoch ms"),
    to: Instant("end of the range (exclusive), RFC 3339 or epoch ms"),
  },
  { additionalProperties: false },
);

const TopQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOP_CUSTOMERS, default: 10 })),
    by: Type.Optional(Type.Union(TOP_CUSTOMER_ORDERINGS.map((ordering) => Type.Literal(ordering)))),
  },
  { additionalProperties: false },
);

const CohortQuery = Type.Object({ months: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })) }, { additionalProperties: false });

const RfmBody = Type.Union([Type.Object({ asOf: Instant("the instant recency is measured from; default the latest event time seen") }, { additionalProperties: false }), Type.Null()]);

const CustomerParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export interface CustomerRoutesOptions {
  /** the `customers` config section (RFM lookback); defaults apply when absent */
  config?: CustomersConfig;
}

export async function registerCustomerRoutes(app: FastifyInstance, store: ServingStore, options: CustomerRoutesOptions = {}): Promise<void> {
  const config = options.config ?? DEFAULT_CUSTOMERS_CONFIG;

  app.get<{ Querystring: Static<typeof TopQuery> }>("/v1/customers/top", { schema: { querystring: TopQuery } }, async (request) => ({
    customers: await topCustomers(store, request.query),
  }));

  app.get("/v1/customers/segments", async () => segmentCounts(store));

  app.post<{ Body: Static<typeof RfmBody> }>("/v1/customers/rfm", { schema: { body: RfmBody } }, async (request) => {
    const asOfMs = parseInstant("asOf", request.body?.asOf);
    return computeRfm(store, { lookbackDays: config.rfm.lookbackDays, ...(asOfMs !== undefined && { asOfMs }) });
  });

  app.get<{ Params: Static<typeof CustomerParams> }>("/v1/customers/:id", { schema: { params: CustomerParams } }, async (request) => {
    const profile = await customerProfile(store, request.params.id);
    if (!profile) throw new NotFoundError(`no customer ${request.params.id} has been seen`);
    return profile;
  });

  app.get<{ Querystring: Static<typeof RangeQuery> }>("/v1/kpis/minute", { schema: { querystring: RangeQuery } }, async (request) =>
    kpiSeries(store, parseTimeRange(request.query)),
  );

  app.get<{ Querystring: Static<typeof RangeQuery> }>("/v1/funnel", { schema: { querystring: RangeQuery } }, async (request) =>
    funnelConversion(store, parseTimeRange(request.query)),
  );

  app.get<{ Querystring: Static<typeof CohortQuery> }>("/v1/cohorts", { schema: { querystring: CohortQuery } }, async (request) => ({
    cohorts: await cohorts(store, request.query),
  }));
}
