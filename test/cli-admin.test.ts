// `shopstream validate` and `shopstream destroy` through the real command line.
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateEvents } from "../src/simulator/index.js";
import { runCli } from "../src/test-support/cli.js";
import { startTestServer, waitFor } from "../src/test-support/server.js";
import { tempDir } from "../src/test-support/temp-dir.js";

describe("shopstream validate", () => {
  it("accepts a good config, locates errors in a bad one and prints the JSON Schema", (t) => {
    const dir = tempDir(t);
    const good = join(dir, "good.yaml");
    writeFileSync(good, "streams:\n  events: { shards: 2 }\nfunctions:\n  orders:\n    batchSize: 100\n");
    const ok = runCli(["validate", good]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /valid/);

    const bad = join(dir, "pipeline.yaml");
    writeFileSync(bad, "streams:\n  events: { shards: 2 }\nfunctions:\n  orders:\n    batchSize: ten\n");
    const failed = runCli(["validate", bad]);
    assert.equal(failed.status, 1);
    assert.equal(failed.stderr.trim(), 'shopstream: pipeline.yaml:5:5 functions.orders.batchSize: expected an integer from 1 to 10000, got "ten"');

    const schema = runCli(["validate", "--print-schema"]);
    assert.equal(schema.status, 0);
    const json = JSON.parse(schema.stdout) as { properties: Record<string, unknown> };
    assert.ok(json.properties["functions"] && json.properties["streams"] && json.properties["deliveryStreams"] && json.properties["tables"]);

    const missing = runCli(["validate", join(dir, "nope.yaml")]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read config .*nope\.yaml: ENOENT/);
  });
});

describe("shopstream destroy", () => {
  it("asks first, refuses while up runs, then deletes the declared resources' data", async (t) => {
    const server = await startTestServer(t);
    const events = generateEvents({ seed: 5 }, 500);
    await fetch(`${server.url}/v1/events`, { method: "POST", body: events.map((e) => JSON.stringify(e)).join("\n") });
    await waitFor(async () => (await server.pipeline.lag())["lake:curated"] === 0 && readdirSync(server.pipeline.paths.lakeDir).length > 0, 15_000, "lake files");

    const whileRunning = runCli(["destroy", "--data-dir", server.dataDir, "--yes"]);
    assert.equal(whileRunning.status, 1);
    assert.match(whileRunning.stderr, /is running on/);
    await server.stop();

    const noTty = runCli(["destroy", "--data-dir", server.dataDir]);
    assert.equal(noTty.status, 2);
    assert.match(noTty.stdout, /stream\s+events/);
    assert.match(noTty.stdout, /queue\s+replenishment /);
    assert.match(noTty.stderr, /pass --yes/);

    const done = runCli(["destroy", "--data-dir", server.dataDir, "--yes"]);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /deleted \d+ resources/);
    assert.equal(existsSync(server.pipeline.paths.lakeDir), false);
    assert.equal(existsSync(server.pipeline.paths.storeDb), false);
    const query = runCli(["query", "select count(*) as n from events", "--data-dir", server.dataDir, "--format", "csv"]);
    assert.match(query.stdout + query.stderr, /n\n0|does not exist|no lake/i);
    assert.match(runCli(["destroy", "--data-dir", server.dataDir, "--yes"]).stdout, /nothing to destroy/);
  });
});
