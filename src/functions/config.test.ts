// The functions' config: AWS's defaults, unknown fields and cross-field mistakes rejected with their path,
// and problems that need the backends (a missing stream, queue or handler file) found before anything runs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Value } from "@sinclair/typebox/value";
import { parsePipelineConfig } from "../config/index.js";
import { ConfigError } from "../errors/index.js";
import { functionConfigSchema, type FunctionConfigInput } from "./config.js";
import { deployFunctions } from "./deploy.js";
import { resolveFunction } from "./resolve-function.js";
import { openQueue, openStream } from "./test-support/harness.js";

const HANDLERS_DIR = fileURLToPath(new URL("./test-support/handlers/", import.meta.url));

function resolve(config: FunctionConfigInput, builtin?: { defaultStream: string }) {
  return resolveFunction("fn", Value.Default(functionConfigSchema, structuredClone(config)) as never, {
    baseDir: HANDLERS_DIR,
    ...(builtin && { builtin }),
  });
}

describe("functions config", () => {
  it("applies AWS's defaults, which depend on the kind of function and source", () => {
    const stream = resolve({ handler: "./esm-echo.mjs", stream: "events" });
    assert.equal(stream.timeoutMs, 3_000);
    assert.equal(stream.memorySizeMb, 128);
    assert.deepEqual(stream.handler, { file: `${HANDLERS_DIR}esm-echo.mjs`, exportName: "handler" });
    assert.deepEqual(stream.source, {
      kind: "stream",
      mapping: {
        stream: "events",
        batchSize: 100,
        maximumBatchingWindowMs: 0,
        startingPosition: { type: "TRIM_HORIZON" },
        parallelizationFactor: 1,
        maximumRetryAttempts: -1,
        maximumRecordAgeSec: -1,
        bisectBatchOnFunctionError: false,
        reportBatchItemFailures: false,
      },
    });
    assert.deepEqual(resolve({ handler: "./esm-echo.mjs", queue: "orders" }).source, {
      kind: "queue",
      mapping: { queue: "orders", batchSize: 10, maximumBatchingWindowMs: 0, reportBatchItemFailures: false },
    });
    const builtin = resolve({}, { defaultStream: "curated" });
    assert.equal(builtin.timeoutMs, 60_000);
    assert.equal(builtin.source?.kind === "stream" && builtin.source.mapping.batchSize, 500);
    assert.equal(builtin.source?.kind === "stream" && builtin.source.mapping.stream, "curated");
    assert.equal(resolve({ handler: "./typed.ts#main" }).source, undefined, "no source: invoked directly only");
  });

  it("rejects mistakes across fields, each named by its path", () => {
    const problems = (config: FunctionConfigInput, builtin?: { defaultStream: string }) => {
      try {
        resolve(config, builtin);
        return "";
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.message;
      }
    };
    assert.match(problems({ handler: "./esm-echo.mjs" }, { defaultStream: "events" }), /functions\.fn\.handler: fn is a built-in function; it takes no handler/);
    assert.match(problems({ stream: "events" }), /functions\.fn\.handler: required \(fn is not a built-in function\)/);
    assert.match(problems({ handler: "./missing.mjs" }), /functions\.fn\.handler: .*missing\.mjs does not exist/);
    assert.match(problems({ handler: "./esm-echo.mjs", stream: "a", queue: "b" }), /functions\.fn: give a stream or a queue, not both/);
    assert.match(problems({ handler: "./esm-echo.mjs", stream: "a", startingPosition: "AT_TIMESTAMP" }), /startingPositionTimestamp: AT_TIMESTAMP needs an ISO 8601 time/);
    assert.match(problems({ handler: "./esm-echo.mjs", stream: "a", maximumRecordAgeSec: 30 }), /maximumRecordAgeSec: expected -1 or 60 to 604800, got 30/);
    assert.match(
      problems({ handler: "./esm-echo.mjs", queue: "q", bisectBatchOnFunctionError: true, destinationConfig: { onFailure: { destination: "d" } } }),
      /bisectBatchOnFunctionError: applies to stream sources only\nfunctions\.fn\.destinationConfig: applies to stream sources only/,
    );
  });

  it("rejects unknown fields and reports every function's problems at once, before anything runs", async (t) => {
    const { stream, dir } = await openStream(t);
    const queue = openQueue(t, dir);
    const attempt = (functionsConfig: Record<string, FunctionConfigInput>) =>
      deployFunctions({ stream, queue, functionsConfig, baseDir: HANDLERS_DIR }).then(
        () => "",
        (error: Error) => {
          assert.ok(error instanceof ConfigError, String(error));
          return error.message;
        },
      );
    assert.match(await attempt({ plan: { handler: "./esm-echo.mjs", batchsize: 5 } as FunctionConfigInput }), /functions\.plan\.batchsize: unexpected property/);
    const message = await attempt({
      a: { handler: "./esm-echo.mjs", stream: "nope" },
      b: { handler: "./esm-echo.mjs", stream: "events", destinationConfig: { onFailure: { destination: "missing-queue" } } },
      c: { handler: "./esm-echo.mjs", queue: "missing-too" },
    });
    assert.match(message, /functions\.a\.stream: stream "nope" does not exist/);
    assert.match(message, /functions\.b\.destinationConfig\.onFailure\.destination: .*missing-queue/);
    assert.match(message, /functions\.c\.queue: .*missing-too/);
  });

  it("locates a user function's field in the pipeline file", () => {
    assert.throws(
      () => parsePipelineConfig("functions:\n  plan:\n    handler: ./plan.ts\n    batchSize: ten\n"),
      (error: Error) => error.message === 'pipeline.yaml:4:5 functions.plan.batchSize: expected an integer from 1 to 10000, got "ten"',
    );
    const config = parsePipelineConfig("functions:\n  plan:\n    handler: ./plan.ts\n  orders:\n    enabled: false\n");
    assert.deepEqual(Object.keys(config.functions).sort(), ["customers", "enrich", "fraud", "orders", "plan"], "the built-ins stay, with their defaults");
    assert.equal(config.functions["enrich"]?.enabled, true);
    assert.equal(config.functions["orders"]?.enabled, false);
    assert.equal(config.functions["plan"]?.maximumRetryAttempts, -1);
  });
});
