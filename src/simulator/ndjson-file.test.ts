import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeEventsNdjson } from "./ndjson-file.js";
import { createTrafficGenerator, generateEvents } from "./traffic.js";

describe("writeEventsNdjson", () => {
  const dir = mkdtempSync(join(tmpdir(), "shopstream-ndjson-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes one event per line, the same bytes for the same seed", async () => {
    const first = join(dir, "first.ndjson");
    const second = join(dir, "second.ndjson");
    const progress: number[] = [];
    const result = await writeEventsNdjson({ generator: createTrafficGenerator({ seed: 7 }), count: 4_500, filePath: first, onProgress: (n) => progress.push(n) });
    await writeEventsNdjson({ generator: createTrafficGenerator({ seed: 7 }), count: 4_500, filePath: second });
    const text = readFileSync(first, "utf8");
    assert.ok(readFileSync(second).equals(readFileSync(first)));
    const lines = text.split("\n");
    assert.equal(lines.pop(), "");
    assert.deepEqual(lines.map((line) => JSON.parse(line)), generateEvents({ seed: 7 }, 4_500));
    assert.equal(result.events, 4_500);
    assert.equal(result.bytes, statSync(first).size);
    assert.equal(result.tally.total, 4_500);
    assert.equal(result.firstOccurredAt, JSON.parse(lines[0] ?? "{}").occurred_at);
    assert.deepEqual(progress, [2_000, 4_000, 4_500]);
  });

  it("fails before generating when the file cannot be created", async () => {
    await assert.rejects(
      writeEventsNdjson({ generator: createTrafficGenerator({ seed: 7 }), count: 10, filePath: join(dir, "missing", "x.ndjson") }),
      /ENOENT/,
    );
  });
});
