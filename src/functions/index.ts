// Public surface of the function runtime and the built-in functions.
export type * from "./types.js";
export { FunctionRuntime, type FunctionDeployment } from "./runtime.js";
export { createEnrichFunction, curate, type ReferenceData } from "./builtin/enrich.js";
export { createOrdersFunction } from "./builtin/orders.js";
