// Ingest over real HTTP: per-event results in input order, bad input answered with a 4xx and a JSON error,
// and the valid events beside bad ones kept.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startTestServer } from "../test-support/server.js";

const at = "2026-01-05T08:00:00.000Z";
const pageView = (id: string) => ({ event_id: id, type: "page_view", occurred_at: at, payload: { session_id: "s1", page: "/" } });

async function post(url: string, body: string | Uint8Array, contentType = "application/json") {
  const response = await fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : new Uint8Array(body) });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

async function storedCount(server: Awaited<ReturnType<typeof startTestServer>>): Promise<number> {
  let total = 0;
  for (const shard of (await server.pipeline.stream.describeStream("events")).shards) {
    total += await server.pipeline.stream.countAfter("events", shard.shardId, undefined);
  }
  return total;
}

describe("POST /v1/events", () => {
  it("accepts one event, an array and NDJSON, answering durable sequence numbers in input order", async (t) => {
    const server = await startTestServer(t);
    const one = await post(server.url, JSON.stringify(pageView("a1")));
    assert.equal(one.status, 200);
    assert.equal(one.json.accepted, 1);
    assert.match(one.json.results[0].sequence_number, /^\d{56}$/);

    const array = await post(server.url, JSON.stringify([pageView("a2"), pageView("a3")]));
    assert.deepEqual([array.status, array.json.accepted, array.json.rejected], [200, 2, 0]);

    const ndjson = await post(server.url, [pageView("a4"), pageView("a5"), pageView("a6")].map((e) => JSON.stringify(e)).join("\n") + "\n", "application/x-ndjson");
    assert.deepEqual([ndjson.status, ndjson.json.accepted], [200, 3]);
    assert.equal(ndjson.json.results.length, 3);
    assert.equal(await storedCount(server), 6, "every acknowledged event is in the stream");
  });

  it("stores each event exactly as sent, stamped with ingested_at, whatever the body's shape", async (t) => {
    const server = await startTestServer(t);
    const tricky = { ...pageView("t1"), payload: { session_id: "s}", page: "/a}b", note: "\u2028 \"}\" 🛒" } };
    await post(server.url, `  ${JSON.stringify(tricky)}  `);
    await post(server.url, JSON.stringify([pageView("t2")]));
    await post(server.url, JSON.stringify(pageView("t3")) + "\n", "application/x-ndjson");
    const stored: Array<Record<string, unknown>> = [];
    for (const shard of (await server.pipeline.stream.describeStream("events")).shards) {
      const read = await server.pipeline.stream.read("events", shard.shardId, { type: "TRIM_HORIZON" }, 100);
      stored.push(...read.records.map((r) => JSON.parse(Buffer.from(r.data).toString("utf8")) as Record<string, unknown>));
    }
    const byId = new Map(stored.map((e) => [e["event_id"], e]));
    for (const sent of [tricky, pageView("t2"), pageView("t3")]) {
      const { ingested_at, ...rest } = byId.get(sent.event_id) as Record<string, unknown>;
      assert.deepEqual(rest, sent);
      assert.match(String(ingested_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it("rejects bad events one by one and keeps their valid neighbours", async (t) => {
    const server = await startTestServer(t);
    const lines = [
      JSON.stringify(pageView("ok-1")),
      '{"event_id": "broken", "type": ',
      JSON.stringify({ ...pageView("wrong-type"), payload: { session_id: 42, page: "/" } }),
      JSON.stringify({ ...pageView("unknown"), type: "teleported" }),
      JSON.stringify({ ...pageView("bad-time"), occurred_at: "yesterday" }),
      JSON.stringify({ ...pageView("extra-envelope"), colour: "red" }),
      JSON.stringify(pageView("ok-2")),
    ];
    const res = await post(server.url, lines.join("\n"), "application/x-ndjson");
    assert.equal(res.status, 400, "a request with rejected events is answered 4xx");
    assert.equal(res.json.accepted, 2);
    assert.equal(res.json.rejected, 5);
    const codes = res.json.results.map((r: any) => r.error?.code ?? "accepted");
    assert.deepEqual(codes, ["accepted", "malformed_json", "invalid_payload", "unknown_type", "invalid_envelope", "invalid_envelope", "accepted"]);
    assert.match(res.json.results[2].error.message, /payload\.session_id/);
    assert.match(res.json.results[3].error.message, /teleported/);
    assert.equal(await storedCount(server), 2, "the valid events beside bad ones are kept");
  });

  it("answers malformed bodies, empty bodies, bad encodings and oversized bodies with a JSON 4xx", async (t) => {
    const server = await startTestServer(t, { yaml: "simulator: { ratePerSec: 0 }\ningest: { maxBodyBytes: 65536 }\n" });
    const malformed = await post(server.url, '{"event_id": "x", ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.code, "malformed_json");
    const badArray = await post(server.url, "[1, 2,");
    assert.equal(badArray.json.error.code, "malformed_json");
    const empty = await post(server.url, "   ");
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, "empty_body");
    const latin1 = await post(server.url, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    assert.equal(latin1.json.error.code, "invalid_encoding");
    const huge = await post(server.url, JSON.stringify([pageView("big"), { pad: "x".repeat(100_000) }]));
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, "payload_too_large");
    const notAnEvent = await post(server.url, JSON.stringify([1, "two", null]));
    assert.equal(notAnEvent.status, 400);
    assert.equal(notAnEvent.json.rejected, 3);
    const ok = await post(server.url, JSON.stringify(pageView("after-the-storm")));
    assert.equal(ok.status, 200, "the server stays up and keeps accepting");
  });

  it("rejects a single event larger than the per-event limit", async (t) => {
    const server = await startTestServer(t, { yaml: "simulator: { ratePerSec: 0 }\ningest: { maxEventBytes: 2048 }\n" });
    const big = { ...pageView("big"), payload: { session_id: "s", page: "/" + "p".repeat(2040) } };
    const res = await post(server.url, [JSON.stringify(big), JSON.stringify(pageView("small"))].join("\n"), "application/x-ndjson");
    assert.equal(res.json.results[0].error.code, "event_too_large");
    assert.ok(res.json.results[1].sequence_number);
  });

  it("serves Prometheus metrics and a JSON 404 for unknown routes", async (t) => {
    const server = await startTestServer(t);
    await post(server.url, JSON.stringify(pageView("m1")));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /shopstream_ingest_events_total\{result="accepted"\} \d+/);
    const missing = await fetch(`${server.url}/v2/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as any).error.code, "not_found");
  });
});
