// Hostile input over real HTTP: thousands of seeded malformed and malicious requests to ingest and to the
// AWS endpoints. Every one is answered with a 4xx and a clear error in the route's shape (never a 5xx,
// never a hang), the process stays up, nothing pollutes Object.prototype, and the valid events sent in
// the same requests and beside them reach the stream, the serving store and the lake exactly once, as sent.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { decodeCbor, encodeCbor } from "../src/aws/wire.js";
import type { ShopEvent } from "../src/events/index.js";
import { generateEvents } from "../src/simulator/index.js";
import { startTestServer, waitFor, type TestServer } from "../src/test-support/server.js";

const SEED = Number(process.env["SHOPSTREAM_FUZZ_SEED"] ?? 20261121);
const CASES = Number(process.env["SHOPSTREAM_FUZZ_CASES"] ?? 1200);
const CONCURRENCY = 8;
const FUZZ_YAML = "simulator: { ratePerSec: 0 }\nserver: { port: 0 }\n";
/** Short timeouts, for the slow-client cases: the defaults are 60 s and 10 s. */
const IMPATIENT_YAML = "simulator: { ratePerSec: 0 }\nserver: { port: 0, requestTimeoutMs: 3000, firstByteTimeoutMs: 2000 }\n";

/** mulberry32: small, seeded, good enough to pick hostile inputs reproducibly. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => int(256)),
  };
}
type Rng = ReturnType<typeof rng>;

const PROTO_KEYS = ["__proto__", "constructor", "prototype"] as const;
const SQL_STRINGS = [
  "'; DROP TABLE orders; --",
  "x' OR '1'='1",
  "\"; DELETE FROM inventory WHERE 1=1; --",
  "1; COPY (SELECT 1) TO '/tmp/pwned.csv'",
  "' UNION SELECT * FROM read_csv('/etc/passwd') --",
  "Robert'); ATTACH '/tmp/x.db' AS x; --",
  "$$; SELECT pg_sleep(10); $$",
  "\\'; INSTALL httpfs; LOAD httpfs; --",
];
/** Bytes that are not UTF-8: a lone continuation byte, an overlong NUL, a UTF-8-encoded surrogate, a cut-off sequence, 0xFF. */
const INVALID_UTF8 = [[0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]];

const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

/** A value of the wrong kind for any field, as JSON text. */
function hostileValueText(r: Rng): string {
  return r.pick([
    () => "0",
    () => "-1e400",
    () => "1e400",
    () => "true",
    () => "null",
    () => "[]",
    () => "{}",
    () => '""',
    () => JSON.stringify("x".repeat(200_000)),
    () => deepArray(40 + r.int(5000)),
    () => deepObject(40 + r.int(2000)),
    () => `{"__proto__":{"polluted":true}}`,
    () => `{"constructor":{"prototype":{"polluted":true}}}`,
    () => JSON.stringify(r.pick(SQL_STRINGS)),
    () => '"\\ud800"',
    () => JSON.stringify(Array.from({ length: 1 + r.int(20) }, () => String.fromCharCode(r.int(0xd7ff))).join("")),
  ])();
}

/** What the server must do with one event of a body. */
type Expect = "accept" | "refuse" | "either";
interface Line {
  text: string;
  expect: Expect;
  /** event_id when the line is an event that may be accepted, to find it in the stream */
  eventId?: string;
  /** what must be stored when accepted */
  sent?: unknown;
}

let hostileCounter = 0;
const freshId = (prefix: string) => `${prefix}-${SEED}-${++hostileCounter}`;

/** Replaces `"field":value` of a serialized event with hostile JSON text. */
function withFieldText(event: Record<string, unknown>, path: string[], valueText: string): string {
  const marker = `__FUZZ_${hostileCounter}__`;
  const copy = structuredClone(event) as Record<string, any>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path.at(-1)!] = marker;
  return JSON.stringify(copy).replace(JSON.stringify(marker), valueText);
}

