// The Lambda functions of a running pipeline: every deployed function (built-ins and the config's user
// handlers, run through FunctionRuntime.invokeFunction as their event source mappings run them) and
// StorePlanning (the pipeline's store planning with its config). A deployed function of the same name
// wins over StorePlanning.
import type { Pipeline } from "../../pipeline/index.js";
import type { LambdaFunction, LambdaFunctionCatalog } from "./lambda-function.js";
import { storePlanningFunction } from "./store-planning-function.js";

/** The function runtime's defaults (src/functions/resolve-function.ts): AWS's 3 s, 60 s for built-ins. */
const DEFAULT_TIMEOUT_SEC = 3;
const BUILTIN_TIMEOUT_SEC = 60;
const DEFAULT_MEMORY_MB = 128;

interface ConfigEntry {
  handler?: string;
  stream?: string;
  queue?: string;
  timeoutSec?: number;
  memorySizeMb?: number;
  environment?: Record<string, string>;
}

function deployedFunction(pipeline: Pipeline, name: string): LambdaFunction {
  const entry = (pipeline.config.functions[name] ?? {}) as ConfigEntry;
  const builtin = entry.handler === undefined;
  const source = entry.queue !== undefined ? { kind: "queue" as const, name: entry.queue } : builtin || entry.stream !== undefined ? { kind: "stream" as const, name: entry.stream ?? "" } : undefined;
  const fn: LambdaFunction = {
    name,
    description: builtin ? `shopstream built-in function ${name}` : `Lambda handler ${entry.handler}`,
    handler: entry.handler ?? `shopstream.${name}`,
    timeoutSec: entry.timeoutSec ?? (builtin ? BUILTIN_TIMEOUT_SEC : DEFAULT_TIMEOUT_SEC),
    memorySizeMb: entry.memorySizeMb ?? DEFAULT_MEMORY_MB,
    environment: entry.environment ?? {},
    invoke: async (event) => {
      const result = await pipeline.functions.invokeFunction(name, event);
      return { requestId: result.requestId, payload: result.payload, ...(result.functionError && { functionError: result.functionError }) };
    },
  };
  // A built-in's stream is its default one unless the config names another; the runtime knows it, the config may not.
  if (source && source.name !== "") fn.eventSource = source;
  return fn;
}

export function pipelineLambdaFunctions(pipeline: Pipeline): LambdaFunctionCatalog {
  const storePlanning = storePlanningFunction((overrides) => pipeline.planning.run(overrides));
  const list = (): LambdaFunction[] => {
    const deployed = pipeline.functions.functionNames.map((name) => deployedFunction(pipeline, name));
    const all = deployed.some((fn) => fn.name === storePlanning.name) ? deployed : [...deployed, storePlanning];
    return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };
  return {
    list,
    get: (name) => list().find((fn) => fn.name === name),
  };
}
