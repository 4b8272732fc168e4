// Asynchronous (Event) Lambda invocations with the official AWS SDK v3 client: the 202 means the invocation
// is in the pipeline's internal queue, so it runs once, survives a kill -9 of the server, and a failing one
// is attempted three times, then dropped, logged and counted. The internal queue is hidden from SQS.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { startUp, type RunningUp } from "../../src/test-support/cli.js";
import { startTestServer, waitFor } from "../../src/test-support/server.js";
import { makeTempDir, removeDir } from "../../src/test-support/temp-dir.js";
import { awsErrorOf, lambdaClient, sqsClient } from "./aws-test-clients.js";

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line.length > 0) : []);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Appends one line per attempt to event.path; `fails` then throws. */
const HANDLERS = {
  "append.mjs": "import { appendFileSync } from 'node:fs';\nexport const handler = async (event) => { appendFileSync(event.path, JSON.stringify(event) + '\\n'); return 'ok'; };",
  "fails.mjs":
    "import { appendFileSync } from 'node:fs';\nexport const handler = async (event) => { appendFileSync(event.path, Date.now() + '\\n'); const error = new Error('the shelf is empty'); error.name = 'ShelfError'; throw error; };",
  // Marks that it started, then waits for the test's gate file before it records that it finished.
  "gated.mjs": [
    "import { appendFileSync, existsSync } from 'node:fs';",
    "export const handler = async (event) => {",
    "  appendFileSync(event.started, 'started\\n');",
    "  while (!existsSync(event.gate)) await new Promise((resolve) => setTimeout(resolve, 50));",
    "  appendFileSync(event.done, 'done\\n');",
    "};",
  ].join("\n"),
};

function writeHandlers(dir: string): void {
  for (const [file, source] of Object.entries(HANDLERS)) writeFileSync(join(dir, file), source);
}

