// The acceptance scenario through the real command line: simulate a seeded file, post it to
// `shopstream up`, stop it, and count with `shopstream query`. Also: kill -9 loses no acknowledged event.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli, startUp } from "../src/test-support/cli.js";
import { tempDir } from "../src/test-support/temp-dir.js";

async function postFile(url: string, lines: string[]) {
  const res = await fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: lines.join("\n") });
  return (await res.json()) as { accepted: number; rejected: number };
}

function queryJson(dataDir: string, sql: string): Array<Record<string, unknown>> {
  const result = runCli(["query", sql, "--data-dir", dataDir, "--format", "json"]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

describe("shopstream CLI end to end", () => {
  it("simulate → up → POST → graceful stop → query gives exact counts", async (t) => {
    const dir = tempDir(t);
    const file = join(dir, "e.ndjson");
    const simulated = runCli(["simulate", "--seed", "7", "--count", "20000", "--output", file]);
    assert.equal(simulated.status, 0, simulated.stderr);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, 20000);
    const ordersInFile = lines.filter((l) => JSON.parse(l).type === "order_placed").length;

    const dataDir = join(dir, "data");
    const up = await startUp(["--simulate-rate", "0", "--data-dir", dataDir]);
    const posted = await postFile(up.url, lines);
    assert.deepEqual(posted, { ...posted, accepted: 20000, rejected: 0 });
    up.child.kill("SIGTERM");
    const exit = await up.exited;
    assert.equal(exit.code, 0, up.output());
    assert.match(up.output(), /stopped cleanly/);

    assert.deepEqual(queryJson(dataDir, "select count(*) as n from events"), [{ n: 20000 }]);
    assert.deepEqual(queryJson(dataDir, "select count(*) as n from orders"), [{ n: ordersInFile }]);
  });

  it("loses no acknowledged event when the process is killed with SIGKILL", async (t) => {
    const dir = tempDir(t);
    const file = join(dir, "e.ndjson");
    assert.equal(runCli(["simulate", "--seed", "8", "--count", "12000", "--output", file]).status, 0);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const dataDir = join(dir, "data");

    const first = await startUp(["--simulate-rate", "0", "--data-dir", dataDir]);
    let acknowledged = 0;
    for (let i = 0; i < 8000; i += 2000) acknowledged += (await postFile(first.url, lines.slice(i, i + 2000))).accepted;
    assert.equal(acknowledged, 8000);
    first.child.kill("SIGKILL"); // mid-stream: functions and the lake are still working through the backlog
    await first.exited;

    const second = await startUp(["--simulate-rate", "0", "--data-dir", dataDir]);
    assert.equal((await postFile(second.url, lines.slice(8000))).accepted, 4000);
    second.child.kill("SIGTERM");
    assert.equal((await second.exited).code, 0, second.output());

    const [counts] = queryJson(dataDir, "select count(*) as n, count(distinct event_id) as distinct_ids from events");
    assert.deepEqual(counts, { n: 12000, distinct_ids: 12000 }, "every acknowledged event is in the lake exactly once");
    const ordersInFile = lines.filter((l) => JSON.parse(l).type === "order_placed").length;
    assert.deepEqual(queryJson(dataDir, "select count(*) as n, count(distinct order_id) as d from orders"), [{ n: ordersInFile, d: ordersInFile }]);
  });

  it("prints help for every command and a clear error without a stack trace for bad input", () => {
    for (const command of [[], ["up"], ["simulate"], ["query"]]) {
      const help = runCli([...command, "--help"]);
      assert.equal(help.status, 0);
      assert.match(help.stdout, /Usage: shopstream/);
    }
    const badPort = runCli(["up", "--port", "nope"]);
    assert.notEqual(badPort.status, 0);
    assert.match(badPort.stderr, /--port/);
    assert.doesNotMatch(badPort.stderr, /\n\s+at /, "no stack trace");
    const badSql = runCli(["query", "selec nothing", "--data-dir", "/nonexistent-dir"]);
    assert.equal(badSql.status, 1);
    assert.doesNotMatch(badSql.stderr, /\n\s+at /);
  });
});
