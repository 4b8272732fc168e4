// The config sections of store planning and truck dispatch (pipeline YAML `inventory`, `planning` and
// `dispatch`): how reorder points and target levels are set (configured, or derived from sales velocity and
// lead time), which stores take backorders, how planning alerts, and how big the truck fleet is.
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const HOUR_MS = 3_600_000;

const leadTimeDays = (description: string, defaultValue?: number) =>
  Type.Number({ minimum: 0, maximum: 365, ...(defaultValue !== undefined && { default: defaultValue }), description });

export const reorderPolicyConfigSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal("derived"), Type.Literal("configured")], {
      default: "derived",
      description:
        "derived: a store and product that sold in the demand window gets reorder point = average daily demand × lead time + safety stock, " +
        "and target level = reorder point + average daily demand × reviewDays (both rounded up to whole units); one that sold nothing " +
        "in the window keeps its configured levels (the seeded ones in the serving store, the latest snapshot's in planning). " +
        "configured: the configured levels always apply",
    }),
    leadTimeDays: leadTimeDays("days from a replenishment alert to the delivery on the shelf; a store can override it under inventory.stores", 2),
    demandWindowDays: Type.Integer({
      minimum: 1,
      maximum: 365,
      default: 14,
      description: "the average and the spread of daily demand are taken over this many days before the planning instant (shop time); days without a sale count as 0",
    }),
    safetyFactor: Type.Number({
      minimum: 0,
      maximum: 10,
      default: 1.65,
      description:
        "z of the safety stock z × σ(daily demand) × √leadTimeDays, σ being the population standard deviation of the window's daily units; " +
        "1.65 covers about 95 % of lead-time demand, 2.33 about 99 %, 0 keeps no safety stock",
    }),
    reviewDays: Type.Number({
      minimum: 0,
      maximum: 365,
      default: 7,
      description: "days of average demand a replenishment brings on top of the reorder point: target level = reorder point + average daily demand × reviewDays",
    }),
    refreshIntervalSec: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 300,
      description:
        "how often the pipeline writes the derived levels into the serving store's inventory (where the orders function's low-stock alerts read them), " +
        "in seconds of wall time; they are also written after every planning run; 0 writes them only after planning runs",
    }),
  },
  { additionalProperties: false, default: {}, description: "how reorder points and target levels are set" },
);

export const storeInventoryConfigSchema = Type.Object(
  {
    allowBackorder: Type.Optional(Type.Boolean({ description: "this store's setting, over inventory.allowBackorder" })),
    leadTimeDays: Type.Optional(leadTimeDays("this store's lead time in days, over inventory.reorderPolicy.leadTimeDays")),
  },
  { additionalProperties: false },
);

export const inventoryConfigSchema = Type.Object(
  {
    reorderPolicy: reorderPolicyConfigSchema,
    allowBackorder: Type.Boolean({
      default: false,
      description:
        "whether stores take orders they cannot cover from stock (the order reserves what there is and is backordered) instead of flagging them short; " +
        "written to the serving store's stores table when the pipeline opens",
    }),
    stores: Type.Record(Type.String({ minLength: 1, maxLength: 128 }), storeInventoryConfigSchema, {
      default: {},
      description: "per-store overrides, by store_id",
    }),
  },
  { additionalProperties: false, default: {}, description: "store inventory policy: reorder points, target levels, lead times and backorders" },
);

export const planningConfigSchema = Type.Object(
  {
    queue: Type.String({
      minLength: 1,
      maxLength: 80,
      default: "replenishment",
      description: "the queue planning sends replenishment alerts to and the truck dispatcher consumes",
    }),
    dedupWindowMs: Type.Integer({
      minimum: 0,
      maximum: 30 * 24 * HOUR_MS,
      default: 6 * HOUR_MS,
      description: "a store and product alerted within this long (ms) is not alerted again; the default replenishment queue is a standard one and keeps no deduplication ids",
    }),
    demandWindowDays: Type.Number({
      minimum: 0,
      maximum: 365,
      default: 7,
      description: "the report's recent_demand_units are the units sold in this many days before the run (inventory.reorderPolicy.demandWindowDays sets the levels)",
    }),
  },
  { additionalProperties: false, default: {}, description: "store planning (`shopstream plan`, POST /v1/planning/run)" },
);

export const dispatchConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: "run the truck dispatcher inside `shopstream up`; false leaves the queue to `shopstream dispatch` or another consumer" }),
    trucksPerDepot: Type.Integer({ minimum: 1, maximum: 10_000, default: 4, description: "trucks at each depot" }),
    truckCapacityUnits: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 2_000, description: "units one truck carries; a bigger alert is split over several trucks" }),
    driveSpeedKmh: Type.Number({ minimum: 1, maximum: 200, default: 50, description: "average truck speed in km/h (shop time), over the great-circle distance" }),
    receiveWaitSec: Type.Integer({ minimum: 0, maximum: 20, default: 20, description: "long-poll wait of each receive from the queue, in seconds" }),
    maxInflightMessages: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: "messages worked on at once; receiving pauses at this many" }),
  },
  { additionalProperties: false, default: {}, description: "the truck dispatcher that consumes planning's queue" },
);

export type ReorderPolicyConfig = Static<typeof reorderPolicyConfigSchema>;
export type InventoryConfig = Static<typeof inventoryConfigSchema>;
export type PlanningConfig = Static<typeof planningConfigSchema>;
export type DispatchConfig = Static<typeof dispatchConfigSchema>;

export const DEFAULT_INVENTORY_CONFIG = Value.Default(inventoryConfigSchema, {}) as InventoryConfig;
export const DEFAULT_PLANNING_CONFIG = Value.Default(planningConfigSchema, {}) as PlanningConfig;
export const DEFAULT_DISPATCH_CONFIG = Value.Default(dispatchConfigSchema, {}) as DispatchConfig;

/** Store ids whose lead time differs from the default, with theirs. */
export function leadTimeOverrides(config: InventoryConfig): Map<string, number> {
  const overrides = new Map<string, number>();
  for (const [storeId, store] of Object.entries(config.stores)) {
    if (store.leadTimeDays !== undefined) overrides.set(storeId, store.leadTimeDays);
  }
  return overrides;
}
