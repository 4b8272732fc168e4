// Public surface of the function runtime: deployFunctions (config → runtime with its event source
// mappings), direct invocation, the AWS identifiers others reuse, the built-in functions and the housekeeping
// of their bookkeeping in the serving store.
export type * from "./types.js";
export { deployFunctions, type DeployFunctionsOptions } from "./deploy.js";
export { FunctionRuntime, type InvokeResult } from "./runtime.js";
export { functionsConfigSchema, type FunctionConfig, type FunctionConfigInput, type FunctionsConfig } from "./config.js";
export type { FunctionError } from "./invocation.js";
export { backoffMs, DEFAULT_RETRY_BACKOFF, pause, type RetryBackoff } from "./retry-backoff.js";
export type { KinesisInvocationRecord } from "./failure-destination.js";
export { AWS_ACCOUNT_ID, AWS_REGION, FUNCTION_ROLE_ARN, functionArn, queueArn, queueNameOf, streamArn } from "./arn.js";
export { createEnrichFunction, curate, type ReferenceData } from "./builtin/enrich.js";
export { createOrdersFunction } from "./builtin/orders.js";
export { pruneBookkeeping, redeliveryHorizonMs, StoreHousekeeping, type PruneCutoffs, type PrunedRows, type StoreHousekeepingOptions } from "./builtin/housekeeping.js";