function hostileLine(r: Rng, base: ShopEvent): Line {
  const event = { ...structuredClone(base), event_id: freshId("h") } as Record<string, any>;
  const payloadKeys = Object.keys(event["payload"]);
  switch (r.int(11)) {
    case 0: {
      // Wrong type for an envelope field: refused (the envelope admits no other kinds).
      const field = r.pick(["event_id", "type", "occurred_at", "payload", "source", "partition_key"]);
      let text = hostileValueText(r);
      // Some strings are a valid id, source or partition key; make those the wrong kind.
      if ((field === "event_id" || field === "source" || field === "partition_key") && text.startsWith('"')) text = "[1]";
      if (field === "payload" && text === "{}") text = "[]";
      return { text: withFieldText(event, [field], text), expect: "refuse" };
    }
    case 1: {
      // Wrong type for a payload field: refused or, when the field takes that kind too, stored as sent.
      const field = r.pick(payloadKeys);
      const text = withFieldText(event, ["payload", field], hostileValueText(r));
      return { text, expect: "either", eventId: event["event_id"], sent: safeParse(text) };
    }
    case 2: {
      // Nesting past the limit anywhere: refused with a clear code, whatever the depth.
      const depth = r.pick([33, 64, 1000, 20_000, 100_000]);
      return { text: withFieldText(event, ["payload", "extra"], r.next() < 0.5 ? deepArray(depth) : deepObject(depth)), expect: "refuse" };
    }
    case 3: {
      // Nesting within the limit is an ordinary extra field.
      const text = withFieldText(event, ["payload", "extra"], deepArray(20));
      return { text, expect: "accept", eventId: event["event_id"], sent: JSON.parse(text) };
    }
    case 4:
      // Bigger than the per-event limit (1 MiB).
      return { text: withFieldText(event, ["payload", "note"], JSON.stringify("é".repeat(530_000))), expect: "refuse" };
    case 5: {
      // __proto__, constructor and prototype keys inside the payload: data like any other, stored as sent.
      const key = r.pick(PROTO_KEYS);
      const text = withFieldText(event, ["payload", "extra"], `{${JSON.stringify(key)}:{"polluted":true,"${r.pick(PROTO_KEYS)}":{"polluted":1}}}`);
      return { text, expect: "accept", eventId: event["event_id"], sent: JSON.parse(text) };
    }
    case 6: {
      // The same keys in the envelope: refused (it admits no unknown fields).
      const key = r.pick(PROTO_KEYS);
      return { text: JSON.stringify(event).replace(/^\{/, `{${JSON.stringify(key)}:{"polluted":true},`), expect: "refuse" };
    }
    case 7: {
      // SQL in string fields: stored verbatim.
      const field = r.pick(["note", "comment", "sql"]);
      event["payload"][field] = r.pick(SQL_STRINGS);
      return { text: JSON.stringify(event), expect: "accept", eventId: event["event_id"], sent: event };
    }
    case 8: {
      // A JSON escape of a lone surrogate: no UTF-8 form, refused.
      return { text: withFieldText(event, ["payload", "note"], r.pick(['"\\ud800"', '"a\\udfff"', '"\\udbff\\u0041"'])), expect: "refuse" };
    }
    case 9: {
      // Truncated JSON, or random printable text.
      const full = JSON.stringify(event);
      const text = r.next() < 0.5 ? full.slice(0, 1 + r.int(full.length - 2)) : Array.from({ length: 1 + r.int(300) }, () => String.fromCharCode(33 + r.int(90))).join("");
      return { text: text.trim() === "" ? "x" : text, expect: "refuse" };
    }
    default:
      // JSON that is not an object.
      return { text: r.pick(["1", '"event"', "null", "true", "[]", "[1,2]", "-0", "1e999"]), expect: "refuse" };
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A body for POST /v1/events, with what the server must answer. */
interface IngestCase {
  body: Uint8Array;
  contentType: string | undefined;
  /** per event, in body order; undefined when the whole body is to be refused */
  lines?: Line[];
  label: string;
}

const enc = new TextEncoder();

function ingestCase(r: Rng, valid: () => ShopEvent): IngestCase {
  const kind = r.int(10);
  if (kind <= 4) {
    // NDJSON or a JSON array with valid events around hostile ones.
    const lines: Line[] = [];
    for (let n = 1 + r.int(6); n > 0; n--) {
      if (r.next() < 0.5) {
        const event = valid();
        lines.push({ text: JSON.stringify(event), expect: "accept", eventId: event.event_id, sent: event });
      } else {
        lines.push(hostileLine(r, valid()));
      }
    }
    const asArray = kind === 4 && lines.every((line) => safeParse(line.text) !== undefined);
    if (asArray) return { body: enc.encode(`[${lines.map((l) => l.text).join(",")}]`), contentType: "application/json", lines, label: "array" };
    const contentType = r.pick(["application/x-ndjson", "application/jsonlines", "application/x-ndjson; charset=utf-8"]);
    return { body: enc.encode(lines.map((l) => l.text).join(r.pick(["\n", "\r\n"]))), contentType, lines, label: "ndjson" };
  }
  if (kind === 5) {
    // NDJSON with a line of invalid UTF-8 between valid ones: that line alone is refused.
    const first = valid();
    const last = valid();
    const bad = Buffer.concat([enc.encode('{"event_id":"'), Buffer.from(r.pick(INVALID_UTF8)), enc.encode('","type":"page_view"}')]);
    const body = Buffer.concat([enc.encode(JSON.stringify(first) + "\n"), bad, enc.encode("\n" + JSON.stringify(last))]);
    const lines: Line[] = [
      { text: "", expect: "accept", eventId: first.event_id, sent: first },
      { text: "", expect: "refuse" },
      { text: "", expect: "accept", eventId: last.event_id, sent: last },
    ];
    return { body, contentType: "application/x-ndjson", lines, label: "ndjson-invalid-utf8" };
  }
  // Whole bodies that cannot be taken: each a 4xx.
  const whole = r.pick<() => [Uint8Array, string | undefined, string]>([
    () => [r.bytes(r.int(4096)), r.pick([undefined, "application/json", "application/octet-stream", "text/plain"]), "random-bytes"],
    () => [Buffer.concat([enc.encode('{"event_id":"'), r.bytes(1 + r.int(64))]), "application/json", "json-then-bytes"],
    () => {
      const text = JSON.stringify(valid());
      const at = 1 + r.int(text.length - 2);
      return [Buffer.concat([enc.encode(text.slice(0, at)), Buffer.from(r.pick(INVALID_UTF8)), enc.encode(text.slice(at))]), "application/json", "event-with-invalid-utf8"];
    },
    () => [enc.encode(r.pick([deepArray(100_000), deepObject(100_000), "[".repeat(500_000), '{"a":'.repeat(200_000)])), "application/json", "deep-body"],
    () => [enc.encode(r.pick(["", "   ", "\n\n", "[]", "null", "{", "}", "[,]", "\u0000"])), r.pick(["application/json", "application/x-ndjson"]), "degenerate"],
    () => [enc.encode(`{"event_id":${JSON.stringify("x".repeat(2_000_000))}}`), "application/json", "huge-string"],
    () => [enc.encode(r.pick(["<event><id>1</id></event>", "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", "a=1&b=2"])), r.pick(["application/xml", "multipart/form-data; boundary=b", "application/x-www-form-urlencoded"]), "wrong-content-type"],
  ])();
  return { body: whole[0], contentType: whole[1], label: whole[2] };
}

interface StoredEvent {
  [key: string]: unknown;
  event_id: string;
}

async function streamEvents(server: TestServer): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = [];
  for (const shard of (await server.pipeline.stream.describeStream("events")).shards) {
    let position: Parameters<TestServer["pipeline"]["stream"]["read"]>[2] = { type: "TRIM_HORIZON" };
    for (;;) {
      const read = await server.pipeline.stream.read("events", shard.shardId, position, 10_000);
      if (read.records.length === 0) break;
      stored.push(...read.records.map((record) => JSON.parse(Buffer.from(record.data).toString("utf8")) as StoredEvent));
      position = read.next;
    }
  }
  return stored;
}

async function healthy(url: string): Promise<void> {
  const response = await fetch(`${url}/healthz`);
  assert.equal(response.status, 200, "the process is up");
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

function assertJsonError(json: any, context: string): void {
  assert.equal(typeof json?.error?.code, "string", `${context}: an error code`);
  assert.ok(typeof json.error.message === "string" && json.error.message.length > 0, `${context}: an error message`);
}

describe("fuzz: ingest", () => {
  it(`answers ${CASES} hostile bodies with a JSON 4xx, keeps valid neighbours exactly once and stores what was sent`, async (t) => {
    const server = await startTestServer(t, { yaml: FUZZ_YAML });
    const r = rng(SEED);
    // Each valid event is used once; a quarter of them are orders, to follow into the serving store.
    const validEvents = generateEvents({ seed: SEED }, CASES * 30);
    const orders = validEvents.filter((e) => e.type === "order_placed");
    const others = validEvents.filter((e) => e.type !== "order_placed");
    const valid = () => {
      const event = (r.next() < 0.25 ? orders.shift() : undefined) ?? others.shift();
      assert.ok(event, "enough seeded events");
      return event;
    };
    const cases = Array.from({ length: CASES }, () => ingestCase(r, valid));
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

    /** event_id → what was sent, for every event the server acknowledged */
    const acknowledged = new Map<string, unknown>();
    const statuses = new Map<number, number>();
    const codes = new Map<string, number>();
    const round = 300;
    const startedMs = Date.now();
    for (let start = 0; start < cases.length; start += round) {
      await pool(cases.slice(start, start + round), CONCURRENCY, async (fuzz, i) => {
        const context = `case ${start + i} (${fuzz.label})`;
        const response = await fetch(`${server.url}/v1/events`, {
          method: "POST",
          headers: fuzz.contentType === undefined ? {} : { "content-type": fuzz.contentType },
          body: new Uint8Array(fuzz.body),
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        assert.ok(response.status < 500, `${context}: ${response.status} ${text.slice(0, 300)}`);
        const json = JSON.parse(text);
        if (fuzz.lines === undefined) {
          assert.ok(response.status >= 400, `${context}: a whole hostile body is refused, got ${response.status} ${text.slice(0, 200)}`);
          if (json.error) assertJsonError(json, context);
          else for (const result of json.results) assertJsonError(result, context);
          codes.set(json.error?.code ?? "per-event", (codes.get(json.error?.code ?? "per-event") ?? 0) + 1);
          return;
        }
        if (json.error) {
          // Only the event count or body limits refuse a body of events as a whole; nothing of it is stored.
          assert.fail(`${context}: refused whole (${text.slice(0, 200)}), but its events are to be answered one by one`);
        }
        assert.equal(json.results.length, fuzz.lines.length, `${context}: one result per event`);
        for (const [k, line] of fuzz.lines.entries()) {
          const result = json.results[k];
          if ("error" in result) {
            assertJsonError(result, `${context} line ${k}`);
            codes.set(result.error.code, (codes.get(result.error.code) ?? 0) + 1);
            assert.notEqual(line.expect, "accept", `${context} line ${k}: ${JSON.stringify(result.error)} for ${line.text.slice(0, 200)}`);
          } else {
            assert.match(result.sequence_number, /^\d{56}$/);
            assert.notEqual(line.expect, "refuse", `${context} line ${k}: accepted ${line.text.slice(0, 200)}`);
            assert.ok(line.eventId !== undefined && !acknowledged.has(line.eventId), `${context}: ${line.eventId} acknowledged once`);
            acknowledged.set(line.eventId, line.sent);
          }
        }
        const anyRefused = fuzz.lines.some((_, k) => "error" in json.results[k]);
        assert.equal(response.status, anyRefused ? 400 : 200, context);
      });
      await healthy(server.url);
    }
    t.diagnostic(`${cases.length} requests in ${Date.now() - startedMs} ms`);
    t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries(statuses))}; codes ${JSON.stringify(Object.fromEntries(codes))}`);
    for (const code of ["too_deeply_nested", "invalid_encoding", "malformed_json", "invalid_envelope", "event_too_large", "payload_too_large"]) {
      if (code !== "payload_too_large") assert.ok(codes.has(code), `the seeded cases provoke ${code}`);
    }

    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore, "Object.prototype is untouched");
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);

    // Every acknowledged event is in the stream once, exactly as sent (plus ingested_at), and nothing else is.
    const stored = await streamEvents(server);
    assert.equal(stored.length, acknowledged.size, "only acknowledged events are stored");
    for (const event of stored) {
      assert.ok(acknowledged.has(event.event_id), `stored ${event.event_id} was acknowledged`);
      const copy: Record<string, unknown> = JSON.parse(JSON.stringify(event));
      delete copy["ingested_at"];
      assert.deepEqual(copy, JSON.parse(JSON.stringify(acknowledged.get(event.event_id))), `${event.event_id} is stored as sent`);
    }

    // The valid orders reach the serving store exactly once.
    const placed = [...acknowledged.values()].filter((e): e is ShopEvent<"order_placed"> => (e as ShopEvent).type === "order_placed");
    assert.ok(placed.length > 100, `the seeded cases carry orders (${placed.length})`);
    const orderIds = new Set(placed.map((o) => o.payload.order_id));
    await waitFor(
      async () => (await server.pipeline.store.get<{ n: number }>("SELECT count(*) AS n FROM orders"))?.n === orderIds.size,
      30_000,
      "every acknowledged order in the serving store",
    );
    const rows = await server.pipeline.store.all<{ order_id: string; n: number }>("SELECT order_id, count(*) AS n FROM orders GROUP BY order_id");
    assert.deepEqual(new Set(rows.map((row) => row.order_id)), orderIds);
    assert.ok(rows.every((row) => Number(row.n) === 1));
    await healthy(server.url);
  });

  it("stores SQL in string fields verbatim: in the stream, the serving store and the lake, read back over the query API", async (t) => {
    const server = await startTestServer(t, { yaml: FUZZ_YAML });
    const base = generateEvents({ seed: SEED + 1 }, 400).find((e) => e.type === "order_placed") as ShopEvent<"order_placed">;
    const events = SQL_STRINGS.map((sql, i) => ({
      ...base,
      event_id: `sql-${i}`,
      payload: { ...base.payload, order_id: `sql-order-${i}`, customer_id: sql, note: sql, [PROTO_KEYS[i % 3]!]: { sql } },
    }));
    const response = await fetch(`${server.url}/v1/events`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: events.map((e) => JSON.stringify(e)).join("\n") });
    assert.equal(response.status, 200, await response.clone().text());

    const stored = new Map((await streamEvents(server)).map((e) => [e.event_id, e]));
    for (const event of events) {
      const { ingested_at: _stamp, ...rest } = stored.get(event.event_id)!;
      assert.deepEqual(rest, JSON.parse(JSON.stringify(event)));
    }
    await waitFor(async () => (await server.pipeline.store.get<{ n: number }>("SELECT count(*) AS n FROM orders"))?.n === events.length, 20_000, "orders stored");
    const customers = await server.pipeline.store.all<{ order_id: string; customer_id: string }>("SELECT order_id, customer_id FROM orders ORDER BY order_id");
    assert.deepEqual(new Set(customers.map((row) => row.customer_id)), new Set(SQL_STRINGS), "customer ids kept verbatim in the serving store");

    // Over the lake, through the same query API the SQL console uses.
    const rows = await waitForQueryRows(server.url, "SELECT customer_id, payload->>'note' AS note FROM events WHERE event_id LIKE 'sql-%' ORDER BY event_id", events.length);
    assert.deepEqual(new Set(rows.map((row) => row[0])), new Set(SQL_STRINGS));
    assert.ok(rows.every((row) => row[0] === row[1]), "the note is the customer id, both verbatim");
    const count = await waitForQueryRows(server.url, "SELECT count(*) FROM orders", 1);
    assert.equal(Number(count[0]![0]), events.length, "the SQL in the data ran nowhere: the lake's orders are all there");
  });
});

/** Runs SQL through POST /v1/queries until it answers `want` rows (the lake fills within a few seconds). */
async function waitForQueryRows(url: string, sql: string, want: number): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  await waitFor(
    async () => {
      const started = (await (await fetch(`${url}/v1/queries`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sql }) })).json()) as { queryExecutionId: string };
      for (;;) {
        const execution = (await (await fetch(`${url}/v1/queries/${started.queryExecutionId}`)).json()) as { state: string; error?: unknown };
        if (execution.state === "SUCCEEDED") break;
        if (execution.state === "FAILED" || execution.state === "CANCELLED") return false;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const page = (await (await fetch(`${url}/v1/queries/${started.queryExecutionId}/results`)).json()) as { rows: unknown[][] };
      rows = page.rows;
      return rows.length >= want && !(want === 1 && rows[0]?.[0] === 0);
    },
    20_000,
    `query rows for ${sql}`,
  );
  return rows;
}

// ---------------------------------------------------------------------------------------------- AWS

interface AwsCase {
  headers: Record<string, string>;
  body: Uint8Array;
  label: string;
  /** the request is valid and must succeed (interleaved with the hostile ones) */
  valid?: { eventId: string };
}

const TARGETS = {
  kinesis: ["PutRecord", "PutRecords", "CreateStream", "DescribeStream", "DescribeStreamSummary", "GetShardIterator", "GetRecords", "ListShards", "DeleteStream", "ListStreams"].map((op) => `Kinesis_20131202.${op}`),
  firehose: ["PutRecord", "PutRecordBatch", "CreateDeliveryStream", "DescribeDeliveryStream", "DeleteDeliveryStream", "ListDeliveryStreams"].map((op) => `Firehose_20150804.${op}`),
  athena: ["StartQueryExecution", "GetQueryExecution", "GetQueryResults"].map((op) => `AmazonAthena.${op}`),
  sqs: ["SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "GetQueueUrl", "CreateQueue", "GetQueueAttributes", "ListQueues"].map((op) => `AmazonSQS.${op}`),
};
/** Targets that name no operation, some of them names every object has: each an UnknownOperationException. */
const UNKNOWN_TARGETS = ["Kinesis_20131202.Nope", "Nope.PutRecord", "Kinesis_20131202.", "", ".", "Firehose_20150804.__proto__", "Kinesis_20131202.constructor", "AmazonSQS.toString", "AmazonAthena.hasOwnProperty"];
const JSON_TYPES = ["application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json", "text/plain"];

/** Inputs shaped like each operation's, with members of every wrong kind. */
function awsMembers(r: Rng): Record<string, unknown> {
  const hostile = () =>
    r.pick<() => unknown>([
      () => 1,
      () => -1,
      () => 1.5,
      () => true,
      () => null,
      () => [],
      () => [1, "a", null],
      () => ({}),
      () => ({ __proto__: { polluted: true } }),
      () => "",
      () => "x".repeat(r.pick([129, 300, 70_000])),
      () => r.pick(SQL_STRINGS),
      () => "%%%not-base64%%%",
      () => "AAAA",
      () => "events",
      () => "curated",
      () => JSON.parse(deepArray(50)),
    ])();
  const members = ["StreamName", "StreamARN", "Data", "PartitionKey", "Records", "Record", "ShardCount", "ShardId", "ShardIteratorType", "ShardIterator", "Limit", "DeliveryStreamName", "QueryString", "QueryExecutionId", "ExplicitHashKey", "StartingSequenceNumber", "NextToken"];
  const input: Record<string, unknown> = {};
  for (const member of members) if (r.next() < 0.35) input[member] = hostile();
  if (r.next() < 0.3) input["Records"] = Array.from({ length: r.int(5) }, () => (r.next() < 0.5 ? hostile() : { Data: hostile(), PartitionKey: hostile() }));
  return input;
}

function awsCase(r: Rng, valid: () => ShopEvent): AwsCase {
  const service = r.pick(["kinesis", "firehose", "athena", "sqs"] as const);
  const target = r.next() < 0.1 ? r.pick(UNKNOWN_TARGETS) : r.pick(TARGETS[service]);
  const kind = r.int(10);
  if (kind === 0) {
    const event = valid();
    const body = JSON.stringify({ StreamName: "events", PartitionKey: event.event_id, Data: Buffer.from(JSON.stringify(event)).toString("base64") });
    return { headers: { "x-amz-target": "Kinesis_20131202.PutRecord", "content-type": "application/x-amz-json-1.1" }, body: enc.encode(body), label: "valid PutRecord", valid: { eventId: event.event_id } };
  }
  const headers: Record<string, string> = { "x-amz-target": target };
  if (kind === 1) return { headers: { ...headers, "content-type": r.pick(JSON_TYPES) }, body: r.bytes(r.int(2048)), label: `${target} random bytes` };
  if (kind === 2) return { headers: { ...headers, "content-type": "application/x-amz-cbor-1.1" }, body: r.bytes(1 + r.int(512)), label: `${target} random CBOR` };
  if (kind === 3) {
    const text = r.pick(['{"StreamName":', "[]", "null", "1", '"s"', deepArray(100_000), deepObject(50_000), '{"__proto__":{"polluted":1}}', "{\"StreamName\":\"\\ud800\"}"]);
    return { headers: { ...headers, "content-type": "application/x-amz-json-1.1" }, body: enc.encode(text), label: `${target} bad JSON` };
  }
  if (kind === 4) {
    // CBOR that decodes, but to the wrong shapes: deep, huge-length headers, wrong types.
    const bytes = r.pick([
      Buffer.alloc(50_000, 0x81), // an array in an array … 50,000 deep
      Buffer.from([0xbf, 0x61, 0x61]), // an indefinite map that never ends
      Buffer.from([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // an array of 2^64-1 items
      Buffer.from([0x5b, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00]), // a byte string of 64 GiB
      Buffer.from([0xa1, 0x69, ...enc.encode("__proto__"), 0xa1, 0x68, ...enc.encode("polluted"), 0xf5]), // {"__proto__": {"polluted": true}}
      Buffer.from([0x01]),
      Buffer.from([0xd8, 0x1c, 0x80]), // an unknown tag
    ]);
    return { headers: { ...headers, "content-type": "application/x-amz-cbor-1.1" }, body: bytes, label: `${target} hostile CBOR` };
  }
  if (kind === 5) {
    // The query protocol (SQS): unknown actions, names every object has, missing and hostile members.
    const form = r.pick(["Action=SendMessage&QueueUrl=x&MessageBody=%ZZ", "Action=__proto__", "Action=constructor", "Action=toString", "Action=", "QueueUrl=x", "Action=SendMessage", `Action=CreateQueue&QueueName=${encodeURIComponent(r.pick(SQL_STRINGS))}`, Buffer.from(r.bytes(200)).toString("latin1")]);
    return { headers: { "content-type": "application/x-www-form-urlencoded" }, body: enc.encode(form), label: `query protocol ${form.slice(0, 40)}` };
  }
  const protocol = r.next() < 0.2 ? "cbor" : "json";
  const input = awsMembers(r);
  return {
    headers: { ...headers, "content-type": protocol === "cbor" ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1" },
    body: protocol === "cbor" ? encodeCbor(input) : enc.encode(JSON.stringify(input)),
    label: `${target} wrong members`,
  };
}

describe("fuzz: AWS endpoints", () => {
  it("answers hostile Kinesis, Firehose, Athena and query-protocol requests in AWS's error shapes, never a 5xx", async (t) => {
    const server = await startTestServer(t, { yaml: FUZZ_YAML });
    const r = rng(SEED + 7);
    const validEvents = generateEvents({ seed: SEED + 7 }, 2000);
    let nextValid = 0;
    const valid = () => validEvents[nextValid++ % validEvents.length]!;
    const cases = Array.from({ length: Math.round(CASES / 2) }, () => awsCase(r, valid));
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const putIds: string[] = [];
    const codes = new Map<string, number>();
    const serverErrors: string[] = [];

    await pool(cases, CONCURRENCY, async (fuzz, i) => {
      const context = `AWS case ${i} (${fuzz.label})`;
      const response = await fetch(`${server.url}/`, { method: "POST", headers: fuzz.headers, body: new Uint8Array(fuzz.body) });
      const bytes = Buffer.from(await response.arrayBuffer());
      if (fuzz.valid) {
        assert.equal(response.status, 200, `${context}: ${bytes.toString()}`);
        putIds.push(fuzz.valid.eventId);
        return;
      }
      const errorType = response.headers.get("x-amzn-errortype") ?? "";
      if (response.status >= 500) serverErrors.push(`${context}: ${response.status} ${errorType} ${bytes.toString().slice(0, 200)}`);
      // A real operation may succeed on junk it ignores (ListStreams with a stray member); nothing else may.
      const target = fuzz.headers["x-amz-target"];
      if (response.status === 200 && target !== undefined && Object.values(TARGETS).some((targets) => targets.includes(target))) return;
      assert.ok(response.status >= 400 && response.status < 500, `${context}: ${response.status}`);
      assert.ok(response.headers.get("x-amzn-requestid"), `${context}: a request id`);
      assert.match(errorType, /^[A-Za-z]+$/, `${context}: x-amzn-ErrorType`);
      codes.set(errorType, (codes.get(errorType) ?? 0) + 1);
      const type = response.headers.get("content-type") ?? "";
      if (type.includes("xml")) {
        assert.match(bytes.toString(), new RegExp(`<ErrorResponse[^>]*><Error><Type>Sender</Type><Code>${errorType}</Code><Message>[^<]+</Message>`), context);
      } else {
        const body = (type.includes("cbor") ? decodeCbor(bytes) : JSON.parse(bytes.toString())) as { __type?: string; message?: string };
        assert.equal(body.__type, errorType, `${context}: __type`);
        assert.ok(typeof body.message === "string" && body.message.length > 0, `${context}: a message`);
      }
    });
    t.diagnostic(`AWS error codes ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.deepEqual(serverErrors, [], "no hostile request makes a 5xx");
    for (const code of ["SerializationException", "UnknownOperationException", "InvalidAction"]) assert.ok(codes.has(code), `the seeded cases provoke ${code}`);
    assert.ok(codes.has("ValidationException") || codes.has("InvalidArgumentException"), "and a constraint violation");
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore, "Object.prototype is untouched");
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    await healthy(server.url);

    // The valid PutRecords interleaved with the rest are in the stream, once each.
    const stored = (await streamEvents(server)).map((e) => e.event_id).filter((id) => putIds.includes(id));
    assert.equal(stored.length, putIds.length);
    assert.equal(new Set(stored).size, putIds.length);
  });
});

// ------------------------------------------------------------------------------------------ transport

/** Opens a raw connection, runs `script` over it, and resolves with what the server sent and when it closed. */
function rawExchange(url: string, script: (socket: net.Socket) => void, maxWaitMs: number): Promise<{ response: string; closedAfterMs: number | undefined }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), "127.0.0.1", () => script(socket));
    let response = "";
    socket.on("data", (chunk) => (response += chunk.toString("latin1")));
    socket.on("error", () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closedAfterMs: undefined });
    }, maxWaitMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
  });
}

