// Lambda handlers in worker threads: unmodified ESM, CommonJS and TypeScript handlers run with AWS's event
// and context shapes, and a handler that hangs, exits or crashes fails only its own invocation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { functionErrors } from "../monitor/index.js";
import { AWS_REGION, functionArn, FUNCTION_ROLE_ARN, streamArn } from "./arn.js";
import type { FunctionConfigInput } from "./config.js";
import { deployFunctions } from "./deploy.js";
import type { FunctionRuntime } from "./runtime.js";
import { FAST_RETRY, openStream, putValues, waitFor } from "./test-support/harness.js";

const HANDLERS_DIR = fileURLToPath(new URL("./test-support/handlers/", import.meta.url));

async function deploy(t: TestContext, functionsConfig: Record<string, FunctionConfigInput>, shardCount = 1): Promise<{ runtime: FunctionRuntime; dir: string }> {
  const { stream, dir } = await openStream(t, shardCount);
  const runtime = await deployFunctions({ stream, functionsConfig, baseDir: HANDLERS_DIR, retryBackoff: FAST_RETRY });
  t.after(() => runtime.stop());
  return { runtime, dir };
}

async function errorCount(functionName: string, errorType: string): Promise<number> {
  const { values } = await functionErrors.get();
  return values.find((v) => v.labels.function === functionName && v.labels.error_type === errorType)?.value ?? 0;
}

