// Turns one config entry into a FunctionSpec: applies the defaults that depend on the kind of function or
// source (AWS: batch size 100 for a stream, 10 for a queue; timeout 3 s) and checks the rules the schema
// cannot express across fields. Every problem is reported at once, each with its config path.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../errors/index.js";
import { queueNameOf } from "./arn.js";
import { REPORT_BATCH_ITEM_FAILURES, type FunctionConfig } from "./config.js";
import type { EventSource, FunctionSpec, HandlerLocation, MappingStartingPosition } from "./types.js";

const DEFAULTS = {
  streamBatchSize: 100,
  queueBatchSize: 10,
  /** a queue batch above this needs a batching window (AWS) */
  queueBatchSizeWithoutWindow: 10,
  timeoutSec: 3,
  builtinBatchSize: 500,
  builtinTimeoutSec: 60,
};

/** Settings that only make sense for a stream, with their defaults: a queue mapping must leave them be. */
const STREAM_ONLY = {
  startingPosition: "TRIM_HORIZON",
  startingPositionTimestamp: undefined,
  parallelizationFactor: 1,
  maximumRetryAttempts: -1,
  maximumRecordAgeSec: -1,
  bisectBatchOnFunctionError: false,
  destinationConfig: undefined,
} as const satisfies Partial<Record<keyof FunctionConfig, unknown>>;

export interface ResolveOptions {
  /** set for a built-in: the stream it reads unless the config names one */
  builtin?: { defaultStream: string };
  /** handler paths are relative to it (the pipeline file's directory) */
  baseDir: string;
}

export function resolveFunction(name: string, config: FunctionConfig, options: ResolveOptions): FunctionSpec {
  const problems: string[] = [];
  const at = (field?: string) => `functions.${name}${field ? `.${field}` : ""}`;

  let handler: HandlerLocation | undefined;
  if (options.builtin && config.handler !== undefined) {
    problems.push(`${at("handler")}: ${name} is a built-in function; it takes no handler`);
  } else if (!options.builtin) {
    if (config.handler === undefined) problems.push(`${at("handler")}: required (${name} is not a built-in function)`);
    else handler = locateHandler(config.handler, options.baseDir, at("handler"), problems);
  }

  if (config.stream !== undefined && config.queue !== undefined) problems.push(`${at()}: give a stream or a queue, not both`);
  if (options.builtin && config.queue !== undefined) problems.push(`${at("queue")}: built-in functions read streams`);

  let source: EventSource | undefined;
  const streamName = config.stream ?? options.builtin?.defaultStream;
  const reportBatchItemFailures = config.functionResponseTypes.includes(REPORT_BATCH_ITEM_FAILURES);
  if (config.queue !== undefined) {
    for (const [field, fallback] of Object.entries(STREAM_ONLY)) {
      if (config[field as keyof typeof STREAM_ONLY] !== fallback) problems.push(`${at(field)}: applies to stream sources only`);
    }
    const batchSize = config.batchSize ?? DEFAULTS.queueBatchSize;
    if (batchSize > DEFAULTS.queueBatchSizeWithoutWindow && config.maximumBatchingWindowMs < 1000) {
      problems.push(`${at("batchSize")}: a queue batch above ${DEFAULTS.queueBatchSizeWithoutWindow} needs maximumBatchingWindowMs of at least 1000`);
    }
    source = {
      kind: "queue",
      mapping: { queue: config.queue, batchSize, maximumBatchingWindowMs: config.maximumBatchingWindowMs, reportBatchItemFailures },
    };
  } else if (streamName !== undefined) {
    const startingPosition = resolveStartingPosition(config, at, problems);
    if (config.maximumRecordAgeSec !== -1 && config.maximumRecordAgeSec < 60) {
      problems.push(`${at("maximumRecordAgeSec")}: expected -1 or 60 to 604800, got ${config.maximumRecordAgeSec}`);
    }
    const onFailure = config.destinationConfig?.onFailure;
    source = {
      kind: "stream",
      mapping: {
        stream: streamName,
        batchSize: config.batchSize ?? (options.builtin ? DEFAULTS.builtinBatchSize : DEFAULTS.streamBatchSize),
        maximumBatchingWindowMs: config.maximumBatchingWindowMs,
        startingPosition: startingPosition ?? { type: "TRIM_HORIZON" },
        parallelizationFactor: config.parallelizationFactor,
        maximumRetryAttempts: config.maximumRetryAttempts,
        maximumRecordAgeSec: config.maximumRecordAgeSec,
        bisectBatchOnFunctionError: config.bisectBatchOnFunctionError,
        reportBatchItemFailures,
        ...(onFailure && { onFailure: { queue: queueNameOf(onFailure.destination), includeRecords: onFailure.includeRecords } }),
      },
    };
  }

  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return {
    name,
    ...(handler && { handler }),
    timeoutMs: (config.timeoutSec ?? (options.builtin ? DEFAULTS.builtinTimeoutSec : DEFAULTS.timeoutSec)) * 1000,
    memorySizeMb: config.memorySizeMb,
    environment: config.environment,
    ...(source && { source }),
  };
}

/** `./functions/plan.mjs#main` → the file (resolved against baseDir) and the export (default `handler`). */
function locateHandler(spec: string, baseDir: string, path: string, problems: string[]): HandlerLocation | undefined {
  const hash = spec.lastIndexOf("#");
  const relativeFile = hash === -1 ? spec : spec.slice(0, hash);
  const exportName = hash === -1 ? "handler" : spec.slice(hash + 1);
  const file = isAbsolute(relativeFile) ? relativeFile : resolve(baseDir, relativeFile);
  if (exportName === "") problems.push(`${path}: no export name after # in ${JSON.stringify(spec)}`);
  if (!existsSync(file)) problems.push(`${path}: ${file} does not exist`);
  return { file, exportName };
}

function resolveStartingPosition(
  config: FunctionConfig,
  at: (field: string) => string,
  problems: string[],
): MappingStartingPosition | undefined {
  if (config.startingPosition !== "AT_TIMESTAMP") {
    if (config.startingPositionTimestamp !== undefined) {
      problems.push(`${at("startingPositionTimestamp")}: only with startingPosition AT_TIMESTAMP`);
    }
    return { type: config.startingPosition };
  }
  const timestampMs = config.startingPositionTimestamp === undefined ? NaN : Date.parse(config.startingPositionTimestamp);
  if (Number.isNaN(timestampMs)) {
    problems.push(`${at("startingPositionTimestamp")}: AT_TIMESTAMP needs an ISO 8601 time, got ${JSON.stringify(config.startingPositionTimestamp)}`);
    return undefined;
  }
  return { type: "AT_TIMESTAMP", timestampMs };
}
