import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Command, CommanderError } from "commander";
import { generateEvents } from "../simulator/index.js";
import { parseDurationMs, registerSimulate } from "./simulate.js";

/** A program like bin/shopstream's, with output captured and exits turned into exceptions. */
function buildProgram() {
  const output = { out: "", err: "" };
  const program = new Command("shopstream")
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output.out += text), writeErr: (text) => (output.err += text) });
  registerSimulate(program);
  return { program, output };
}

/** Runs argv; errors the action reports (UsageError and friends) go to stderr and process.exitCode. */
async function run(argv: string[]) {
  const { program, output } = buildProgram();
  const writeStderr = process.stderr.write;
  process.stderr.write = ((text: string) => ((output.err += text), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(argv, { from: "user" });
    return { ...output, exitCode: process.exitCode ?? 0 };
  } finally {
    process.stderr.write = writeStderr;
    process.exitCode = 0;
  }
}

describe("shopstream simulate", () => {
  const dir = mkdtempSync(join(tmpdir(), "shopstream-simulate-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the seed's events to a file, byte-identical on a second run, and prints counts per type", async () => {
    const first = join(dir, "a.ndjson");
    const second = join(dir, "b.ndjson");
    const result = await run(["simulate", "--seed", "7", "--count", "1500", "--output", first]);
    await run(["simulate", "--seed", "7", "--count", "1500", "--output", second]);
    assert.equal(result.exitCode, 0);
    assert.ok(readFileSync(first).equals(readFileSync(second)));
    const lines = readFileSync(first, "utf8").trimEnd().split("\n");
    assert.deepEqual(lines.map((line) => JSON.parse(line)), generateEvents({ seed: 7 }, 1_500));
    assert.match(result.out, /wrote 1,500 events/);
    assert.match(result.out, /page_view\s+[\d,]+\n/);
  });

  it("honours --catalog-seed and --start", async () => {
    const file = join(dir, "start.ndjson");
    await run(["simulate", "--count", "10", "--output", file, "--start", "2026-03-01T12:00:00Z", "--catalog-seed", "5"]);
    const firstEvent = JSON.parse(readFileSync(file, "utf8").split("\n")[0] ?? "{}") as { occurred_at: string };
    assert.equal(firstEvent.occurred_at, "2026-03-01T12:00:00.000Z");
  });

  it("sends live events to a server at the requested rate", async () => {
    let received = 0;
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        const count = body.split("\n").filter(Boolean).length;
        received += count;
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ accepted: count, rejected: 0, results: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    after(() => server.close());
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await run(["simulate", "--target", target, "--rate", "1000", "--duration", "300ms", "--seed", "3"]);
    assert.equal(result.exitCode, 0, result.err);
    assert.equal(received, 300);
    assert.match(result.out, /sent 300 events .* 300 accepted, 0 rejected/);
  });

  it("rejects a malformed value with exit code 2 and a one-line message", async () => {
    await assert.rejects(run(["simulate", "--seed", "seven", "--output", join(dir, "x.ndjson")]), (error: unknown) => {
      assert.ok(error instanceof CommanderError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /--seed must be an integer/);
      return true;
    });
    await assert.rejects(run(["simulate", "--output", "x", "--duration", "soon"]), { exitCode: 2 });
    await assert.rejects(run(["simulate", "--output", "x", "--bogus"]), { exitCode: 2 });
  });

  it("rejects option combinations that do not make sense with exit code 2", async () => {
    for (const argv of [
      ["simulate"],
      ["simulate", "--output", join(dir, "x.ndjson"), "--target", "http://127.0.0.1:1"],
      ["simulate", "--output", join(dir, "x.ndjson"), "--rate", "10"],
      ["simulate", "--target", "ftp://example.com"],
    ]) {
      const result = await run(argv);
      assert.equal(result.exitCode, 2, argv.join(" "));
      assert.equal(result.err.trim().split("\n").length, 1, result.err);
    }
  });
});

describe("parseDurationMs", () => {
  it("reads seconds, minutes, hours and milliseconds", () => {
    assert.equal(parseDurationMs("30s"), 30_000);
    assert.equal(parseDurationMs("5m"), 300_000);
    assert.equal(parseDurationMs("1h"), 3_600_000);
    assert.equal(parseDurationMs("1500ms"), 1_500);
    assert.equal(parseDurationMs("1500 ms"), 1_500);
    assert.equal(parseDurationMs("250"), 250);
    assert.equal(parseDurationMs("1.5s"), 1_500);
    assert.equal(parseDurationMs("soon"), undefined);
  });
});
