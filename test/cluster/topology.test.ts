// Roles and the backends they need: a process that runs part of the pipeline is refused, with what to
// change, when a partner process could not share its backends; the single-machine default is unchanged.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRoles, resolveTopology } from "../../src/cluster/index.js";
import { parsePipelineConfig } from "../../src/config/index.js";
import { ConfigError } from "../../src/errors/index.js";

const shared = [
  "streamBackend: { type: jetstream }",
  "queueBackend: { type: jetstream }",
  "store: { backend: postgres }",
  "lake: { store: s3, s3: { bucket: shop-lake, region: us-east-1 } }",
].join("\n");

describe("topology", () => {
  it("runs every role in one process by default, with no leases", () => {
    const topology = resolveTopology(parsePipelineConfig("simulator: { ratePerSec: 0 }\n"));
    assert.equal(topology.allInOne, true);
    assert.equal(topology.leases, false);
    assert.match(topology.nodeId, new RegExp(`-${process.pid}$`));
  });

  it("refuses a worker on the SQLite stream, store and local lake, and says what to set", () => {
    const config = parsePipelineConfig("roles: [worker]\n");
    assert.throws(() => resolveTopology(config), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /streamBackend\.type: jetstream/);
      assert.match(error.message, /store\.backend: postgres/);
      assert.match(error.message, /lake\.store: s3/);
      return true;
    });
  });

  it("refuses a planner apart from the dispatcher on the SQLite queue", () => {
    const config = parsePipelineConfig(`roles: [planner, analytics]\n${shared.replace("queueBackend: { type: jetstream }", "")}\n`);
    assert.throws(() => resolveTopology(config), /queueBackend\.type: jetstream/);
  });

  it("takes roles on shared backends, with leases for workers", () => {
    const worker = resolveTopology(parsePipelineConfig(`roles: [worker]\nnode: { id: w1 }\n${shared}\n`));
    assert.deepEqual([...worker.roles], ["worker"]);
    assert.equal(worker.nodeId, "w1");
    assert.equal(worker.leases, true);
    const ingest = resolveTopology(parsePipelineConfig(`roles: [ingest]\n${shared}\n`));
    assert.equal(ingest.leases, false);
  });

  it("refuses a heartbeat too slow for the lease TTL", () => {
    const config = parsePipelineConfig(`roles: [worker]\ncluster: { leaseTtlMs: 3000, heartbeatIntervalMs: 2000 }\n${shared}\n`);
    assert.throws(() => resolveTopology(config), /at most a third/);
  });

  it("parses --role lists and refuses unknown roles", () => {
    assert.deepEqual(parseRoles("ingest, worker"), ["ingest", "worker"]);
    assert.throws(() => parseRoles("ingest,cook"), /expected a comma-separated list/);
  });
});
