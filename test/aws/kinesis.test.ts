// The Kinesis API with the official AWS SDK v3 client against a running server: every operation, paging,
// per-record failures, AWS's error codes, ingest's validation on the `events` stream, and the lifecycle
// of a stream made through the API.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { startTestServer } from "../../src/test-support/server.js";
import { awsErrorOf, kinesisClient, shopEvent } from "./aws-test-clients.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => new TextDecoder().decode(data);

describe("Kinesis API (AWS SDK v3)", () => {
  it("creates, describes, lists, writes, reads and deletes a stream", async (t) => {
    const server = await startTestServer(t);
    const kinesis = kinesisClient(server.url);

    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 3 }));
    const again = await awsErrorOf(kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 })));
    assert.equal(again.name, "ResourceInUseException");
    assert.equal(again.status, 400);

    const { StreamDescription: description } = await kinesis.send(new DescribeStreamCommand({ StreamName: "clicks" }));
    assert.equal(description?.StreamARN, "arn:aws:kinesis:us-east-1:000000000000:stream/clicks");
    assert.equal(description?.StreamStatus, "ACTIVE");
    assert.equal(description?.RetentionPeriodHours, 24);
    assert.deepEqual(description?.Shards?.map((shard) => shard.ShardId), ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
    assert.equal(description?.Shards?.[0]?.HashKeyRange?.StartingHashKey, "0");
    assert.equal(description?.Shards?.[2]?.HashKeyRange?.EndingHashKey, "340282366920938463463374607431768211455");
    assert.ok(description?.StreamCreationTimestamp instanceof Date);
    const firstPage = await kinesis.send(new DescribeStreamCommand({ StreamName: "clicks", Limit: 2 }));
    assert.equal(firstPage.StreamDescription?.HasMoreShards, true);

    const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: description?.StreamARN }));
    assert.equal(summary?.OpenShardCount, 3);
    assert.equal(summary?.StreamName, "clicks");

    const listed = await kinesis.send(new ListStreamsCommand({}));
    assert.deepEqual(listed.StreamNames?.filter((name) => ["clicks", "curated", "events"].includes(name)), ["clicks", "curated", "events"]);
    assert.equal(listed.StreamSummaries?.find((s) => s.StreamName === "clicks")?.StreamARN, description?.StreamARN);
    const paged = await kinesis.send(new ListStreamsCommand({ Limit: 1 }));
    assert.equal(paged.HasMoreStreams, true);
    const next = await kinesis.send(new ListStreamsCommand({ NextToken: paged.NextToken, Limit: 100 }));
    assert.ok(!next.StreamNames?.includes(paged.StreamNames![0]!));

    const shardPage = await kinesis.send(new ListShardsCommand({ StreamName: "clicks", MaxResults: 2 }));
    assert.equal(shardPage.Shards?.length, 2);
    const shardRest = await kinesis.send(new ListShardsCommand({ NextToken: shardPage.NextToken }));
    assert.deepEqual(shardRest.Shards?.map((shard) => shard.ShardId), ["shardId-000000000002"]);
    assert.equal((await awsErrorOf(kinesis.send(new ListShardsCommand({ StreamName: "clicks", NextToken: shardPage.NextToken })))).name, "InvalidArgumentException");

    await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "clicks", RetentionPeriodHours: 48 }));
    assert.equal((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "clicks" }))).StreamDescriptionSummary?.RetentionPeriodHours, 48);
    assert.equal((await awsErrorOf(kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "clicks", RetentionPeriodHours: 24 })))).name, "InvalidArgumentException");
    await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "clicks", RetentionPeriodHours: 24 }));
    assert.equal((await server.pipeline.stream.describeStream("clicks")).retentionHours, 24);

    // LATEST taken before any write sees exactly what is written after it.
    const latest = await kinesis.send(new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" }));
    const put = await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "k", Data: bytes("first"), ExplicitHashKey: "0" }));
    assert.equal(put.ShardId, "shardId-000000000000");
    assert.match(put.SequenceNumber ?? "", /^\d{56}$/);
    const batch = await kinesis.send(
      new PutRecordsCommand({
        StreamName: "clicks",
        Records: [
          { PartitionKey: "k", Data: bytes("second"), ExplicitHashKey: "1" },
          { PartitionKey: "k", Data: bytes("too far"), ExplicitHashKey: "340282366920938463463374607431768211456" },
          { PartitionKey: "k", Data: bytes("third"), ExplicitHashKey: "2" },
        ],
      }),
    );
    assert.equal(batch.FailedRecordCount, 1);
    assert.equal(batch.Records?.[1]?.ErrorCode, "InvalidArgumentException");
    assert.ok(batch.Records?.[1]?.ErrorMessage);
    assert.equal(batch.Records?.[0]?.ShardId, "shardId-000000000000");
    assert.ok(BigInt(batch.Records![0]!.SequenceNumber!) > BigInt(put.SequenceNumber!));

    const read = await kinesis.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }));
    assert.deepEqual(read.Records?.map((record) => text(record.Data)), ["first", "second", "third"]);
    assert.equal(read.Records?.[0]?.PartitionKey, "k");
    assert.ok(read.Records?.[0]?.ApproximateArrivalTimestamp instanceof Date);
    assert.ok(Math.abs(read.Records![0]!.ApproximateArrivalTimestamp!.getTime() - Date.now()) < 60_000);
    assert.equal(read.MillisBehindLatest, 0);
    const limited = await kinesis.send(
      new GetRecordsCommand({
        ShardIterator: (await kinesis.send(new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator,
        Limit: 1,
      }),
    );
    assert.deepEqual(limited.Records?.map((record) => text(record.Data)), ["first"]);
    const rest = await kinesis.send(new GetRecordsCommand({ ShardIterator: limited.NextShardIterator }));
    assert.deepEqual(rest.Records?.map((record) => text(record.Data)), ["second", "third"]);
    const empty = await kinesis.send(new GetRecordsCommand({ ShardIterator: rest.NextShardIterator }));
    assert.deepEqual(empty.Records, []);
    assert.ok(empty.NextShardIterator);

    const at = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000000", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: put.SequenceNumber }),
    );
    assert.equal(text((await kinesis.send(new GetRecordsCommand({ ShardIterator: at.ShardIterator }))).Records?.[0]?.Data), "first");
    const after = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000000", ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: put.SequenceNumber }),
    );
    assert.equal(text((await kinesis.send(new GetRecordsCommand({ ShardIterator: after.ShardIterator }))).Records?.[0]?.Data), "second");
    const byTime = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000000", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(Date.now() - 60_000) }),
    );
    assert.equal((await kinesis.send(new GetRecordsCommand({ ShardIterator: byTime.ShardIterator }))).Records?.length, 3);
    const future = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000000", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(Date.now() - 1) }),
    );
    assert.equal((await kinesis.send(new GetRecordsCommand({ ShardIterator: future.ShardIterator }))).Records?.length, 0);

    // AWS's error codes.
    const missing = await awsErrorOf(kinesis.send(new DescribeStreamCommand({ StreamName: "nope" })));
    assert.deepEqual([missing.name, missing.status], ["ResourceNotFoundException", 400]);
    assert.equal((await awsErrorOf(kinesis.send(new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000009", ShardIteratorType: "LATEST" })))).name, "ResourceNotFoundException");
    assert.equal(
      (await awsErrorOf(kinesis.send(new GetShardIteratorCommand({ StreamName: "clicks", ShardId: "shardId-000000000001", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: put.SequenceNumber })))).name,
      "InvalidArgumentException",
    );
    assert.equal((await awsErrorOf(kinesis.send(new GetRecordsCommand({ ShardIterator: "bm90IGFuIGl0ZXJhdG9y" })))).name, "InvalidArgumentException");
    assert.equal((await awsErrorOf(kinesis.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator, Limit: 10_001 })))).name, "InvalidArgumentException");
    assert.equal((await awsErrorOf(kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "", Data: bytes("x") })))).name, "ValidationException");
    assert.equal((await awsErrorOf(kinesis.send(new PutRecordsCommand({ StreamName: "clicks", Records: Array.from({ length: 501 }, () => ({ PartitionKey: "k", Data: bytes("x") })) })))).name, "ValidationException");

    // Streams the pipeline uses cannot be deleted; one made through the API can, and is gone everywhere.
    const inUse = await awsErrorOf(kinesis.send(new DeleteStreamCommand({ StreamName: "events" })));
    assert.equal(inUse.name, "ResourceInUseException");
    assert.match(inUse.message, /pipeline config/);
    await kinesis.send(new DeleteStreamCommand({ StreamName: "clicks" }));
    assert.ok(!(await server.pipeline.stream.listStreams()).includes("clicks"));
    assert.equal((await awsErrorOf(kinesis.send(new GetRecordsCommand({ ShardIterator: rest.NextShardIterator })))).name, "ResourceNotFoundException");
    assert.equal((await awsErrorOf(kinesis.send(new DeleteStreamCommand({ StreamName: "clicks" })))).name, "ResourceNotFoundException");
  });

  it("validates records put on the events stream as ingest does, failing invalid ones one by one", async (t) => {
    const server = await startTestServer(t);
    const kinesis = kinesisClient(server.url);
    const valid = shopEvent();
    const result = await kinesis.send(
      new PutRecordsCommand({
        StreamName: "events",
        Records: [
          { PartitionKey: "p1", Data: bytes(JSON.stringify(valid)) },
          { PartitionKey: "p2", Data: bytes("{not json") },
          { PartitionKey: "p3", Data: bytes(JSON.stringify(shopEvent({ type: "no_such_type" }))) },
          { PartitionKey: "p4", Data: bytes(`${JSON.stringify(shopEvent())}\n`) },
        ],
      }),
    );
    assert.equal(result.FailedRecordCount, 2);
    assert.equal(result.Records?.[1]?.ErrorCode, "InvalidArgumentException");
    assert.match(result.Records?.[1]?.ErrorMessage ?? "", /^malformed_json/);
    assert.match(result.Records?.[2]?.ErrorMessage ?? "", /^unknown_type/);
    assert.match(result.Records?.[3]?.ShardId ?? "", /^shardId-\d{12}$/);

    // What landed is what ingest would have stored: the event, stamped with ingested_at.
    const { records } = await server.pipeline.stream.read("events", result.Records![0]!.ShardId!, { type: "AT_SEQUENCE_NUMBER", sequenceNumber: result.Records![0]!.SequenceNumber! }, 1);
    const stored = JSON.parse(text(records[0]?.data)) as Record<string, unknown>;
    assert.equal(stored["event_id"], valid["event_id"]);
    assert.match(String(stored["ingested_at"]), /^\d{4}-\d{2}-\d{2}T/);

    const single = await awsErrorOf(kinesis.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "p", Data: bytes(JSON.stringify({ type: "page_view" })) })));
    assert.equal(single.name, "InvalidArgumentException");
    assert.match(single.message, /invalid_envelope/);
  });
});
