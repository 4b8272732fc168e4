// `shopstream plan` against a data dir that `up` made: the config file's planning and inventory sections
// apply, options override them, and the JSON report says what the reorder-level refresh wrote.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../test-support/cli.js";
import { startTestServer } from "../test-support/server.js";
import { tempDir } from "../test-support/temp-dir.js";

describe("shopstream plan", () => {
  it("plans with the config's sections and refreshes the serving store's reorder levels", async (t) => {
    const dataDir = tempDir(t);
    const server = await startTestServer(t, { dataDir });
    await server.pipeline.queue.ensureQueue("restock");
    await server.stop();
    const configFile = join(dataDir, "pipeline.yaml");
    writeFileSync(configFile, "planning:\n  queue: restock\ninventory:\n  reorderPolicy: { mode: configured }\n");

    const run = runCli(["plan", "--data-dir", dataDir, "--config", configFile, "--format", "json", "--dedup-window-hours", "1"]);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { sent: number; levelsRefresh?: { selling: number; derived: number } };
    assert.equal(report.sent, 0, "an empty lake has nothing below its reorder point");
    assert.deepEqual(report.levelsRefresh && [report.levelsRefresh.selling, report.levelsRefresh.derived], [0, 0]);

    const table = runCli(["plan", "--data-dir", dataDir, "--config", configFile]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /reorder levels: 0 store products sold in the demand window/);
  });
});
