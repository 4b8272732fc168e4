// The pipeline config: defaults with no file, errors that name file:line:col, path and expectation,
// explicit-only environment interpolation, and docs generated from the schema that are up to date.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parsePipelineConfig, renderConfigReference, renderJsonSchema } from "./index.js";

const fail = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parsePipelineConfig(yaml, "pipeline.yaml", env);
  } catch (error) {
    assert.equal((error as Error).name, "ConfigError");
    return (error as Error).message;
  }
  assert.fail("expected a ConfigError");
};

describe("pipeline config", () => {
  it("gives the built-in default pipeline for an empty file", () => {
    const config = parsePipelineConfig("");
    assert.equal(config.server.port, 4566);
    assert.equal(config.server.host, "127.0.0.1");
    assert.deepEqual(Object.keys(config.streams).sort(), ["curated", "events"]);
    assert.deepEqual(Object.keys(config.functions).sort(), ["customers", "enrich", "fraud", "orders"]);
    assert.deepEqual(Object.keys(config.queues).sort(), ["replenishment", "replenishment-dlq"]);
    assert.deepEqual(Object.keys(config.deliveryStreams).sort(), ["curated", "raw"]);
    assert.equal(config.deliveryStreams["curated"]!.bufferIntervalMs, 3000);
    assert.equal(config.tables.orders.expectations.length, 2);
  });

  it("overrides only what the file names", () => {
    const config = parsePipelineConfig("functions:\n  orders:\n    batchSize: 50\nstreams:\n  events: { shards: 2 }\n");
    assert.equal(config.functions["orders"]?.batchSize, 50);
    assert.equal(config.functions["orders"]?.maximumBatchingWindowMs, 0);
    assert.equal(config.streams["events"]!.shards, 2);
    assert.equal(config.streams["events"]!.retentionHours, 24);
  });

  it("keeps a built-in entry's other settings when a file overrides some of its fields", () => {
    const config = parsePipelineConfig("deliveryStreams:\n  curated: { enabled: false, bufferIntervalMs: 5000 }\nfunctions:\n  fraud: { batchSize: 100 }\n");
    const curated = config.deliveryStreams["curated"]!;
    assert.equal(curated.enabled, false);
    assert.equal(curated.bufferIntervalMs, 5000);
    assert.equal(curated.source, "curated", "the built-in source stays");
    assert.deepEqual(curated.dynamicPartitioning, { keys: { type: "type" } }, "the built-in partitioning stays");
    assert.equal(config.functions["fraud"]?.batchSize, 100);
  });

  it("checks delivery streams against each other when the config loads", () => {
    assert.match(fail("deliveryStreams:\n  mine: { source: events, format: ndjson, prefix: raw/ }\n"), /^pipeline\.yaml: .*raw\//);
  });

  it("names the file, line, column, path and what was expected", () => {
    assert.equal(
      fail("server:\n  port: 4566\nfunctions:\n  orders:\n    batchSize: ten\n"),
      'pipeline.yaml:5:5 functions.orders.batchSize: expected an integer from 1 to 10000, got "ten"',
    );
    assert.match(fail("server:\n  prot: 1\n"), /^pipeline\.yaml:2:3 server\.prot: unknown field; expected one of host, port, auth, requestTimeoutMs, firstByteTimeoutMs, maxConnections$/);
    assert.match(
      fail("deliveryStreams:\n  curated:\n    source: curated\n    compression: lz4\n"),
      /deliveryStreams\.curated\.compression: expected one of "zstd", "snappy", "gzip", got "lz4"/,
    );
    assert.match(fail("server: [\n"), /^pipeline\.yaml:\d+:\d+ /);
  });

  it("interpolates environment variables only where the file asks, with ${env:NAME}", () => {
    const config = parsePipelineConfig("server:\n  host: ${env:BIND:-0.0.0.0}\n  port: 4566\n", "p.yaml", { BIND: "127.0.0.2" });
    assert.equal(config.server.host, "127.0.0.2");
    assert.equal(parsePipelineConfig("server:\n  host: ${env:BIND:-0.0.0.0}\n", "p.yaml", {}).server.host, "0.0.0.0");
    assert.equal(parsePipelineConfig("server:\n  host: $HOME\n", "p.yaml", { HOME: "/root" }).server.host, "$HOME", "plain $NAME is not interpolated");
    assert.match(fail("server:\n  host: ${env:MISSING}\n"), /MISSING is not set/);
  });

  it("has a config reference and JSON Schema in docs/ that match the code (npm run docs)", () => {
    const docs = new URL("../../docs/", import.meta.url);
    assert.equal(readFileSync(new URL("config-reference.md", docs), "utf8"), renderConfigReference());
    assert.equal(readFileSync(new URL("pipeline.schema.json", docs), "utf8"), renderJsonSchema());
  });
});
