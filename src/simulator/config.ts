// The built-in simulator's config (inside `shopstream up`) and the catalog seed the pipeline shares with it.
import { Type, type Static } from "@sinclair/typebox";
import { DEFAULT_CATALOG_SEED } from "./catalog.js";
import { DEFAULT_FRAUD_RATE, DEFAULT_LIVE_SPEED } from "./traffic.js";

export const simulatorConfigSchema = Type.Object(
  {
    ratePerSec: Type.Number({ minimum: 0, maximum: 1_000_000, default: 50, description: "events per second the built-in simulator sends; 0 turns it off" }),
    seed: Type.Integer({ default: 1, description: "traffic seed" }),
    speed: Type.Number({ minimum: 0.001, maximum: 100_000, default: DEFAULT_LIVE_SPEED, description: "shop time per real time" }),
    fraudRate: Type.Number({
      minimum: 0,
      maximum: 0.5,
      default: DEFAULT_FRAUD_RATE,
      description:
        "fraud cases per shopper session, labelled in their events' payload.simulation; as many honest look-alike cases are mixed in; 0 turns injection off",
    }),
    catalogSeed: Type.Integer({ default: DEFAULT_CATALOG_SEED, description: "seed of the catalog (products, stores, customers) the pipeline and simulator share" }),
  },
  { additionalProperties: false, default: {}, description: "the built-in traffic simulator and the catalog" },
);
export type SimulatorConfig = Static<typeof simulatorConfigSchema>;
