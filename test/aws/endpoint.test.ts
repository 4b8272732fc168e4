// The AWS endpoint's core over real HTTP: Kinesis's CBOR protocol (as the Java SDK speaks it), AWS's error
// shapes, routing, Signature V4 verified and refused with AWS's codes, and throttling that SDKs retry.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ListDeliveryStreamsCommand } from "@aws-sdk/client-firehose";
import { ListStreamsCommand, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { Encoder, Tag } from "cbor-x";
import Fastify from "fastify";
import { registerAwsEndpoint } from "../../src/aws/index.js";
import { createKinesisService } from "../../src/aws/kinesis/kinesis-service.js";
import { IngestService } from "../../src/ingest/index.js";
import { componentLogger } from "../../src/monitor/index.js";
import { SqliteStream, type Stream } from "../../src/stream/index.js";
import { startTestServer } from "../../src/test-support/server.js";
import { serverUrl } from "../../src/server/index.js";
import { dualProtocolServer } from "../../src/server/listener.js";
import { awsErrorOf, firehoseClient, kinesisClient, shopEvent, TEST_CREDENTIALS } from "./aws-test-clients.js";

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

async function cborCall(url: string, operation: string, body: object) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-cbor-1.1", "x-amz-target": `Kinesis_20131202.${operation}` },
    body: new Uint8Array(cbor.encode(body)),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, contentType: response.headers.get("content-type"), errorType: response.headers.get("x-amzn-errortype"), body: cbor.decode(bytes) as Record<string, unknown> };
}