async function metricValue(url: string, fn: string, result: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^shopstream_lambda_async_invocations_total\\{function="${fn}",result="${result}"\\} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

describe("Lambda Event invocations (AWS SDK v3)", () => {
  it("runs an Event invocation once, from an internal queue that SQS does not list, find, read or let be created", async (t) => {
    const dir = makeTempDir();
    t.after(() => removeDir(dir));
    writeHandlers(dir);
    const yaml = ["simulator: { ratePerSec: 0 }", "server: { port: 0 }", "functions:", `  appendOnce: { handler: "${join(dir, "append.mjs")}" }`, ""].join("\n");
    const server = await startTestServer(t, { yaml });
    const lambda = lambdaClient(server.url);
    const path = join(dir, "once.ndjson");

    const queued = await lambda.send(new InvokeCommand({ FunctionName: "appendOnce", InvocationType: "Event", Payload: json({ path, n: 7 }) }));
    assert.equal(queued.StatusCode, 202);
    await waitFor(() => lines(path).length > 0, 15_000, "the Event invocation to run");
    await waitFor(async () => (await metricValue(server.url, "appendOnce", "succeeded")) === 1, 5_000, "the success to be counted");
    // Deleted on success: it does not run again once its lease would have run out.
    await sleep(1500);
    assert.deepEqual(lines(path).map((line) => JSON.parse(line)), [{ path, n: 7 }]);
    assert.equal((await server.pipeline.queue.counts("shopstream-lambda-async")).inFlight, 0);

    const sqs = sqsClient(server.url);
    const listed = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    assert.ok(!listed.some((url) => url.endsWith("/shopstream-lambda-async")), `internal queue listed: ${listed.join(", ")}`);
    const reserved = await awsErrorOf(sqs.send(new CreateQueueCommand({ QueueName: "shopstream-lambda-async" })));
    assert.equal(reserved.name, "InvalidParameterValue");
    // Nor can it be found by name, read by its URL or made a dead-letter queue: its invocations are the pipeline's.
    assert.equal((await awsErrorOf(sqs.send(new GetQueueUrlCommand({ QueueName: "shopstream-lambda-async" })))).name, "QueueDoesNotExist");
    const queuedAgain = await lambda.send(new InvokeCommand({ FunctionName: "appendOnce", InvocationType: "Event", Payload: json({ path, n: 8 }) }));
    assert.equal(queuedAgain.StatusCode, 202);
    const url = `${server.url}/000000000000/shopstream-lambda-async`;
    assert.equal((await awsErrorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 })))).name, "QueueDoesNotExist");
    const redrive = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:shopstream-lambda-async", maxReceiveCount: 3 });
    const asTarget = await awsErrorOf(sqs.send(new CreateQueueCommand({ QueueName: "user-queue", Attributes: { RedrivePolicy: redrive } })));
    assert.equal(asTarget.name, "InvalidParameterValue");
    assert.match(asTarget.message, /Dead letter target .* does not exist/);
    await waitFor(() => lines(path).length === 2, 15_000, "the second Event invocation to run, untouched by the SQS calls");
  });

  it("attempts a failing Event invocation three times with the retry delay between, then drops and counts it", async (t) => {
    const dir = makeTempDir();
    t.after(() => removeDir(dir));
    writeHandlers(dir);
    const yaml = [
      "simulator: { ratePerSec: 0 }",
      "server: { port: 0 }",
      "aws: { lambda: { asyncRetryDelaySec: 1 } }",
      "functions:",
      `  alwaysFails: { handler: "${join(dir, "fails.mjs")}" }`,
      "",
    ].join("\n");
    const server = await startTestServer(t, { yaml });
    const path = join(dir, "attempts.log");

    const queued = await lambdaClient(server.url).send(new InvokeCommand({ FunctionName: "alwaysFails", InvocationType: "Event", Payload: json({ path }) }));
    assert.equal(queued.StatusCode, 202);
    await waitFor(async () => (await metricValue(server.url, "alwaysFails", "dropped")) === 1, 20_000, "the invocation to be dropped");
    const attempts = lines(path).map(Number);
    assert.equal(attempts.length, 3, "one first attempt and two retries");
    // The delay doubles: about 1 s before the second attempt, 2 s before the third.
    assert.ok(attempts[1]! - attempts[0]! >= 900, `second attempt after ${attempts[1]! - attempts[0]!} ms`);
    assert.ok(attempts[2]! - attempts[1]! >= 1900, `third attempt after ${attempts[2]! - attempts[1]!} ms`);
    assert.equal(await metricValue(server.url, "alwaysFails", "retried"), 2);
    assert.equal(await metricValue(server.url, "alwaysFails", "succeeded"), 0);
    // Dropped for good: nothing left to run.
    await sleep(1500);
    assert.equal(lines(path).length, 3);
    const counts = await server.pipeline.queue.counts("shopstream-lambda-async");
    assert.deepEqual([counts.visible, counts.inFlight, counts.delayed], [0, 0, 0]);
  });

  it("keeps an acknowledged Event invocation across a kill -9 and runs it after the restart", { timeout: 120_000 }, async (t) => {
    const dir = makeTempDir("shopstream-lambda-crash-");
    writeHandlers(dir);
    const configPath = join(dir, "pipeline.yaml");
    writeFileSync(configPath, ["functions:", `  gated: { handler: "${join(dir, "gated.mjs")}", timeoutSec: 60 }`, ""].join("\n"));
    const args = ["--simulate-rate", "0", "--data-dir", join(dir, "data"), "--config", configPath];
    let up: RunningUp | undefined;
    t.after(() => void up?.child.kill("SIGKILL"));
    t.after(() => removeDir(dir));
    const event = { started: join(dir, "started.log"), gate: join(dir, "gate"), done: join(dir, "done.log") };

    up = await startUp(args);
    const queued = await lambdaClient(up.url).send(new InvokeCommand({ FunctionName: "gated", InvocationType: "Event", Payload: json(event) }));
    assert.equal(queued.StatusCode, 202);
    await waitFor(() => lines(event.started).length === 1, 15_000, "the handler to start");
    up.child.kill("SIGKILL");
    assert.equal((await up.exited).signal, "SIGKILL");
    assert.deepEqual(lines(event.done), [], "the handler had not finished when the server was killed");

    writeFileSync(event.gate, "");
    up = await startUp(args);
    // Its message comes back once the dead process's lease runs out (10 s) and runs to the end.
    await waitFor(() => lines(event.done).length === 1, 30_000, "the invocation to run after the restart");
    assert.equal(lines(event.started).length, 2, "run again from the start after the restart");
    up.child.kill("SIGTERM");
    assert.equal((await up.exited).code, 0, up.output());
    assert.deepEqual(lines(event.done), ["done"], "once to the end");
  });
});
