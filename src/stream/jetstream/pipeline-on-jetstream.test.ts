// The whole pipeline with its stream and queues on JetStream: events ingested are enriched into `curated`
// (output and checkpoint through JetStream), and the declared queues exist as work-queue streams.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parsePipelineConfig } from "../../config/index.js";
import { Pipeline } from "../../pipeline/index.js";
import { JetStreamQueue } from "../../queue/index.js";
import { generateEvents } from "../../simulator/index.js";
import { nats, NATS_SERVERS } from "../../test-support/backends.js";
import { waitFor } from "../../test-support/server.js";
import { makeTempDir, removeDir } from "../../test-support/temp-dir.js";
import { JetStreamStream } from "./jetstream-stream.js";

const availability = await nats();

describe("pipeline on JetStream", { skip: availability.skip }, () => {
  it("ingests, enriches into curated and provisions the queues, all on JetStream", async (t) => {
    const prefix = `test-${randomBytes(6).toString("hex")}`;
    const jetstream = `{ servers: "${NATS_SERVERS}", subjectPrefix: ${prefix} }`;
    const config = parsePipelineConfig(
      `simulator: { ratePerSec: 0 }\nstreamBackend: { type: jetstream, jetstream: ${jetstream} }\nqueueBackend: { type: jetstream, jetstream: ${jetstream} }\n`,
    );
    const dir = makeTempDir();
    const pipeline = await Pipeline.open(config, join(dir, "data"));
    await pipeline.start();
    t.after(async () => {
      await pipeline.stop();
      removeDir(dir);
      const stream = await JetStreamStream.open({ servers: NATS_SERVERS, subjectPrefix: prefix });
      await stream.destroyAll();
      await stream.close();
      const queue = await JetStreamQueue.open({ servers: NATS_SERVERS, subjectPrefix: prefix });
      await queue.destroyAll();
      await queue.close();
    });
    assert.equal(pipeline.stream.backend, "jetstream");
    assert.equal(pipeline.queue.backend, "jetstream");
    assert.deepEqual(await pipeline.queue.listQueues("replenishment"), ["replenishment", "replenishment-dlq"]);

    const events = generateEvents({ seed: 7 }, 1000);
    const result = await pipeline.ingest.ingest(events.map((value) => ({ ok: true as const, value })));
    assert.equal(result.accepted, events.length);
    const curated = async () => {
      let total = 0;
      for (const shard of (await pipeline.stream.describeStream("curated")).shards) total += await pipeline.stream.countAfter("curated", shard.shardId, undefined);
      return total;
    };
    await waitFor(async () => (await curated()) >= events.length, 30_000, "enrich to curate every event");
  });
});