const httpStatus = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
const httpJson = (response: string) => JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4).replace(/^[0-9a-f]+\r\n/, "").replace(/\r\n0\r\n\r\n$/, ""));

describe("fuzz: transport", () => {
  it("answers oversized bodies 413, closes slow and silent clients, survives truncated requests and huge headers", async (t) => {
    const server = await startTestServer(t, { yaml: IMPATIENT_YAML });
    const events = generateEvents({ seed: SEED + 3 }, 200);
    let sent = 0;
    const accepted: string[] = [];
    // Valid traffic all along, from another client.
    let stop = false;
    const steady = (async () => {
      while (!stop && sent < events.length) {
        const event = events[sent++]!;
        const response = await fetch(`${server.url}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(event) });
        assert.equal(response.status, 200, await response.text());
        accepted.push(event.event_id);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // 10 MB+ with a Content-Length: refused before it is read.
    const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
    let response = await fetch(`${server.url}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    assert.equal(response.status, 413);
    assertJsonError(await response.json(), "10 MB+ body");
    // …and chunked, with no length: refused once the limit passes.
    response = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 11; i++) controller.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 413);
    assertJsonError(await response.json(), "chunked 10 MB+ body");
    // The AWS endpoint's own limit (16 MiB) answers in AWS's shape.
    response = await fetch(`${server.url}/`, { method: "POST", headers: { "x-amz-target": "Kinesis_20131202.PutRecords", "content-type": "application/x-amz-json-1.1" }, body: Buffer.alloc(17 * 1024 * 1024, 0x20) });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { __type: string }).__type, "SerializationException");

    // A body trickling in: 408 with a JSON error within the request timeout (3 s here), then closed.
    const slow = await rawExchange(
      server.url,
      (socket) => {
        socket.write("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
        const drip = setInterval(() => (socket.writable ? socket.write(" ") : clearInterval(drip)), 200);
        socket.on("close", () => clearInterval(drip));
      },
      10_000,
    );
    assert.equal(httpStatus(slow.response), 408, slow.response);
    assert.equal(httpJson(slow.response).error.code, "request_timeout");
    assert.ok(slow.closedAfterMs !== undefined && slow.closedAfterMs < 8000, `closed after ${slow.closedAfterMs} ms`);
    // The same on the AWS endpoint, in AWS's shape.
    const slowAws = await rawExchange(
      server.url,
      (socket) => {
        socket.write("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 500\r\n\r\n{");
      },
      10_000,
    );
    assert.equal(httpStatus(slowAws.response), 408, slowAws.response);
    assert.equal(httpJson(slowAws.response).__type, "RequestTimeoutException");

    // A connection that says nothing is closed (first-byte timeout, 2 s here).
    const silent = await rawExchange(server.url, () => {}, 10_000);
    assert.ok(silent.closedAfterMs !== undefined && silent.closedAfterMs >= 1500 && silent.closedAfterMs < 8000, `silent connection closed after ${silent.closedAfterMs} ms`);

    // Truncated: a Content-Length larger than what is sent, then the client goes away. And half-closed.
    for (let i = 0; i < 20; i++) {
      await rawExchange(server.url, (socket) => {
        socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n${JSON.stringify(events[0]).slice(0, 40)}`);
        setTimeout(() => socket.destroy(), 5);
      }, 2000);
    }
    const halfClosed = await rawExchange(
      server.url,
      (socket) => socket.end(`POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"event_id":`),
      10_000,
    );
    assert.ok(halfClosed.closedAfterMs !== undefined, "a half-closed truncated request is closed, not left hanging");
    if (halfClosed.response !== "") assert.ok(httpStatus(halfClosed.response) >= 400 && httpStatus(halfClosed.response) < 500, halfClosed.response);

    // Header abuse: too big for Node's 16 KiB limit, and many headers.
    const hugeHeader = await rawExchange(server.url, (socket) => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100_000)}\r\n\r\n`), 5000);
    const hugeStatus = httpStatus(hugeHeader.response);
    assert.equal(hugeStatus, 431, `huge headers: ${hugeHeader.response.slice(0, 100)}`);
    const manyHeaders = await rawExchange(
      server.url,
      (socket) => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join("\r\n")}\r\n\r\n`),
      5000,
    );
    assert.ok(httpStatus(manyHeaders.response) < 500, manyHeaders.response.slice(0, 100));
    // Garbage instead of HTTP.
    const garbage = await rawExchange(server.url, (socket) => socket.write(Buffer.from(rng(SEED).bytes(4096))), 5000);
    assert.ok(garbage.closedAfterMs !== undefined, "a connection speaking garbage is closed");

    stop = true;
    await steady;
    await healthy(server.url);
    const stored = (await streamEvents(server)).map((e) => e.event_id);
    assert.deepEqual(stored.sort(), [...accepted].sort(), "the valid events sent meanwhile are stored once each");
  });
});
