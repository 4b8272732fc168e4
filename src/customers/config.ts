// The customers component's config (pipeline YAML section `customers`): how visits are cut into sessions,
// how late an event may arrive and still change its per-minute KPI window, and when RFM is recomputed.
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export const rfmConfigSchema = Type.Object(
  {
    intervalSec: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 300,
      description: "how often the pipeline recomputes RFM scores and segments, in seconds of wall time; 0 recomputes only on demand (POST /v1/customers/rfm)",
    }),
    lookbackDays: Type.Integer({
      minimum: 1,
      maximum: 3_650,
      default: 365,
      description: "only orders placed within this many days (event time) before the as-of instant count towards recency, frequency and monetary value",
    }),
  },
  { additionalProperties: false, default: {}, description: "RFM (recency, frequency, monetary) scoring of customers" },
);

export const customersConfigSchema = Type.Object(
  {
    sessionGapMinutes: Type.Integer({
      minimum: 1,
      maximum: 1_440,
      default: 30,
      description: "a visitor's next event starts a new session after more than this much inactivity, in minutes of event time",
    }),
    allowedLatenessSec: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 600,
      description:
        "a per-minute KPI window still takes events until the watermark (event time) is this far past the window's end, in seconds; later events are dropped from the window and counted in kpi_minute_late",
    }),
    rfm: rfmConfigSchema,
  },
  { additionalProperties: false, default: {}, description: "customer analytics: sessions, funnel, profiles, RFM and per-minute KPIs (the `customers` built-in function)" },
);

export type CustomersConfig = Static<typeof customersConfigSchema>;
export type RfmConfig = Static<typeof rfmConfigSchema>;

export const DEFAULT_CUSTOMERS_CONFIG = Value.Default(customersConfigSchema, {}) as CustomersConfig;
