// `shopstream top --once` against a running server, and its message when no server answers.
import assert from "node:assert/strict";
import { it } from "node:test";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runCli } from "../test-support/cli.js";
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

function runCliAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", main, ...args], { env: { ...process.env, NODE_ENV: "test" }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
