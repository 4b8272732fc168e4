// The Lambda API's config: how asynchronous (Event) invocations are retried and how many run at once.
import { Type, type Static } from "@sinclair/typebox";

export const lambdaConfigSchema = Type.Object(
  {
    asyncMaximumRetryAttempts: Type.Integer({
      minimum: 0,
      maximum: 2,
      default: 2,
      description: "retries of an Event invocation whose function fails or times out, after the first attempt (Lambda's MaximumRetryAttempts); then it is dropped, logged and counted",
    }),
    asyncRetryDelaySec: Type.Integer({
      minimum: 0,
      maximum: 450,
      default: 60,
      description: "seconds before the first retry of a failed Event invocation; the second waits twice as long (Lambda waits about 1 and 2 minutes)",
    }),
    asyncMaxConcurrency: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description: "Event invocations a worker runs at once; the rest wait in the internal queue, so a flood of them costs disk, not memory",
    }),
  },
  { additionalProperties: false, default: {}, description: "the Lambda API (docs/aws/lambda.md)" },
);
export type LambdaConfig = Static<typeof lambdaConfigSchema>;
