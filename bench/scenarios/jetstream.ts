// Scenario: the stream on NATS JetStream. putRecords (MD5 routing to 4 shards, 500 records a call, each
// shard's records in one message, acknowledged by JetStream) next to the raw limit: plain JetStream
// publishes of the same frames, awaited the same way, in the same run; and one message per record, for
// scale. Needs the NATS server of SHOPSTREAM_BENCH_NATS_SERVERS (default 127.0.0.1:4222).
import { randomBytes } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { generateEvents } from "../../src/simulator/index.js";
import { JetStreamStream, type PutRecordInput } from "../../src/stream/index.js";
import { encodeFrame } from "../../src/stream/jetstream/frame.js";
import { ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

const SERVERS = process.env["SHOPSTREAM_BENCH_NATS_SERVERS"] ?? "127.0.0.1:4222";
/** puts in flight at once, as several ingest requests are */
const CONCURRENCY = 4;
const SHARDS = 4;

function records(count: number): PutRecordInput[] {
  return generateEvents({ seed: 3 }, count).map((event) => ({
    partitionKey: String((event.payload as { customer_id?: string }).customer_id ?? event.event_id),
    data: Buffer.from(JSON.stringify(event)),
  }));
}

/** Runs `work` over the items with CONCURRENCY calls in flight; returns the elapsed ms. */
async function inFlight<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return performance.now() - start;
}

/**
 * The raw limit: the same messages the stream publishes (one frame per shard and call), pre-encoded and
 * published to a plain JetStream stream `name` (made and deleted here), CONCURRENCY calls in flight.
 */
export async function rawPublishRate(servers: string, name: string, batches: PutRecordInput[][]): Promise<number> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name, subjects: [`${name}.*`] });
    const frames = batches.map((batch) => {
      const byShard = new Map<number, PutRecordInput[]>();
      for (const [i, record] of batch.entries()) {
        const shard = i % SHARDS;
        byShard.set(shard, [...(byShard.get(shard) ?? []), record]);
      }
      return [...byShard].map(([shard, rows]) => ({ subject: `${name}.${shard}`, frame: encodeFrame(rows) }));
    });
    const rawMs = await inFlight(frames, (call) => Promise.all(call.map((m) => js.publish(m.subject, m.frame))));
    await jsm.streams.delete(name);
    return ratePerSec(batches.reduce((sum, batch) => sum + batch.length, 0), rawMs);
  } finally {
    await nc.close();
  }
}

export async function benchJetStream(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 100_000 : 500_000;
  const input = records(count);
  const batches = Array.from({ length: Math.ceil(input.length / 500) }, (_, i) => input.slice(i * 500, (i + 1) * 500));
  const prefix = `bench-${randomBytes(4).toString("hex")}`;

  const stream = await JetStreamStream.open({ servers: SERVERS, subjectPrefix: prefix });
  const nc = await connect({ servers: SERVERS });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  try {
    await stream.createStream("bench", { shardCount: SHARDS });
    const putMs = await inFlight(batches, (batch) => stream.putRecords("bench", batch));
    const putRate = ratePerSec(count, putMs);

    const rawName = `${prefix}-raw`;
    const rawRate = await rawPublishRate(SERVERS, `${rawName}-frames`, batches);
    await jsm.streams.add({ name: rawName, subjects: [`${prefix}-raw.*`] });

    // One JetStream message per record, awaited per record batch of 500 (the layout the stream avoids).
    const singles = input.slice(0, options.quick ? 10_000 : 50_000);
    const singleBatches = Array.from({ length: singles.length / 500 }, (_, i) => singles.slice(i * 500, (i + 1) * 500));
    const singleMs = await inFlight(singleBatches, (batch) => Promise.all(batch.map((r) => js.publish(`${prefix}-raw.0`, r.data))));
    const singleRate = ratePerSec(singles.length, singleMs);
    await jsm.streams.delete(rawName);

    return [
      { scenario: "jetstream", metric: `putRecords (4 shards, 500/call, ${CONCURRENCY} in flight, acked)`, value: putRate, unit: "records/s", limit: { name: "raw JetStream publish of the same frames", value: rawRate } },
      { scenario: "jetstream", metric: "one JetStream message per record (for scale)", value: singleRate, unit: "records/s", limit: { name: "raw JetStream publish of the same frames", value: rawRate } },
    ];
  } finally {
    await stream.destroyAll().catch(() => undefined);
    await stream.close();
    await nc.close();
  }
}
