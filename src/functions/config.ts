// The function runtime's config: one event source mapping per function.
import { Type, type Static } from "@sinclair/typebox";

export const mappingConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: "run this function" }),
    stream: Type.Optional(Type.String({ description: "source stream (each built-in has its own default)" })),
    batchSize: Type.Integer({ minimum: 1, maximum: 10_000, default: 500, description: "most records per invocation" }),
    maximumBatchingWindowMs: Type.Integer({ minimum: 0, maximum: 300_000, default: 0, description: "time to gather a fuller batch, in ms" }),
    startingPosition: Type.Union([Type.Literal("TRIM_HORIZON"), Type.Literal("LATEST")], {
      default: "TRIM_HORIZON",
      description: "where a function with no checkpoint starts reading",
    }),
  },
  { additionalProperties: false, default: {} },
);
export type MappingConfig = Static<typeof mappingConfigSchema>;

export const functionsConfigSchema = Type.Object(
  {
    enrich: mappingConfigSchema,
    orders: mappingConfigSchema,
  },
  { additionalProperties: false, default: {}, description: "built-in functions and their event source mappings" },
);
export type FunctionsConfig = Static<typeof functionsConfigSchema>;
