// The Lambda API with the official AWS SDK v3 client: the pipeline's functions (built-ins and user handlers
// from the config) and StorePlanning listed and described in Lambda's shape, Invoke with every invocation
// type and the log tail, handler errors as X-Amz-Function-Error payloads, and AWS's error codes.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, ListFunctionsCommand, type FunctionConfiguration } from "@aws-sdk/client-lambda";
import { startTestServer, waitFor } from "../../src/test-support/server.js";
import { makeTempDir, removeDir } from "../../src/test-support/temp-dir.js";
import { awsErrorOf, lambdaClient } from "./aws-test-clients.js";

const HANDLERS = {
  "echo.mjs": "export const handler = async (event, context) => ({ echo: event, functionName: context.functionName, greeting: process.env.GREETING });",
  "broken.mjs": "export const handler = async () => { const error = new Error('the shelf is empty'); error.name = 'ShelfError'; throw error; };",
  "note.mjs": "import { writeFileSync } from 'node:fs';\nexport const handler = async (event) => { writeFileSync(event.path, JSON.stringify(event)); return 'noted'; };",
  "count.mjs":
    "export const handler = async (event) => ({ records: event.Records.length, first: JSON.parse(Buffer.from(event.Records[0].kinesis.data, 'base64').toString()), source: event.Records[0].eventSource });",
};

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const text = (payload: Uint8Array | undefined) => new TextDecoder().decode(payload);
const parsed = (payload: Uint8Array | undefined): any => JSON.parse(text(payload));

async function startWithHandlers(t: TestContext) {
  const dir = makeTempDir();
  t.after(() => removeDir(dir));
  for (const [file, source] of Object.entries(HANDLERS)) writeFileSync(join(dir, file), source);
  const yaml = [
    "simulator: { ratePerSec: 0 }",
    "server: { port: 0 }",
    "functions:",
    `  echo: { handler: "${join(dir, "echo.mjs")}", timeoutSec: 10, memorySizeMb: 256, environment: { GREETING: hello } }`,
    `  broken: { handler: "${join(dir, "broken.mjs")}" }`,
    `  note: { handler: "${join(dir, "note.mjs")}" }`,
    `  counter: { handler: "${join(dir, "count.mjs")}", stream: curated }`,
    "",
  ].join("\n");
  const server = await startTestServer(t, { yaml });
  return { server, dir, lambda: lambdaClient(server.url) };
}

