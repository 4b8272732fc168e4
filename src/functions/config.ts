// The functions' config: one entry per function, with its Lambda settings and its event source mapping
// (a stream, a queue, or none for a function that is only invoked). Field names follow AWS's
// CreateFunction and CreateEventSourceMapping in camelCase, with units in the name; defaults are AWS's.
// Rules that cross fields (a queue takes no stream settings, …) are checked in resolve-function.ts.
import { Type, type Static } from "@sinclair/typebox";

/** Lambda's function-name rule. */
export const FUNCTION_NAME_PATTERN = "^[a-zA-Z0-9_-]{1,64}$";

export const REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures";

const onFailureSchema = Type.Object(
  {
    destination: Type.String({
      minLength: 1,
      description: "queue (name or SQS ARN) that receives one invocation record per discarded batch",
    }),
    includeRecords: Type.Boolean({
      default: false,
      description:
        "shopstream extension: add the discarded records to the invocation record (`records`, as the Kinesis event records the function saw); AWS sends only their shard and sequence range",
    }),
  },
  { additionalProperties: false },
);

export const functionConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: "deploy this function and run its event source mapping" }),
    handler: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "a Lambda handler file relative to the pipeline file, with an optional export name after # (default `handler`): `./functions/plan.ts`, `./functions/plan.mjs#main`. ESM or CommonJS, async or callback style; .ts/.mts/.cts load through tsx. Built-in functions (enrich, orders) have none.",
      }),
    ),
    stream: Type.Optional(
      Type.String({ minLength: 1, description: "source stream (Kinesis event source mapping); each built-in has its own default" }),
    ),
    queue: Type.Optional(Type.String({ minLength: 1, description: "source queue (SQS event source mapping); not with `stream`" })),
    batchSize: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        description:
          "most records per invocation; default 100 for a stream, 10 for a queue (AWS) and 500 for the built-ins. A queue takes more than 10 only with maximumBatchingWindowMs of at least 1000",
      }),
    ),
    maximumBatchingWindowMs: Type.Integer({
      minimum: 0,
      maximum: 300_000,
      default: 0,
      description: "how long to gather records for a fuller batch before invoking, in ms (AWS: MaximumBatchingWindowInSeconds)",
    }),
    startingPosition: Type.Union([Type.Literal("TRIM_HORIZON"), Type.Literal("LATEST"), Type.Literal("AT_TIMESTAMP")], {
      default: "TRIM_HORIZON",
      description: "streams: where a mapping with no checkpoint starts (AWS requires it; shopstream defaults to the oldest record)",
    }),
    startingPositionTimestamp: Type.Optional(
      Type.String({ description: "streams, with AT_TIMESTAMP: an ISO 8601 time, e.g. 2025-01-31T12:00:00Z" }),
    ),
    parallelizationFactor: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 1,
      description: "streams: batches processed at once per shard; records of one partition key stay in order",
    }),
    maximumRetryAttempts: Type.Integer({
      minimum: -1,
      maximum: 10_000,
      default: -1,
      description: "streams: retries of a failing batch before it is discarded; -1 retries until the records expire",
    }),
    maximumRecordAgeSec: Type.Integer({
      minimum: -1,
      maximum: 604_800,
      default: -1,
      description: "streams: records older than this are discarded instead of processed; -1 means no limit, else 60 to 604800",
    }),
    bisectBatchOnFunctionError: Type.Boolean({
      default: false,
      description: "streams: split a failing batch in two and retry each half, to isolate a bad record; splits do not count as retries",
    }),
    functionResponseTypes: Type.Array(Type.Literal(REPORT_BATCH_ITEM_FAILURES), {
      default: [],
      uniqueItems: true,
      description:
        "`[ReportBatchItemFailures]` lets the handler return `{ batchItemFailures: [{ itemIdentifier }] }` (a sequence number for a stream, a message id for a queue) to fail only part of a batch",
    }),
    destinationConfig: Type.Optional(
      Type.Object(
        { onFailure: onFailureSchema },
        { additionalProperties: false, description: "streams: where discarded batches are reported (AWS: DestinationConfig.OnFailure)" },
      ),
    ),
    timeoutSec: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 900,
        description: "longest invocation before the handler is stopped and the invocation fails; default 3 (AWS), 60 for the built-ins",
      }),
    ),
    memorySizeMb: Type.Integer({
      minimum: 128,
      maximum: 10_240,
      default: 128,
      description: "the handler's heap limit in MB (its worker thread's old generation), also context.memoryLimitInMB",
    }),
    environment: Type.Record(Type.String({ pattern: "^[a-zA-Z][a-zA-Z0-9_]*$" }), Type.String({ description: "the variable's value" }), {
      additionalProperties: false,
      default: {},
      description:
        "the handler's process.env (AWS: Environment.Variables): these, Lambda's own (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, …) and PATH, LANG and TZ; never the rest of shopstream's environment",
    }),
  },
  { additionalProperties: false, default: {} },
);
export type FunctionConfig = Static<typeof functionConfigSchema>;

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
/** A config entry as written: fields with defaults may be left out. */
export type FunctionConfigInput = DeepPartial<FunctionConfig>;

export const functionsConfigSchema = Type.Record(Type.String({ pattern: FUNCTION_NAME_PATTERN }), functionConfigSchema, {
  additionalProperties: false,
  default: { enrich: {}, orders: {}, customers: {}, fraud: {} },
  description:
    "functions by name: the built-ins (enrich, orders, customers, fraud) and Lambda handlers, each with its event source mapping (a stream, a queue, or none for a function that is only invoked)",
});
export type FunctionsConfig = Static<typeof functionsConfigSchema>;
