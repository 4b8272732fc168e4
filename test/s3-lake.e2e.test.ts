// The pipeline with lake.store = s3 against a real S3-compatible server (s3rver): simulated events flow
// into the bucket, SQL through the pipeline's analytics engine sees them (read from the synced mirror),
// and after a stop the bucket alone holds every event: a fresh engine over an empty mirror counts them all.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import { openAnalytics } from "../src/analytics/index.js";
import { openLakeStore } from "../src/lake/index.js";
import { generateEvents } from "../src/simulator/index.js";
import { s3Server } from "../src/test-support/backends.js";
import { startS3Server, type S3TestServer } from "../src/test-support/s3-server.js";
import { startTestServer, waitFor } from "../src/test-support/server.js";
import { tempDir } from "../src/test-support/temp-dir.js";

describe("the pipeline with its lake on S3", { skip: (await s3Server()).skip }, () => {
  let s3: S3TestServer;
  before(async () => {
    s3 = await startS3Server();
  });
  after(() => s3?.stop());

  it("delivers simulated events into the bucket, and SQL counts each once", async (t) => {
    const bucket = await s3.createBucket();
    const lake = { store: "s3" as const, s3: s3.config(bucket, { prefix: "lake/" }) };
    const server = await startTestServer(t, { patch: (config) => void (config.lake = lake) });
    const events = generateEvents({ seed: 7 }, 1500);
    let accepted = 0;
    for (let i = 0; i < events.length; i += 500) {
      const body = events.slice(i, i + 500).map((event) => JSON.stringify(event)).join("\n");
      const response = await fetch(`${server.url}/v1/events`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
    assert.equal(accepted, events.length);

    const count = async () => Number((await server.pipeline.analytics.query("SELECT count(*) FROM events")).rows[0]?.[0]);
    await waitFor(async () => (await count()) === events.length, 30_000, "events in SQL over the S3 lake");
    await server.stop();

    const keys: string[] = [];
    const client = s3.client();
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "lake/", ContinuationToken: token }));
      for (const object of page.Contents ?? []) keys.push(object.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    assert.ok(keys.some((key) => key.startsWith("lake/curated/events/type=") && key.endsWith(".parquet")), "curated Parquet in the bucket");
    assert.ok(keys.some((key) => key.startsWith("lake/curated/orders/")), "each table in the bucket");
    assert.ok(keys.some((key) => key.startsWith("lake/raw/") && key.endsWith(".ndjson.zst")), "the raw zone, flushed on stop");

    const mirrorDir = join(tempDir(t), "lake");
    const { syncForQueries } = openLakeStore(lake, mirrorDir);
    const engine = await openAnalytics({ lakeDir: mirrorDir, ...(syncForQueries && { syncLake: syncForQueries }) });
    try {
      const { rows } = await engine.query("SELECT count(*), count(DISTINCT event_id) FROM events");
      assert.deepEqual(rows.map((row) => row.map(Number)), [[events.length, events.length]]);
    } finally {
      await engine.close();
    }
  });
});