describe("Lambda API (AWS SDK v3)", () => {
  it("lists and describes the pipeline's functions and StorePlanning, a page at a time", async (t) => {
    const { lambda } = await startWithHandlers(t);
    const all = (await lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
    const names = all.map((fn) => fn.FunctionName);
    for (const name of ["enrich", "orders", "customers", "fraud", "echo", "broken", "note", "counter", "StorePlanning"]) assert.ok(names.includes(name), `${name} listed`);
    assert.deepEqual(names, [...names].sort());
    const echo = all.find((fn) => fn.FunctionName === "echo")!;
    assert.equal(echo.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:echo");
    assert.equal(echo.Runtime, "nodejs20.x");
    assert.match(echo.Handler ?? "", /echo\.mjs$/);
    assert.deepEqual([echo.Timeout, echo.MemorySize, echo.Version, echo.State, echo.PackageType], [10, 256, "$LATEST", "Active", "Zip"]);
    assert.deepEqual(echo.Environment?.Variables, { GREETING: "hello" });
    const enrich = all.find((fn) => fn.FunctionName === "enrich")!;
    assert.deepEqual([enrich.Handler, enrich.Timeout], ["shopstream.enrich", 60]);
    assert.ok(echo.LastModified && !Number.isNaN(Date.parse(echo.LastModified.replace("+0000", "Z"))));

    // Paging with MaxItems and NextMarker visits every function once.
    const paged: FunctionConfiguration[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, ...(marker && { Marker: marker }) }));
      assert.ok((page.Functions ?? []).length <= 2);
      paged.push(...(page.Functions ?? []));
      marker = page.NextMarker;
    } while (marker);
    assert.deepEqual(paged.map((fn) => fn.FunctionName), names);
    const badMarker = await awsErrorOf(lambda.send(new ListFunctionsCommand({ Marker: "not-a-marker" })));
    assert.deepEqual([badMarker.name, badMarker.status], ["InvalidParameterValueException", 400]);

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo" }));
    assert.equal(got.Configuration?.FunctionName, "echo");
    assert.equal(got.Code?.RepositoryType, "S3");
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "StorePlanning" }));
    assert.equal(configuration.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:StorePlanning");
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "000000000000:function:orders" }))).FunctionName, "orders");

    const missing = await awsErrorOf(lambda.send(new GetFunctionCommand({ FunctionName: "nope" })));
    assert.deepEqual([missing.name, missing.status], ["ResourceNotFoundException", 404]);
    assert.match(missing.message, /Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope/);
    assert.equal((await awsErrorOf(lambda.send(new GetFunctionCommand({ FunctionName: "echo", Qualifier: "7" })))).name, "ResourceNotFoundException");
    assert.equal((await awsErrorOf(lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:eu-west-1:000000000000:function:echo" })))).name, "ResourceNotFoundException");
  });

  it("invokes user handlers: RequestResponse with the log tail, handler errors, Event and DryRun", async (t) => {
    const { lambda, dir } = await startWithHandlers(t);
    const answer = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: json({ store_id: "S001" }), LogType: "Tail" }));
    assert.equal(answer.StatusCode, 200);
    assert.equal(answer.ExecutedVersion, "$LATEST");
    assert.equal(answer.FunctionError, undefined);
    assert.deepEqual(parsed(answer.Payload), { echo: { store_id: "S001" }, functionName: "echo", greeting: "hello" });
    const log = Buffer.from(answer.LogResult ?? "", "base64").toString("utf8");
    assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    assert.match(log, /END RequestId: .*\nREPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB/);

    // No payload: the handler gets {}. By ARN, with the $LATEST qualifier.
    const byArn = await lambda.send(new InvokeCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo", Qualifier: "$LATEST" }));
    assert.deepEqual(parsed(byArn.Payload).echo, {});

    const failed = await lambda.send(new InvokeCommand({ FunctionName: "broken", Payload: json({}), LogType: "Tail" }));
    assert.equal(failed.StatusCode, 200);
    assert.equal(failed.FunctionError, "Unhandled");
    const error = parsed(failed.Payload);
    assert.deepEqual([error.errorType, error.errorMessage], ["ShelfError", "the shelf is empty"]);
    assert.ok(Array.isArray(error.trace));
    assert.match(Buffer.from(failed.LogResult ?? "", "base64").toString("utf8"), /ERROR\tInvoke Error \t\{"errorType":"ShelfError"/);

    // Event: accepted at once (202), run in the background.
    const notePath = join(dir, "noted.json");
    const queued = await lambda.send(new InvokeCommand({ FunctionName: "note", InvocationType: "Event", Payload: json({ path: notePath, n: 1 }) }));
    assert.equal(queued.StatusCode, 202);
    assert.equal(queued.Payload?.length ?? 0, 0);
    await waitFor(() => existsSync(notePath), 15_000, "the asynchronous invocation");
    assert.deepEqual(JSON.parse(readFileSync(notePath, "utf8")), { path: notePath, n: 1 });
    // A failing asynchronous invocation is accepted too; its failure goes to the log.
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: "broken", InvocationType: "Event" }))).StatusCode, 202);

    const dryRun = await lambda.send(new InvokeCommand({ FunctionName: "note", InvocationType: "DryRun", Payload: json({ path: join(dir, "never.json") }) }));
    assert.equal(dryRun.StatusCode, 204);
    assert.ok(!existsSync(join(dir, "never.json")));

    const badJson = await awsErrorOf(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: new TextEncoder().encode("{not json") })));
    assert.deepEqual([badJson.name, badJson.status], ["InvalidRequestContentException", 400]);
    const unknown = await awsErrorOf(lambda.send(new InvokeCommand({ FunctionName: "nope", Payload: json({}) })));
    assert.deepEqual([unknown.name, unknown.status], ["ResourceNotFoundException", 404]);
    const tooBig = await awsErrorOf(lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: json({ pad: "x".repeat(1024 * 1024 + 1) }) })));
    assert.deepEqual([tooBig.name, tooBig.status], ["RequestTooLargeException", 413]);
  });

  it("invokes stream consumers with a Kinesis event, as their mapping would", async (t) => {
    const { lambda } = await startWithHandlers(t);
    const event = {
      Records: [
        {
          eventSource: "aws:kinesis",
          eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/curated",
          eventID: "shardId-000000000000:1",
          kinesis: { partitionKey: "C1", sequenceNumber: "1", approximateArrivalTimestamp: Date.now() / 1000, data: Buffer.from(JSON.stringify({ type: "page_view", n: 1 })).toString("base64") },
        },
      ],
    };
    const counted = await lambda.send(new InvokeCommand({ FunctionName: "counter", Payload: json(event) }));
    assert.deepEqual(parsed(counted.Payload), { records: 1, first: { type: "page_view", n: 1 }, source: "aws:kinesis" });

    // A built-in takes Kinesis events only: anything else is the function's error.
    const builtin = await lambda.send(new InvokeCommand({ FunctionName: "customers", Payload: json({ hello: "world" }) }));
    assert.equal(builtin.FunctionError, "Unhandled");
    assert.equal(parsed(builtin.Payload).errorType, "ValidationError");
  });

  it("runs store planning with the event's options and returns its report", async (t) => {
    const { lambda } = await startWithHandlers(t);
    const answer = await lambda.send(new InvokeCommand({ FunctionName: "StorePlanning", Payload: json({ store_id: "S001", dedup_window_ms: 0 }), LogType: "Tail" }));
    assert.equal(answer.StatusCode, 200);
    assert.equal(answer.FunctionError, undefined);
    const report = parsed(answer.Payload);
    assert.match(report.runId, /^[0-9a-f-]{36}$/);
    for (const field of ["storesChecked", "productsChecked", "sent", "duplicates", "failed", "durationMs"]) assert.equal(typeof report[field], "number", field);
    assert.ok(Array.isArray(report.belowReorderPoint));

    const invalid = await lambda.send(new InvokeCommand({ FunctionName: "StorePlanning", Payload: json({ store_id: 5 }) }));
    assert.equal(invalid.FunctionError, "Unhandled");
    assert.deepEqual(parsed(invalid.Payload).errorType, "ValidationError");
    const unknownOption = await lambda.send(new InvokeCommand({ FunctionName: "StorePlanning", Payload: json({ storeId: "S001" }) }));
    assert.match(parsed(unknownOption.Payload).errorMessage, /unknown option storeId/);
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: "StorePlanning", InvocationType: "Event" }))).StatusCode, 202);
  });
});
