// `shopstream top --once` against a running server, and its message when no server answers.
import assert from "node:assert/strict";
import { it } from "node:test";
import { runCli, runCliAsync } from "../test-support/cli.js";
import { startTestServer } from "../test-support/server.js";

it("top --once prints components, consumers, queues and alarms of a running server", { timeout: 60_000 }, async (t) => {
  const { url } = await startTestServer(t);
  // Not runCli: its spawnSync would block this process, which serves the test server.
  const { status, stdout, stderr } = await runCliAsync(["top", "--once", "--url", url]);
  assert.equal(status, 0, stderr);
  for (const expected of ["component", "ingest", "function:orders", "lag_records", "replenishment-dlq", "function-errors", "alarms:"]) {
    assert.ok(stdout.includes(expected), `${expected} in:\n${stdout}`);
  }
});

it("top says clearly when the server is unreachable", () => {
  const { status, stderr } = runCli(["top", "--once", "--url", "http://127.0.0.1:9"]);
  assert.equal(status, 1);
  assert.match(stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
