// A user function declared in the pipeline YAML: an unmodified Lambda-style handler file next to the
// config, reading the curated stream with AWS's Kinesis event shape, run by the pipeline itself.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { parsePipelineConfig } from "../src/config/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { generateEvents } from "../src/simulator/index.js";
import { waitFor } from "../src/test-support/server.js";
import { makeTempDir, removeDir } from "../src/test-support/temp-dir.js";

it("runs a user function from the pipeline config over the curated stream", async (t) => {
  const dir = makeTempDir();
  const out = join(dir, "seen.ndjson");
  writeFileSync(
    join(dir, "big-orders.ts"),
    `import { appendFileSync } from "node:fs";
     interface KinesisEvent { Records: Array<{ eventSource: string; kinesis: { data: string; partitionKey: string } }> }
     export const handler = async (event: KinesisEvent, context: { functionName: string; getRemainingTimeInMillis(): number }) => {
       for (const record of event.Records) {
         const curated = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8"));
         if (curated.type === "order_placed") {
           appendFileSync(${JSON.stringify(out)}, JSON.stringify({ fn: context.functionName, source: record.eventSource, order: curated.order_id, region: curated.store?.region, left: context.getRemainingTimeInMillis() > 0 }) + "\\n");
         }
       }
     };`,
  );
  const config = parsePipelineConfig(
    "simulator: { ratePerSec: 0 }\nfunctions:\n  big-orders:\n    handler: ./big-orders.ts\n    stream: curated\n    batchSize: 200\n    timeoutSec: 10\n",
  );
  const pipeline = await Pipeline.open(config, join(dir, "data"), { configDir: dir });
  await pipeline.start();
  t.after(async () => {
    await pipeline.stop();
    removeDir(dir);
  });
  const events = generateEvents({ seed: 31 }, 3000);
  const orders = events.filter((e) => e.type === "order_placed").map((e) => (e.payload as { order_id: string }).order_id);
  const result = await pipeline.ingest.ingest(events.map((value) => ({ ok: true as const, value })));
  assert.equal(result.accepted, events.length);
  const seen = () => {
    try {
      return readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { fn: string; source: string; order: string; region?: string; left: boolean });
    } catch {
      return [];
    }
  };
  await waitFor(() => seen().length >= orders.length, 20_000, "the user function to see every order");
  assert.deepEqual(seen().map((s) => s.order).sort(), [...orders].sort(), "each order exactly once");
  for (const s of seen()) {
    assert.equal(s.fn, "big-orders");
    assert.equal(s.source, "aws:kinesis");
    assert.ok(s.region, "the curated record carries enrich's store data");
    assert.ok(s.left);
  }
});
