// GET /v1/pipeline, GET /v1/alarms and POST /v1/queues/:name/redrive over real HTTP, with the shapes the
// dashboard codes against.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startTestServer, waitFor } from "../test-support/server.js";

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, any> });
const post = (url: string, body?: unknown) =>
  fetch(url, { method: "POST", ...(body !== undefined && { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });

describe("pipeline routes", () => {
  it("GET /v1/pipeline: components with rates and totals, consumers, functions, queues, lake, alarm counts", async (t) => {
    const { url, pipeline } = await startTestServer(t);
    const event = {
      event_id: "routes-1",
      type: "page_view",
      occurred_at: new Date().toISOString(),
      payload: { session_id: "s-1", customer_id: "C000001", url: "/" },
    };
    await post(`${url}/v1/events`, event);
    await waitFor(async () => (await pipeline.lag())["function:orders"] === 0, 20_000, "catch-up");
    const { status, body } = await json(await fetch(`${url}/v1/pipeline`));
    assert.equal(status, 200);
    assert.ok(!Number.isNaN(Date.parse(body["at"])));
    const ingest = body["components"].find((c: { component: string }) => c.component === "ingest");
    assert.deepEqual(Object.keys(ingest).sort(), ["component", "discarded_total", "errors_per_sec", "errors_total", "received_per_sec", "received_total", "sent_per_sec", "sent_total"]);
    assert.ok(ingest.received_total >= 1);
    const orders = body["consumers"].find((c: { consumer: string }) => c.consumer === "function:orders");
    assert.deepEqual(Object.keys(orders).sort(), ["consumer", "iterator_age_ms", "lag_records", "stream"]);
    assert.equal(orders.stream, "curated");
    assert.equal(orders.lag_records, 0);
    assert.deepEqual(Object.keys(body["functions"][0]).sort(), ["errors", "name", "ok", "retries"]);
    const dlq = body["queues"].find((q: { name: string }) => q.name === "replenishment-dlq");
    assert.deepEqual(dlq, { name: "replenishment-dlq", visible: 0, in_flight: 0, delayed: 0, dead_letter_for: ["replenishment"] });
    assert.ok(Array.isArray(body["lake"]));
    assert.deepEqual(Object.keys(body["alarms"]).sort(), ["ALARM", "INSUFFICIENT_DATA", "OK"]);
  });

  it("GET /v1/alarms: the built-in alarms with their rule, state and history", async (t) => {
    const { url } = await startTestServer(t);
    await waitFor(async () => (await json(await fetch(`${url}/v1/alarms`))).body["alarms"].every((a: { state: string }) => a.state === "OK"), 10_000, "the built-in alarms to be OK");
    const { body } = await json(await fetch(`${url}/v1/alarms`));
    const names = body["alarms"].map((a: { name: string }) => a.name);
    assert.ok(names.includes("function-errors") && names.includes("replenishment-dlq-not-empty"));
    const alarm = body["alarms"][0];
    assert.deepEqual(Object.keys(alarm).sort(), [
      "comparison", "datapointsToAlarm", "description", "evaluationPeriods", "history", "metric", "name", "periodSec", "state", "stateReason",
      "stateUpdatedAt", "statistic", "threshold", "treatMissingData",
    ]);
    assert.deepEqual(alarm.history[0].from, "INSUFFICIENT_DATA");
    assert.deepEqual(alarm.history[0].to, "OK");
    assert.ok(!Number.isNaN(Date.parse(alarm.history[0].at)));
  });

  it("POST /v1/queues/:name/redrive moves a DLQ's messages back; 404 for no queue, 400 for a queue that is no DLQ", async (t) => {
    const { url, pipeline } = await startTestServer(t);
    await pipeline.dispatcher.stop(); // nothing consumes the queue in this test
    await pipeline.queue.send("replenishment-dlq", [{ body: "{}" }, { body: "{}" }]);
    assert.deepEqual(await json(await post(`${url}/v1/queues/replenishment-dlq/redrive`, { destination: "replenishment" })), { status: 200, body: { moved: 2 } });
    assert.equal((await pipeline.queue.counts("replenishment")).visible, 2);
    const unknown = await json(await post(`${url}/v1/queues/nope/redrive`));
    assert.equal(unknown.status, 404);
    assert.ok(unknown.body["error"]);
    const notDlq = await json(await post(`${url}/v1/queues/replenishment/redrive`));
    assert.equal(notDlq.status, 400);
    assert.equal(notDlq.body["error"].code, "not_a_dead_letter_queue");
  });
});
