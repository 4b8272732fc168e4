// Firehose-style prefixes and the delivery stream configs built on them: what renders where, and the
// configs refused before anything runs, each with the path of the field at fault.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../errors/index.js";
import { DEFAULT_DELIVERY_STREAMS, DEFAULT_TABLES_CONFIG, deliveryStreamConfig, type DeliveryStreamsConfig } from "./config.js";
import { resolveDeliveryStream, resolveDeliveryStreams } from "./delivery-stream.js";
import { finestTimeUnit, parsePrefixTemplate, renderPrefix, staticPrefix, type ExpressionKind } from "./prefix-template.js";

const DATA: ReadonlySet<ExpressionKind> = new Set(["timestamp", "partitionKey", "table"]);

function parse(source: string, keys: string[] = []) {
  return parsePrefixTemplate(source, { path: "p", allowed: DATA, keys: new Set(keys) });
}

describe("prefix templates", () => {
  it("renders timestamps in UTC, partition keys and the table", () => {
    const template = parse("curated/!{shopstream:table}/store=!{partitionKeyFromQuery:store}/!{timestamp:yyyy/MM/dd}/h=!{timestamp:HH}-!{timestamp:mm}/", ["store"]);
    const at = Date.parse("2026-01-05T23:07:59.999+02:00");
    assert.equal(renderPrefix(template, { timestampMs: at, partitionKeys: { store: "S001" }, table: "orders" }), "curated/orders/store=S001/2026/01/05/h=21-07/");
    assert.equal(staticPrefix(template), "curated/");
    assert.equal(finestTimeUnit([template]), "minute");
    assert.equal(finestTimeUnit([parse("raw/x/")]), undefined);
  });

  const refusals: Array<[string, string, RegExp]> = [
    ["a random string, which is not deterministic", "raw/!{firehose:random-string}/", /random-string.*deterministic/],
    ["an unknown namespace", "raw/!{foo:bar}/", /unknown expression namespace/],
    ["a key no dynamic partitioning declares", "raw/!{partitionKeyFromQuery:nope}/", /names no dynamicPartitioning key/],
    ["an unsupported timestamp letter", "raw/!{timestamp:yyyy-ww}/", /unsupported timestamp pattern letters "ww"/],
    ["a prefix without a final slash", "raw/dt=!{timestamp:yyyy-MM-dd}", /must end with \//],
    ["an unclosed expression", "raw/!{timestamp:yyyy/", /unclosed|must end/],
    ["an empty folder", "raw//x/", /valid object keys/],
    ["the error type outside an error prefix", "raw/!{firehose:error-output-type}/", /not allowed here/],
  ];
  for (const [what, source, message] of refusals) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parse(source), (error: unknown) => error instanceof ConfigError && message.test(error.message) && error.message.startsWith("p: "));
    });
  }
});

describe("delivery stream configs", () => {
  const curated = DEFAULT_DELIVERY_STREAMS["curated"]!;

  it("resolves the shipped config: every table under curated/<table>/, events also by type", () => {
    const [resolved, raw] = resolveDeliveryStreams(DEFAULT_DELIVERY_STREAMS, DEFAULT_TABLES_CONFIG);
    assert.equal(resolved!.tables.length, 10);
    const events = resolved!.tables.find(({ table }) => table.name === "events")!;
    assert.equal(
      renderPrefix(events.prefix, { timestampMs: Date.parse("2026-01-05T08:30:00Z"), partitionKeys: { type: "page_view" } }),
      "curated/events/type=page_view/dt=2026-01-05/hour=08/",
    );
    const orders = resolved!.tables.find(({ table }) => table.name === "orders")!;
    assert.equal(renderPrefix(orders.prefix, { timestampMs: Date.parse("2026-01-05T08:30:00Z") }), "curated/orders/dt=2026-01-05/hour=08/");
    assert.equal(raw!.prefix && staticPrefix(raw!.prefix), "raw/");
    assert.deepEqual(raw!.roots, ["raw/", "errors/raw/"]);
    assert.equal(resolved!.timeUnit, "hour");
  });

  const refusals: Array<[string, DeliveryStreamsConfig, RegExp]> = [
    ["snappy NDJSON", { raw: deliveryStreamConfig({ source: "events", format: "ndjson", compression: "snappy" }) }, /deliveryStreams\.raw\.compression: ndjson is compressed with zstd or gzip/],
    ["gzip Parquet", { curated: { ...curated, compression: "gzip" } }, /deliveryStreams\.curated\.compression: parquet is compressed with zstd or snappy/],
    ["a table outside curated/<table>/", { curated: { ...curated, prefix: "lake/!{shopstream:table}/" } }, /must go under curated\/orders\//],
    ["an error prefix without the error type", { curated: { ...curated, errorOutputPrefix: "errors/curated/" } }, /errorOutputPrefix: !\{firehose:error-output-type\} is required/],
    ["compaction of NDJSON", { raw: deliveryStreamConfig({ source: "events", format: "ndjson", compaction: { enabled: true, intervalMs: 1000, minFiles: 2, targetFileBytes: 2 ** 20, deleteSourcesAfterMs: 0 } }) }, /only parquet objects are compacted/],
    ["a table filled twice", { curated, more: { ...curated, tables: ["orders"], errorOutputPrefix: "errors/more/!{firehose:error-output-type}/" } }, /table orders is already filled by delivery stream curated/],
    ["two delivery streams under one prefix", { a: deliveryStreamConfig({ source: "events", format: "ndjson", prefix: "raw/" }), b: deliveryStreamConfig({ source: "curated", format: "ndjson", prefix: "raw/curated/" }) }, /both write under "raw\/"/],
    ["a prefix that starts with an expression", { a: deliveryStreamConfig({ source: "events", format: "ndjson", prefix: "!{timestamp:yyyy}/" }) }, /must start with a fixed folder/],
  ];
  for (const [what, streams, message] of refusals) {
    it(`refuses ${what}`, () => {
      assert.throws(() => resolveDeliveryStreams(streams, DEFAULT_TABLES_CONFIG), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }

  it("refuses a range expectation without bounds, and one whose bounds cross", () => {
    const tables = structuredClone(DEFAULT_TABLES_CONFIG);
    tables.orders.expectations = [{ type: "range", column: "total", blocking: false }];
    assert.throws(() => resolveDeliveryStream("curated", curated, tables), /tables\.orders\.expectations\[0\]: a range needs min, max or both/);
    tables.orders.expectations = [{ type: "range", column: "total", min: 5, max: 1, blocking: false }];
    assert.throws(() => resolveDeliveryStream("curated", curated, tables), /min 5 is above max 1/);
  });
});
