// The raw zone: an NDJSON delivery stream keeps every record as it arrived, byte for byte, one per line,
// compressed, under the hour it arrived; only what cannot be a line goes to its error prefix.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { quoteSqlString } from "./sql-text.js";
import { appendRecords } from "./test-events.js";
import { listKeys, openTestLake } from "./test-lake.js";

const RECORDS = [
  '{"event_id":"e1","type":"page_view","payload":{"page":"/"}}',
  '{ "spaced" :  true ,"unicode":"Łódź ☕", "escaped":"tab\\tquote\\"" }',
  "not JSON at all, but a line",
  '"a JSON string"',
];

/** The lines DuckDB reads back from an object (zstd and gzip alike). */
async function linesOf(path: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT line FROM read_csv(${quoteSqlString(path)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, delim = chr(31), quote = '', escape = '')`,
    );
    return reader.getRows().map((row) => String(row[0]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("raw zone (NDJSON delivery stream)", () => {
  for (const compression of ["gzip", "zstd"] as const) {
    it(`keeps every record as received, one per line, ${compression}-compressed, under its arrival hour`, async (t) => {
      const lake = await openTestLake(t, { shards: 1, streams: ["events"] });
      await appendRecords(lake.stream, "events", RECORDS);
      const [first] = (await lake.stream.read("events", "shardId-000000000000", { type: "TRIM_HORIZON" }, 1)).records;
      const arrival = new Date(first!.approximateArrivalTimestamp).toISOString();
      const delivery = lake.delivery({ name: "raw", config: { compression } });
      await delivery.start();
      await delivery.flush();

      const keys = await listKeys(lake.store, "raw/");
      assert.equal(keys.length, 1, keys.join("\n"));
      const extension = compression === "gzip" ? "ndjson.gz" : "ndjson.zst";
      assert.match(keys[0]!, new RegExp(`^raw/dt=${arrival.slice(0, 10)}/hour=${arrival.slice(11, 13)}/events-shardId-000000000000-\\d+-\\d+\\.${extension.replace(".", "\\.")}$`));
      const path = join(lake.lakeDir, keys[0]!);
      if (compression === "gzip") assert.equal(gunzipSync(await readFile(path)).toString("utf8"), `${RECORDS.join("\n")}\n`, "byte for byte");
      assert.deepEqual(await linesOf(path), RECORDS);
      assert.deepEqual(await listKeys(lake.store, "errors/"), []);
    });
  }

  it("re-encodes JSON spread over lines onto one, and sends what cannot be a line to its error prefix", async (t) => {
    const lake = await openTestLake(t, { shards: 1, streams: ["events"] });
    const binary = Uint8Array.from([0xff, 0xfe, 0x00, 0x41]);
    await appendRecords(lake.stream, "events", ['{\n  "pretty": [1, 2]\n}', "two\nlines", binary, '{"ok":1}']);
    const delivery = lake.delivery({ name: "raw" });
    await delivery.start();
    await delivery.flush();
    const [dataKey] = await listKeys(lake.store, "raw/");
    assert.deepEqual(await linesOf(join(lake.lakeDir, dataKey!)), ['{"pretty":[1,2]}', '{"ok":1}']);
    const errorKeys = await listKeys(lake.store, "errors/raw/");
    assert.equal(errorKeys.length, 1);
    assert.match(errorKeys[0]!, /^errors\/raw\/invalid_json\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\//);
    const lines = (await readFile(join(lake.lakeDir, errorKeys[0]!), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);
    assert.deepEqual(lines.map((line) => line["error_type"]), ["invalid_json", "invalid_json"]);
    assert.equal(lines[0]!["raw_data"], "two\nlines");
    assert.match(lines[0]!["error_message"] ?? "", /not JSON/);
    assert.equal(lines[1]!["raw_data_base64"], Buffer.from(binary).toString("base64"), "bytes that are not text are kept as base64");
    assert.equal(lines[1]!["delivery_stream"], "raw");
  });
});
