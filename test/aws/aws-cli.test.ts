// The same Kinesis, Firehose and SQS operations with the AWS CLI v2 (Debian's awscli, /usr/bin/aws) pointed at
// the server with --endpoint-url, as a user would; error codes come back as the CLI prints AWS's.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { awsCli } from "../../src/test-support/backends.js";
import { startTestServer, waitFor } from "../../src/test-support/server.js";
import { md5OfBody, md5OfMessageAttributes } from "../../src/queue/index.js";
import { awsCliRunner, shopEvent } from "./aws-test-clients.js";

const availability = awsCli();

describe("AWS CLI v2 against the endpoint", { skip: availability.skip }, () => {
  it("runs every Kinesis operation", async (t) => {
    const server = await startTestServer(t);
    const aws = awsCliRunner(server.url);
    await aws.json("kinesis", "create-stream", "--stream-name", "cli-stream", "--shard-count", "2");
    assert.equal(await aws.error("kinesis", "create-stream", "--stream-name", "cli-stream", "--shard-count", "2"), "ResourceInUseException");
    const described = await aws.json("kinesis", "describe-stream", "--stream-name", "cli-stream");
    assert.equal(described["StreamDescription"]["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/cli-stream");
    assert.equal(described["StreamDescription"]["Shards"].length, 2);
    assert.equal((await aws.json("kinesis", "describe-stream-summary", "--stream-name", "cli-stream"))["StreamDescriptionSummary"]["OpenShardCount"], 2);
    assert.ok((await aws.json("kinesis", "list-streams"))["StreamNames"].includes("cli-stream"));
    assert.deepEqual(
      (await aws.json("kinesis", "list-shards", "--stream-name", "cli-stream"))["Shards"].map((shard: { ShardId: string }) => shard.ShardId),
      ["shardId-000000000000", "shardId-000000000001"],
    );
    await aws.json("kinesis", "increase-stream-retention-period", "--stream-name", "cli-stream", "--retention-period-hours", "72");
    await aws.json("kinesis", "decrease-stream-retention-period", "--stream-name", "cli-stream", "--retention-period-hours", "48");
    assert.equal((await server.pipeline.stream.describeStream("cli-stream")).retentionHours, 48);

    const put = await aws.json("kinesis", "put-record", "--stream-name", "cli-stream", "--partition-key", "k", "--explicit-hash-key", "0", "--data", "hello");
    assert.equal(put["ShardId"], "shardId-000000000000");
    assert.match(put["SequenceNumber"], /^\d{56}$/);
    const records = JSON.stringify([
      { Data: "world", PartitionKey: "k", ExplicitHashKey: "1" },
      { Data: "bad", PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456" },
    ]);
    const batch = await aws.json("kinesis", "put-records", "--stream-name", "cli-stream", "--records", records);
    assert.equal(batch["FailedRecordCount"], 1);
    assert.equal(batch["Records"][1]["ErrorCode"], "InvalidArgumentException");
    const iterator = await aws.json("kinesis", "get-shard-iterator", "--stream-name", "cli-stream", "--shard-id", "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON");
    const read = await aws.json("kinesis", "get-records", "--shard-iterator", iterator["ShardIterator"]);
    assert.deepEqual(read["Records"].map((record: { Data: string }) => Buffer.from(record.Data, "base64").toString()), ["hello", "world"]);
    assert.ok(read["NextShardIterator"]);
    assert.equal(read["MillisBehindLatest"], 0);

    // Events put through the CLI are validated as ingest validates them.
    const eventBatch = await aws.json("kinesis", "put-records", "--stream-name", "events", "--records", JSON.stringify([{ Data: JSON.stringify(shopEvent()), PartitionKey: "p" }, { Data: "{}", PartitionKey: "p" }]));
    assert.equal(eventBatch["FailedRecordCount"], 1);

    assert.equal(await aws.error("kinesis", "describe-stream", "--stream-name", "nope"), "ResourceNotFoundException");
    assert.equal(await aws.error("kinesis", "delete-stream", "--stream-name", "curated"), "ResourceInUseException");
    await aws.json("kinesis", "delete-stream", "--stream-name", "cli-stream");
    assert.ok(!(await aws.json("kinesis", "list-streams"))["StreamNames"].includes("cli-stream"));
  });

  it("runs every Firehose operation", async (t) => {
    const server = await startTestServer(t);
    const aws = awsCliRunner(server.url);
    const destination = JSON.stringify({
      RoleARN: "arn:aws:iam::000000000000:role/firehose",
      BucketARN: "arn:aws:s3:::lake",
      Prefix: "cli-out/",
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
    });
    const created = await aws.json("firehose", "create-delivery-stream", "--delivery-stream-name", "cli-hose", "--extended-s3-destination-configuration", destination);
    assert.equal(created["DeliveryStreamARN"], "arn:aws:firehose:us-east-1:000000000000:deliverystream/cli-hose");
    const described = await aws.json("firehose", "describe-delivery-stream", "--delivery-stream-name", "cli-hose");
    assert.equal(described["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"], "cli-out/");
    assert.ok((await aws.json("firehose", "list-delivery-streams"))["DeliveryStreamNames"].includes("cli-hose"));
    assert.ok((await aws.json("firehose", "put-record", "--delivery-stream-name", "cli-hose", "--record", JSON.stringify({ Data: '{"n":1}\n' })))["RecordId"]);
    const batch = await aws.json("firehose", "put-record-batch", "--delivery-stream-name", "cli-hose", "--records", JSON.stringify([{ Data: '{"n":2}' }, { Data: '{"n":3}' }]));
    assert.equal(batch["FailedPutCount"], 0);
    // The CLI's model allows no interval under 60 s: flush rather than wait.
    await server.pipeline.lakes.find((lake) => lake.name === "cli-hose")!.flush();
    const out = join(server.dataDir, "lake", "cli-out");
    await waitFor(() => existsSync(out) && (readdirSync(out, { recursive: true }) as string[]).some((file) => file.endsWith(".zst")), 20_000, "cli-hose objects");

    assert.equal(await aws.error("firehose", "describe-delivery-stream", "--delivery-stream-name", "nope"), "ResourceNotFoundException");
    assert.equal(await aws.error("firehose", "delete-delivery-stream", "--delivery-stream-name", "raw"), "ResourceInUseException");
    await aws.json("firehose", "delete-delivery-stream", "--delivery-stream-name", "cli-hose");
    assert.ok(!(await aws.json("firehose", "list-delivery-streams"))["DeliveryStreamNames"].includes("cli-hose"));
  });

  // The CLI v2.9 speaks SQS's query protocol (form posts, XML answers); StartMessageMoveTask is newer than it.
  it("runs every SQS operation", async (t) => {
    const server = await startTestServer(t);
    const aws = awsCliRunner(server.url);
    const url = `${server.url}/000000000000/cli-queue`;
    assert.equal((await aws.json("sqs", "create-queue", "--queue-name", "cli-dlq"))["QueueUrl"], `${server.url}/000000000000/cli-dlq`);
    const redrive = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:cli-dlq", maxReceiveCount: 1 });
    const created = await aws.json("sqs", "create-queue", "--queue-name", "cli-queue", "--attributes", JSON.stringify({ VisibilityTimeout: "40", RedrivePolicy: redrive }), "--tags", "team=ops");
    assert.equal(created["QueueUrl"], url);
    assert.equal(await aws.error("sqs", "create-queue", "--queue-name", "cli-queue", "--attributes", "VisibilityTimeout=41"), "QueueAlreadyExists");
    assert.equal((await aws.json("sqs", "get-queue-url", "--queue-name", "cli-queue"))["QueueUrl"], url);
    const listed = (await aws.json("sqs", "list-queues"))["QueueUrls"] as string[];
    for (const name of ["cli-queue", "cli-dlq", "replenishment", "replenishment-dlq"]) assert.ok(listed.includes(`${server.url}/000000000000/${name}`), name);
    const attributes = (await aws.json("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All"))["Attributes"];
    assert.equal(attributes["VisibilityTimeout"], "40");
    assert.equal(attributes["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:cli-queue");
    assert.deepEqual(JSON.parse(attributes["RedrivePolicy"]), JSON.parse(redrive));
    await aws.json("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=0,ReceiveMessageWaitTimeSeconds=1");
    assert.equal((await server.pipeline.queue.describeQueue("cli-queue")).attributes.receiveWaitTimeSec, 1);
    assert.equal(await aws.error("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "VisibilityTimeout=99999"), "InvalidAttributeValue");
    await aws.json("sqs", "tag-queue", "--queue-url", url, "--tags", "tier=gold");
    await aws.json("sqs", "untag-queue", "--queue-url", url, "--tag-keys", "team");
    assert.deepEqual((await aws.json("sqs", "list-queue-tags", "--queue-url", url))["Tags"], { tier: "gold" });
    assert.deepEqual((await aws.json("sqs", "list-dead-letter-source-queues", "--queue-url", `${server.url}/000000000000/cli-dlq`))["queueUrls"], [url]);

    // raw-in-base64-out: the CLI base64-encodes the blob text itself
    const messageAttributes = JSON.stringify({ store: { DataType: "String", StringValue: "S001" }, raw: { DataType: "Binary", BinaryValue: "bytes" } });
    const sent = await aws.json("sqs", "send-message", "--queue-url", url, "--message-body", "hello <cli> & co", "--message-attributes", messageAttributes);
    assert.equal(sent["MD5OfMessageBody"], md5OfBody("hello <cli> & co"));
    assert.equal(sent["MD5OfMessageAttributes"], md5OfMessageAttributes({ store: { dataType: "String", stringValue: "S001" }, raw: { dataType: "Binary", binaryValue: Buffer.from("bytes") } }));
    const batch = await aws.json("sqs", "send-message-batch", "--queue-url", url, "--entries", JSON.stringify([{ Id: "a", MessageBody: "two" }, { Id: "b", MessageBody: "three", DelaySeconds: 901 }]));
    assert.deepEqual(batch["Successful"].map((entry: { Id: string }) => entry.Id), ["a"]);
    assert.equal(batch["Failed"][0]["Code"], "InvalidParameterValue");
    assert.equal(batch["Failed"][0]["SenderFault"], true);
    assert.equal(await aws.error("sqs", "send-message-batch", "--queue-url", url, "--entries", JSON.stringify([{ Id: "x", MessageBody: "1" }, { Id: "x", MessageBody: "2" }])), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");

    const received = await aws.json("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10", "--attribute-names", "All", "--message-attribute-names", "All");
    const messages = received["Messages"] as Array<Record<string, any>>;
    assert.equal(messages.length, 2);
    const hello = messages.find((message) => message["Body"] === "hello <cli> & co")!;
    assert.equal(hello["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"]);
    assert.equal(hello["MessageAttributes"]["store"]["StringValue"], "S001");
    assert.equal(hello["Attributes"]["ApproximateReceiveCount"], "1");
    const other = messages.find((message) => message["Body"] === "two")!;
    await aws.json("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", hello["ReceiptHandle"], "--visibility-timeout", "100");
    const changed = await aws.json("sqs", "change-message-visibility-batch", "--queue-url", url, "--entries", JSON.stringify([{ Id: "o", ReceiptHandle: other["ReceiptHandle"], VisibilityTimeout: 100 }, { Id: "bad", ReceiptHandle: "AAAA", VisibilityTimeout: 5 }]));
    assert.deepEqual(changed["Successful"], [{ Id: "o" }]);
    assert.equal(changed["Failed"][0]["Code"], "ReceiptHandleIsInvalid");
    await aws.json("sqs", "delete-message", "--queue-url", url, "--receipt-handle", hello["ReceiptHandle"]);
    const deleted = await aws.json("sqs", "delete-message-batch", "--queue-url", url, "--entries", JSON.stringify([{ Id: "o", ReceiptHandle: other["ReceiptHandle"] }]));
    assert.deepEqual(deleted["Successful"], [{ Id: "o" }]);
    assert.equal(await aws.error("sqs", "delete-message", "--queue-url", url, "--receipt-handle", "bogus"), "ReceiptHandleIsInvalid");
    // An empty receive long-polls for the queue's ReceiveMessageWaitTimeSeconds (1 s) and prints nothing.
    assert.deepEqual(await aws.json("sqs", "receive-message", "--queue-url", url), {});

    await aws.json("sqs", "send-message", "--queue-url", url, "--message-body", "purged");
    await aws.json("sqs", "purge-queue", "--queue-url", url);
    assert.equal((await aws.json("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessages"))["Attributes"]["ApproximateNumberOfMessages"], "0");
    assert.equal(await aws.error("sqs", "get-queue-url", "--queue-name", "nope"), "AWS.SimpleQueueService.NonExistentQueue");
    assert.equal(await aws.error("sqs", "delete-queue", "--queue-url", `${server.url}/000000000000/replenishment`), "AWS.SimpleQueueService.UnsupportedOperation");
    await aws.json("sqs", "delete-queue", "--queue-url", url);
    assert.equal(await aws.error("sqs", "get-queue-attributes", "--queue-url", url), "AWS.SimpleQueueService.NonExistentQueue");
  });
});
