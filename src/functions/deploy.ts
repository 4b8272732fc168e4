// deployFunctions: from the `functions` config to a runtime ready to start. Checks every entry (schema,
// cross-field rules, and what needs the backends: streams and queues exist, a queue's visibility timeout
// covers the function's timeout), so that a bad config fails before anything runs, with every problem
// named by its config path. Built-ins are registered by name and run in this thread; every other
// function is a Lambda handler with its own worker pool.
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { ConfigError, errorMessage, NotFoundError } from "../errors/index.js";
import { componentLogger } from "../monitor/index.js";
import type { Queue } from "../queue/index.js";
import type { Stream } from "../stream/index.js";
import { BuiltinInvoker } from "./builtin-invoker.js";
import { functionConfigSchema, type FunctionConfig, type FunctionConfigInput } from "./config.js";
import { FailureDestination } from "./failure-destination.js";
import { instrumentInvoker, type FunctionInvoker } from "./invoker.js";
import { LambdaInvoker } from "./lambda-invoker.js";
import { resolveFunction } from "./resolve-function.js";
import { DEFAULT_RETRY_BACKOFF, type RetryBackoff } from "./retry-backoff.js";
import { FunctionRuntime, type DeployedFunction } from "./runtime.js";
import type { BuiltinRegistration, FunctionSpec } from "./types.js";
import { WorkerPool } from "./worker-pool.js";

const checkFunctionConfig = TypeCompiler.Compile(functionConfigSchema);

export interface DeployFunctionsOptions {
  stream: Stream;
  /** needed when a function reads a queue or reports discarded batches to one */
  queue?: Queue;
  /** `functions` from the pipeline config; entries may leave defaults out */
  functionsConfig: Readonly<Record<string, FunctionConfigInput>>;
  /** handler paths are relative to it: the pipeline file's directory */
  baseDir: string;
  /** built-in functions by name; one the config does not mention runs with its defaults */
  builtins?: Readonly<Record<string, BuiltinRegistration>>;
  /** wait before retries; tests shorten it */
  retryBackoff?: RetryBackoff;
  /** ms since the epoch, for record ages; tests move it */
  clock?: () => number;
}

export async function deployFunctions(options: DeployFunctionsOptions): Promise<FunctionRuntime> {
  const builtins = options.builtins ?? {};
  const entries: Record<string, FunctionConfigInput> = { ...Object.fromEntries(Object.keys(builtins).map((name) => [name, {}])), ...options.functionsConfig };
  const problems: string[] = [];
  const specs: FunctionSpec[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    try {
      const config = checkedConfig(name, entry);
      if (!config.enabled) continue;
      const builtin = builtins[name];
      const spec = resolveFunction(name, config, { baseDir: options.baseDir, ...(builtin && { builtin }) });
      await checkBackends(spec, options);
      specs.push(spec);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));

  const backoff = options.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
  const clock = options.clock ?? Date.now;
  const functions = new Map<string, DeployedFunction>();
  for (const spec of specs) {
    const log = componentLogger("functions").child({ function: spec.name });
    const builtin = builtins[spec.name];
    const invoker: FunctionInvoker = builtin
      ? new BuiltinInvoker(builtin.fn, spec.timeoutMs, log)
      : new LambdaInvoker(
          new WorkerPool({
            functionName: spec.name,
            handler: spec.handler!,
            timeoutMs: spec.timeoutMs,
            memorySizeMb: spec.memorySizeMb,
            environment: spec.environment,
            maxWorkers: await concurrencyOf(spec, options.stream),
            log,
          }),
        );
    const deployed: DeployedFunction = { spec, invoker: instrumentInvoker(spec.name, invoker) };
    const onFailure = spec.source?.kind === "stream" ? spec.source.mapping.onFailure : undefined;
    if (onFailure && options.queue) {
      deployed.destination = new FailureDestination(options.queue, {
        functionName: spec.name,
        queueName: onFailure.queue,
        includeRecords: onFailure.includeRecords,
        backoff,
        clock,
        log,
      });
    }
    functions.set(spec.name, deployed);
  }
  return new FunctionRuntime(functions, { stream: options.stream, queue: options.queue, backoff, clock });
}

/** Applies the schema's defaults and checks the entry, for callers that did not load it from a file. */
function checkedConfig(name: string, entry: FunctionConfigInput): FunctionConfig {
  const config = Value.Default(functionConfigSchema, structuredClone(entry));
  if (checkFunctionConfig.Check(config)) return config;
  const messages = [...checkFunctionConfig.Errors(config)]
    .slice(0, 10)
    .map((error) => `functions.${name}${error.path.replaceAll("/", ".")}: ${error.message.toLowerCase()}, got ${JSON.stringify(error.value)}`);
  throw new ConfigError(messages.join("\n"));
}

async function checkBackends(spec: FunctionSpec, options: DeployFunctionsOptions): Promise<void> {
  const at = `functions.${spec.name}`;
  const source = spec.source;
  const queueNeeded = source?.kind === "queue" ? source.mapping.queue : source?.mapping.onFailure?.queue;
  if (source?.kind === "stream") {
    await described(`${at}.stream`, () => options.stream.describeStream(source.mapping.stream));
  }
  if (queueNeeded === undefined) return;
  const field = source?.kind === "queue" ? `${at}.queue` : `${at}.destinationConfig.onFailure.destination`;
  if (!options.queue) throw new ConfigError(`${field}: no queue backend is configured`);
  const queue = options.queue;
  const description = await described(field, () => queue.describeQueue(queueNeeded));
  // AWS refuses this mapping: a message would become visible again while its invocation still runs.
  if (source?.kind === "queue" && description.attributes.visibilityTimeoutSec * 1000 < spec.timeoutMs) {
    throw new ConfigError(
      `${field}: queue ${queueNeeded} has a visibility timeout of ${description.attributes.visibilityTimeoutSec} s, less than the function's timeout of ${spec.timeoutMs / 1000} s`,
    );
  }
}

async function described<T>(field: string, describe: () => Promise<T>): Promise<T> {
  try {
    return await describe();
  } catch (error) {
    if (error instanceof NotFoundError) throw new ConfigError(`${field}: ${errorMessage(error)}`);
    throw error;
  }
}

/** Workers a Lambda handler needs: one per batch its mapping can have in flight, and one more so that a
 * direct invocation does not wait behind the mapping. Workers start on demand, so unused ones cost nothing. */
async function concurrencyOf(spec: FunctionSpec, stream: Stream): Promise<number> {
  const source = spec.source;
  if (source?.kind === "stream") {
    const shards = (await stream.describeStream(source.mapping.stream)).shards.length;
    return shards * source.mapping.parallelizationFactor + 1;
  }
  return source?.kind === "queue" ? 2 : 1;
}