describe("AWS endpoint", () => {
  it("speaks Kinesis over CBOR: blobs as byte strings, timestamps as tag 1 over epoch milliseconds", async (t) => {
    const server = await startTestServer(t);
    assert.equal((await cborCall(server.url, "CreateStream", { StreamName: "java-app", ShardCount: 1 })).status, 200);
    const payload = new Uint8Array([0, 1, 2, 250, 255]);
    const put = await cborCall(server.url, "PutRecord", { StreamName: "java-app", PartitionKey: "k", Data: payload });
    assert.equal(put.status, 200);
    assert.equal(put.contentType, "application/x-amz-cbor-1.1");
    assert.equal(put.body["ShardId"], "shardId-000000000000");

    // The Java SDK sends AT_TIMESTAMP as tag 1 over milliseconds.
    const iterator = await cborCall(server.url, "GetShardIterator", {
      StreamName: "java-app",
      ShardId: "shardId-000000000000",
      ShardIteratorType: "AT_TIMESTAMP",
      Timestamp: new Tag(Date.now() - 60_000, 1),
    });
    assert.equal(iterator.status, 200, JSON.stringify(iterator.body));
    const read = await cborCall(server.url, "GetRecords", { ShardIterator: iterator.body["ShardIterator"] });
    const records = read.body["Records"] as Array<Record<string, unknown>>;
    assert.equal(records.length, 1);
    assert.deepEqual(new Uint8Array(records[0]!["Data"] as Uint8Array), payload);
    // cbor-x reads tag 1 as seconds (Date of value × 1000): the value on the wire is milliseconds.
    const arrivalMs = (records[0]!["ApproximateArrivalTimestamp"] as Date).getTime() / 1000;
    assert.ok(Math.abs(arrivalMs - Date.now()) < 60_000, `arrival ${arrivalMs}`);
    assert.equal(read.body["MillisBehindLatest"], 0);

    const missing = await cborCall(server.url, "DescribeStream", { StreamName: "nope" });
    assert.equal(missing.status, 400);
    assert.equal(missing.contentType, "application/x-amz-cbor-1.1");
    assert.equal(missing.errorType, "ResourceNotFoundException");
    assert.equal(missing.body["__type"], "ResourceNotFoundException");
  });

  it("answers unknown targets and malformed bodies in AWS's JSON error shape, leaving ingest's routes alone", async (t) => {
    const server = await startTestServer(t);
    const unknown = await fetch(server.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.Nope" }, body: "{}" });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get("x-amzn-errortype"), "UnknownOperationException");
    assert.ok(unknown.headers.get("x-amzn-requestid"));
    assert.equal(((await unknown.json()) as { __type: string }).__type, "UnknownOperationException");
    const malformed = await fetch(server.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" }, body: "{" });
    assert.equal(((await malformed.json()) as { __type: string }).__type, "SerializationException");
    const empty = await fetch(server.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" } });
    assert.equal(empty.status, 200);
    // Ingest still parses its own bodies.
    const ingest = await fetch(`${server.url}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(shopEvent()) });
    assert.equal(ingest.status, 200);
  });

  it("verifies Signature V4 when access keys are configured, refusing with AWS's codes", async (t) => {
    const server = await startTestServer(t, {
      yaml: `simulator: { ratePerSec: 0 }\nserver: { port: 0 }\naws:\n  accessKeys:\n    - { accessKeyId: ${TEST_CREDENTIALS.accessKeyId}, secretAccessKey: ${TEST_CREDENTIALS.secretAccessKey} }\n`,
    });
    assert.ok((await kinesisClient(server.url).send(new ListStreamsCommand({}))).StreamNames?.includes("events"));
    assert.ok((await firehoseClient(server.url).send(new ListDeliveryStreamsCommand({}))).DeliveryStreamNames?.includes("raw"));
    const signedPut = await kinesisClient(server.url).send(new PutRecordCommand({ StreamName: "curated", PartitionKey: "k", Data: new Uint8Array([1]) }));
    assert.ok(signedPut.SequenceNumber);

    const wrongSecret = await awsErrorOf(kinesisClient(server.url, { credentials: { ...TEST_CREDENTIALS, secretAccessKey: "wrong" } }).send(new ListStreamsCommand({})));
    assert.deepEqual([wrongSecret.name, wrongSecret.status], ["InvalidSignatureException", 400]);
    const unknownKey = await awsErrorOf(kinesisClient(server.url, { credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "x" } }).send(new ListStreamsCommand({})));
    assert.equal(unknownKey.name, "UnrecognizedClientException");
    const wrongRegion = await awsErrorOf(kinesisClient(server.url, { region: "eu-west-1" }).send(new ListStreamsCommand({})));
    assert.equal(wrongRegion.name, "InvalidSignatureException");

    const unsigned = await fetch(server.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" }, body: "{}" });
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { __type: string }).__type, "MissingAuthenticationTokenException");
    const incomplete = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams", authorization: "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/kinesis/aws4_request" },
      body: "{}",
    });
    assert.equal(((await incomplete.json()) as { __type: string }).__type, "IncompleteSignatureException");
  });

  it("throttles with ProvisionedThroughputExceededException while ingest is at capacity", async (t) => {
    const backing = new SqliteStream({ path: ":memory:" });
    await backing.createStream("events", { shardCount: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A stream whose appends wait for the gate: ingest holds its in-flight events meanwhile.
    const slow: Stream = Object.assign(Object.create(backing) as Stream, {
      putRecords: async (...args: Parameters<Stream["putRecords"]>) => {
        await gate;
        return backing.putRecords(...args);
      },
    });
    const ingest = new IngestService({ stream: slow, streamName: "events", maxEventBytes: 1024 * 1024, maxInflightEvents: 100 });
    // The server's listener (HTTP/1.1 and h2c): the Kinesis client talks HTTP/2 by default.
    const app = Fastify({ serverFactory: (handler) => dualProtocolServer(handler) });
    await registerAwsEndpoint(app, {
      config: { region: "us-east-1", accountId: "000000000000", maxBodyBytes: 16 * 1024 * 1024 },
      services: [createKinesisService({ stream: slow, ingest, ingestStream: "events", streamInUse: () => undefined })],
      log: componentLogger("aws"),
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    t.after(async () => {
      await app.close();
      await backing.close();
    });
    const kinesis = kinesisClient(serverUrl(app));
    const data = () => new TextEncoder().encode(JSON.stringify(shopEvent()));
    const first = kinesis.send(new PutRecordsCommand({ StreamName: "events", Records: Array.from({ length: 100 }, () => ({ PartitionKey: "k", Data: data() })) }));
    while (ingest.inflight === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const throttled = await awsErrorOf(kinesis.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "k", Data: data() })));
    assert.deepEqual([throttled.name, throttled.status], ["ProvisionedThroughputExceededException", 400]);
    const partial = await kinesis.send(new PutRecordsCommand({ StreamName: "events", Records: [{ PartitionKey: "k", Data: data() }] }));
    assert.equal(partial.FailedRecordCount, 1);
    assert.equal(partial.Records?.[0]?.ErrorCode, "ProvisionedThroughputExceededException");

    release();
    assert.equal((await first).FailedRecordCount, 0);
    assert.ok((await kinesis.send(new PutRecordCommand({ StreamName: "events", PartitionKey: "k", Data: data() }))).SequenceNumber);
  });
});
