// Admission control: when the functions behind ingest fall behind by more than ingest.maxBacklogRecords,
// ingest refuses new events with 429 and Retry-After (the client is told, nothing is dropped silently), and
// accepts again once the backlog drains. A user function that waits on a gate file makes the backlog.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { parsePipelineConfig } from "../src/config/index.js";
import { createServer, serverUrl } from "../src/server/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { generateEvents } from "../src/simulator/index.js";
import { waitFor } from "../src/test-support/server.js";
import { makeTempDir, removeDir } from "../src/test-support/temp-dir.js";

const MAX_BACKLOG = 200;

it("answers 429 with Retry-After while the backlog is over its limit, and accepts again once it drains", async (t) => {
  const dir = makeTempDir();
  const gate = join(dir, "open");
  writeFileSync(
    join(dir, "slow.ts"),
    `import { existsSync } from "node:fs";
     export const handler = async () => {
       while (!existsSync(${JSON.stringify(gate)})) await new Promise((resolve) => setTimeout(resolve, 20));
     };`,
  );
  const config = parsePipelineConfig(
    `simulator: { ratePerSec: 0 }\nserver: { port: 0 }\ningest: { maxBacklogRecords: ${MAX_BACKLOG} }\n` +
      "functions:\n  slow:\n    handler: ./slow.ts\n    stream: events\n    batchSize: 100\n    timeoutSec: 120\n",
  );
  const pipeline = await Pipeline.open(config, join(dir, "data"), { configDir: dir });
  await pipeline.start();
  const app = await createServer(pipeline);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = serverUrl(app);
  t.after(async () => {
    writeFileSync(gate, "");
    await app.close();
    await pipeline.stop({ drainTimeoutMs: 30_000 });
    removeDir(dir);
  });

  const events = generateEvents({ seed: 41 }, 2000);
  const post = (batch: readonly unknown[]) => fetch(`${url}/v1/events`, { method: "POST", body: batch.map((e) => JSON.stringify(e)).join("\n") });
  const first = await post(events.slice(0, 1000));
  assert.equal(first.status, 200, "below the limit everything is accepted");

  // The backlog is sampled each second: within a few, ingest refuses.
  let refused: Response | undefined;
  await waitFor(async () => {
    const response = await post(events.slice(1000, 1010));
    if (response.status === 429) refused = response;
    else assert.equal(response.status, 200);
    return refused !== undefined;
  }, 10_000, "ingest to refuse over the backlog limit");
  assert.equal(refused!.headers.get("retry-after"), "2");
  const body = (await refused!.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "throttled");
  assert.match(body.error.message, /records wait to be processed \(limit 200\)/);

  writeFileSync(gate, "");
  await waitFor(async () => (await post(events.slice(1990, 1991))).status === 200, 20_000, "ingest to accept once the backlog drains");
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /shopstream_ingest_events_total\{result="throttled"\} [1-9]/, "refusals are counted");
  assert.match(metrics, /shopstream_ingest_requests_total\{status="429"\} [1-9]/, "refused requests are counted by status");
  assert.match(metrics, /shopstream_ingest_requests_total\{status="200"\} [1-9]/);
});