describe("Lambda handlers", () => {
  it("runs an unmodified ESM handler with Lambda's context and only its own environment", async (t) => {
    process.env["SHOPSTREAM_SECRET"] = "must not leak";
    t.after(() => delete process.env["SHOPSTREAM_SECRET"]);
    const { runtime } = await deploy(t, { echo: { handler: "./esm-echo.mjs", memorySizeMb: 256, environment: { GREETING: "hi" } } });

    const result = await runtime.invokeFunction("echo", { order: { id: "o-1", total: 12.5 }, when: new Date(0) });

    assert.equal(result.functionError, undefined);
    assert.equal(result.executedVersion, "$LATEST");
    const payload = result.payload as { event: unknown; context: Record<string, unknown>; env: Record<string, unknown> };
    assert.deepEqual(payload.event, { order: { id: "o-1", total: 12.5 }, when: "1970-01-01T00:00:00.000Z" });
    const { context } = payload;
    assert.equal(context["functionName"], "echo");
    assert.equal(context["functionVersion"], "$LATEST");
    assert.equal(context["invokedFunctionArn"], functionArn("echo"));
    assert.equal(context["invokedFunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:echo");
    assert.equal(context["memoryLimitInMB"], "256");
    assert.equal(context["awsRequestId"], result.requestId);
    assert.match(String(context["awsRequestId"]), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(context["logGroupName"], "/aws/lambda/echo");
    assert.match(String(context["logStreamName"]), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(context["callbackWaitsForEmptyEventLoop"], true);
    const remaining = context["remainingTimeInMillis"] as number;
    assert.ok(remaining > 0 && remaining <= 3_000, `remaining time ${remaining} within the default 3 s timeout`);
    assert.deepEqual(payload.env, { AWS_REGION: "us-east-1", AWS_LAMBDA_FUNCTION_NAME: "echo", GREETING: "hi" });
  });

  it("runs an unmodified CommonJS handler in callback style, including its errors", async (t) => {
    const { runtime } = await deploy(t, { legacy: { handler: "./cjs-callback/index.js" } });

    const ok = await runtime.invokeFunction("legacy", { sku: "P-1" });
    assert.deepEqual(ok.payload, { echoed: { sku: "P-1" }, requestId: ok.requestId, style: "callback" });

    const failed = await runtime.invokeFunction("legacy", { fail: true });
    assert.equal(failed.functionError, "Unhandled");
    assert.deepEqual({ ...(failed.payload as object), trace: undefined }, { errorType: "Error", errorMessage: "asked to fail", trace: undefined });
  });

  it("runs a TypeScript handler by its named export", async (t) => {
    const { runtime } = await deploy(t, { greeter: { handler: "./typed.ts#main" } });
    const result = await runtime.invokeFunction("greeter", { name: "Ada" });
    assert.deepEqual(result.payload, { greeting: "hello Ada from greeter" });
  });

  it("reports a handler's thrown error in Lambda's shape and counts it by type", async (t) => {
    const { runtime } = await deploy(t, { moody: { handler: "./misbehaving.mjs" } });
    const before = await errorCount("moody", "TypeError");
    const result = await runtime.invokeFunction("moody", { action: "throw" });
    assert.equal(result.functionError, "Unhandled");
    const error = result.payload as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(error.errorType, "TypeError");
    assert.equal(error.errorMessage, "bad input");
    assert.ok(error.trace.some((line) => line.includes("misbehaving.mjs")));
    assert.equal(await errorCount("moody", "TypeError"), before + 1);
  });

  it("stops a handler that overruns its timeout, and the next invocation gets a fresh worker", async (t) => {
    const { runtime } = await deploy(t, { slow: { handler: "./misbehaving.mjs", timeoutSec: 1 } });
    const started = Date.now();
    const result = await runtime.invokeFunction("slow", { action: "hang" });
    const elapsedMs = Date.now() - started;
    assert.equal(result.functionError, "Unhandled");
    const error = result.payload as { errorType: string; errorMessage: string };
    assert.equal(error.errorType, "Sandbox.Timedout");
    assert.match(error.errorMessage, new RegExp(`${result.requestId} Task timed out after 1\\.00 seconds$`));
    assert.ok(elapsedMs >= 1_000 && elapsedMs < 2_500, `timed out after ${elapsedMs} ms`);
    assert.deepEqual((await runtime.invokeFunction("slow", {})).payload, { fine: true });
  });

  it("survives a handler that calls process.exit, throws from a timer or leaves a rejection unhandled", async (t) => {
    const { runtime } = await deploy(t, { crashy: { handler: "./misbehaving.mjs" }, steady: { handler: "./esm-echo.mjs" } });

    const [exited, steady] = await Promise.all([runtime.invokeFunction("crashy", { action: "exit" }), runtime.invokeFunction("steady", { ping: 1 })]);
    assert.equal((exited.payload as { errorType: string }).errorType, "Runtime.ExitError");
    assert.match((exited.payload as { errorMessage: string }).errorMessage, /Runtime exited with error: exit status 3/);
    assert.deepEqual((steady.payload as { event: unknown }).event, { ping: 1 });

    const timer = await runtime.invokeFunction("crashy", { action: "throw-in-timer" });
    assert.equal(timer.functionError, "Unhandled");
    assert.equal((timer.payload as { errorType: string }).errorType, "Error");
    assert.match((timer.payload as { errorMessage: string }).errorMessage, /boom from a timer/);

    const rejection = await runtime.invokeFunction("crashy", { action: "reject-unhandled" });
    assert.match((rejection.payload as { errorMessage: string }).errorMessage, /nobody catches this/);

    assert.deepEqual((await runtime.invokeFunction("crashy", {})).payload, { fine: true });
  });

  it("fails an invocation that exhausts the function's memory, not the process", async (t) => {
    const { runtime } = await deploy(t, { hungry: { handler: "./misbehaving.mjs", memorySizeMb: 128, timeoutSec: 10 } });
    const result = await runtime.invokeFunction("hungry", { action: "allocate" });
    assert.equal((result.payload as { errorType: string }).errorType, "Runtime.OutOfMemory");
    assert.deepEqual((await runtime.invokeFunction("hungry", {})).payload, { fine: true });
  });

  it("reports a missing export as Runtime.HandlerNotFound", async (t) => {
    const { runtime } = await deploy(t, { lost: { handler: "./esm-echo.mjs#nope" } });
    const result = await runtime.invokeFunction("lost", {});
    assert.equal((result.payload as { errorType: string }).errorType, "Runtime.HandlerNotFound");
  });

  it("gives a stream mapping's handler Lambda's Kinesis event", async (t) => {
    const { stream, dir } = await openStream(t);
    const recordFile = join(dir, "seen.ndjson");
    const runtime = await deployFunctions({
      stream,
      baseDir: HANDLERS_DIR,
      functionsConfig: { recorder: { handler: "./kinesis-recorder.mjs", stream: "events", environment: { RECORD_FILE: recordFile } } },
    });
    t.after(() => runtime.stop());
    const before = Date.now();
    const [sequenceNumber] = await putValues(stream, [{ key: "store-7", value: { type: "order_placed", total: 3 } }]);
    await runtime.start();
    await waitFor(async () => (await stream.getCheckpoint("function:recorder", "events", "shardId-000000000000")) === sequenceNumber, "the checkpoint");

    const seen = readFileSync(recordFile, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(seen.length, 1);
    const { first, values } = seen[0];
    assert.deepEqual(values, [{ type: "order_placed", total: 3 }]);
    const arrival = first.kinesis.approximateArrivalTimestamp;
    assert.ok(arrival >= Math.floor(before / 1000) && arrival <= Date.now() / 1000, "arrival in epoch seconds");
    assert.deepEqual(first, {
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: "store-7",
        sequenceNumber,
        data: Buffer.from(JSON.stringify({ type: "order_placed", total: 3 })).toString("base64"),
        approximateArrivalTimestamp: arrival,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: FUNCTION_ROLE_ARN,
      awsRegion: AWS_REGION,
      eventSourceARN: streamArn("events"),
    });
    assert.equal(first.eventSourceARN, "arn:aws:kinesis:us-east-1:000000000000:stream/events");
  });
});
