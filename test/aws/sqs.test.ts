// The SQS API with the official AWS SDK v3 client (JSON 1.0) against a running server: every operation,
// message attributes and their MD5s (the SDK checks the body digests itself), long polling, batch partial
// failures, dead-lettering and StartMessageMoveTask, AWS's error codes, and queues that the pipeline and
// the API share and that survive a restart.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { md5OfBody, md5OfMessageAttributes } from "../../src/queue/index.js";
import { startTestServer, waitFor } from "../../src/test-support/server.js";
import { makeTempDir, removeDir } from "../../src/test-support/temp-dir.js";
import { awsErrorOf, sqsClient } from "./aws-test-clients.js";

const ACCOUNT = "000000000000";
const arn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

async function createQueue(sqs: SQSClient, name: string, attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, ...(attributes && { Attributes: attributes }) }));
  assert.ok(QueueUrl);
  return QueueUrl;
}

async function attributesOf(sqs: SQSClient, url: string): Promise<Record<string, string>> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ?? {};
}

/** Raw JSON 1.0 and query-protocol requests, to see the wire as clients do. */
async function post(url: string, init: { target?: string; form?: Record<string, string>; json?: object; path?: string }) {
  const headers: Record<string, string> = init.form
    ? { "content-type": "application/x-www-form-urlencoded" }
    : { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${init.target}` };
  const body = init.form ? new URLSearchParams({ Version: "2012-11-05", ...init.form }).toString() : JSON.stringify(init.json ?? {});
  const response = await fetch(`${url}${init.path ?? "/"}`, { method: "POST", headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("SQS API (AWS SDK v3, JSON 1.0)", () => {
  it("creates, finds, lists, configures, tags, purges and deletes queues", async (t) => {
    const server = await startTestServer(t);
    const sqs = sqsClient(server.url);
    const host = new URL(server.url).host;

    const url = await createQueue(sqs, "orders-in", { VisibilityTimeout: "45", DelaySeconds: "0" });
    assert.equal(url, `http://${host}/${ACCOUNT}/orders-in`);
    // The same attributes again: the same queue; different ones: QueueNameExists.
    assert.equal(await createQueue(sqs, "orders-in", { VisibilityTimeout: "45" }), url);
    const exists = await awsErrorOf(sqs.send(new CreateQueueCommand({ QueueName: "orders-in", Attributes: { VisibilityTimeout: "60" } })));
    assert.equal(exists.name, "QueueNameExists");
    assert.equal(exists.status, 400);
    // The query code and fault, from x-amzn-query-error (SQS is awsQueryCompatible).
    assert.deepEqual([exists.fields["Code"], exists.fields["Type"]], ["QueueAlreadyExists", "Sender"]);
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: "orders-in" }))).QueueUrl, url);

    // The pipeline's own queues are there, and the API's queue is the pipeline's.
    const listed = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    for (const name of ["orders-in", "replenishment", "replenishment-dlq"]) assert.ok(listed.includes(`http://${host}/${ACCOUNT}/${name}`), name);
    assert.ok((await server.pipeline.queue.listQueues()).includes("orders-in"));
    assert.deepEqual((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "replenishment" }))).QueueUrls?.map((u) => u.split("/").at(-1)), ["replenishment", "replenishment-dlq"]);
    const firstPage = await sqs.send(new ListQueuesCommand({ MaxResults: 1 }));
    assert.equal(firstPage.QueueUrls?.length, 1);
    assert.ok(firstPage.NextToken);
    const secondPage = await sqs.send(new ListQueuesCommand({ MaxResults: 1, NextToken: firstPage.NextToken }));
    assert.notEqual(secondPage.QueueUrls?.[0], firstPage.QueueUrls?.[0]);

    const attributes = await attributesOf(sqs, url);
    assert.equal(attributes["QueueArn"], arn("orders-in"));
    assert.equal(attributes["VisibilityTimeout"], "45");
    assert.equal(attributes["MessageRetentionPeriod"], "345600");
    assert.equal(attributes["MaximumMessageSize"], "262144");
    assert.equal(attributes["ReceiveMessageWaitTimeSeconds"], "0");
    assert.equal(attributes["ApproximateNumberOfMessages"], "0");
    assert.match(attributes["CreatedTimestamp"] ?? "", /^\d{10}$/);
    assert.equal(attributes["FifoQueue"], undefined);
    const some = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn", "DelaySeconds"] }));
    assert.deepEqual(some.Attributes, { QueueArn: arn("orders-in"), DelaySeconds: "0" });

    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: { VisibilityTimeout: "5", ReceiveMessageWaitTimeSeconds: "2", RedriveAllowPolicy: '{"redrivePermission":"denyAll"}', Policy: "{}" },
      }),
    );
    const changed = await attributesOf(sqs, url);
    assert.equal(changed["VisibilityTimeout"], "5");
    assert.equal(changed["ReceiveMessageWaitTimeSeconds"], "2");
    assert.equal(changed["RedriveAllowPolicy"], '{"redrivePermission":"denyAll"}');
    assert.equal((await server.pipeline.queue.describeQueue("orders-in")).attributes.visibilityTimeoutSec, 5);
    const badValue = await awsErrorOf(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "50000" } })));
    assert.equal(badValue.name, "InvalidAttributeValue");
    assert.match(badValue.message, /VisibilityTimeout/);
    assert.equal((await awsErrorOf(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Colour: "blue" } as Record<string, string> })))).name, "InvalidAttributeName");
    assert.equal((await awsErrorOf(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { QueueArn: "x" } })))).name, "InvalidAttributeName");
    assert.equal((await awsErrorOf(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Colour" as "All"] })))).name, "InvalidAttributeName");
    // orders-in refuses to be anyone's dead-letter queue (its RedriveAllowPolicy).
    const denied = await awsErrorOf(createQueue(sqs, "orders-src", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("orders-in"), maxReceiveCount: 3 }) }));
    assert.equal(denied.name, "InvalidParameterValue");

    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: "ops", tier: "gold" } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["tier"] }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: "ops" });

    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "to purge" }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    assert.equal((await attributesOf(sqs, url))["ApproximateNumberOfMessages"], "0");
    const again = await awsErrorOf(sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
    assert.equal(again.name, "PurgeQueueInProgress");
    assert.equal(again.status, 403);
    assert.equal(again.fields["Code"], "AWS.SimpleQueueService.PurgeQueueInProgress");

    // Queues the pipeline declares stay.
    const inUse = await awsErrorOf(sqs.send(new DeleteQueueCommand({ QueueUrl: `http://${host}/${ACCOUNT}/replenishment` })));
    assert.equal(inUse.name, "UnsupportedOperation");
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const gone = await awsErrorOf(sqs.send(new GetQueueUrlCommand({ QueueName: "orders-in" })));
    assert.equal(gone.name, "QueueDoesNotExist");
    assert.equal(gone.status, 400);
    assert.deepEqual([gone.fields["Code"], gone.fields["Type"]], ["AWS.SimpleQueueService.NonExistentQueue", "Sender"]);
    assert.equal((gone as unknown as { message: string }).message, "The specified queue does not exist.");
    assert.equal((await awsErrorOf(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })))).name, "QueueDoesNotExist");
    assert.equal((await awsErrorOf(sqs.send(new CreateQueueCommand({ QueueName: "bad name!" })))).name, "InvalidParameterValue");
  });

  it("sends and receives messages with attributes, digests, system attributes and visibility", async (t) => {
    const server = await startTestServer(t);
    const sqs = sqsClient(server.url);
    const url = await createQueue(sqs, "attrs");
    const messageAttributes = {
      store: { DataType: "String", StringValue: "S001" },
      quantity: { DataType: "Number", StringValue: "12.5" },
      "trace.id": { DataType: "String.custom", StringValue: "abc" },
      blob: { DataType: "Binary", BinaryValue: Uint8Array.of(0, 1, 2, 250) },
    };
    const expectedMd5 = md5OfMessageAttributes({
      store: { dataType: "String", stringValue: "S001" },
      quantity: { dataType: "Number", stringValue: "12.5" },
      "trace.id": { dataType: "String.custom", stringValue: "abc" },
      blob: { dataType: "Binary", binaryValue: Uint8Array.of(0, 1, 2, 250) },
    });
    const body = "héllo, queue ✓";
    // The SDK verifies MD5OfMessageBody of sends and MD5OfBody of receives itself: a wrong digest throws.
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: messageAttributes }));
    assert.equal(sent.MD5OfMessageBody, md5OfBody(body));
    assert.equal(sent.MD5OfMessageAttributes, expectedMd5);
    assert.match(sent.MessageId ?? "", /^[0-9a-f-]{36}$/);
    const trace = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: "traced", MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793" } } }),
    );
    assert.match(trace.MD5OfMessageSystemAttributes ?? "", /^[0-9a-f]{32}$/);

    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
    );
    const message = received.Messages?.[0];
    assert.ok(message);
    assert.equal(message.Body, body);
    assert.equal(message.MessageId, sent.MessageId);
    assert.equal(message.MD5OfBody, md5OfBody(body));
    assert.equal(message.MD5OfMessageAttributes, expectedMd5);
    assert.deepEqual(message.MessageAttributes?.["blob"]?.BinaryValue, Uint8Array.of(0, 1, 2, 250));
    assert.equal(message.MessageAttributes?.["quantity"]?.StringValue, "12.5");
    assert.equal(message.Attributes?.ApproximateReceiveCount, "1");
    assert.match(message.Attributes?.SentTimestamp ?? "", /^\d{13}$/);
    assert.match(message.Attributes?.ApproximateFirstReceiveTimestamp ?? "", /^\d{13}$/);
    assert.equal(message.Attributes?.SenderId, ACCOUNT);
    assert.match(message.ReceiptHandle ?? "", /^[A-Za-z0-9+/]+=*$/);

    // Visible again at once: the next receive counts 2, and a prefix selects attributes (digest over those).
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    const selected = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["trace.*", "store"], AttributeNames: ["ApproximateReceiveCount" as "All"] }),
    );
    const again = selected.Messages?.find((m) => m.MessageId === sent.MessageId);
    assert.ok(again);
    assert.deepEqual(Object.keys(again.MessageAttributes ?? {}).sort(), ["store", "trace.id"]);
    assert.equal(again.MD5OfMessageAttributes, md5OfMessageAttributes({ store: { dataType: "String", stringValue: "S001" }, "trace.id": { dataType: "String.custom", stringValue: "abc" } }));
    assert.deepEqual(again.Attributes, { ApproximateReceiveCount: "2" });
    // The first receive's handle no longer changes anything; a made-up one is invalid.
    const stale = await awsErrorOf(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 10 })));
    assert.equal(stale.name, "ReceiptHandleIsInvalid");
    const invalid = await awsErrorOf(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "not-a-handle" })));
    assert.equal(invalid.name, "ReceiptHandleIsInvalid");
    assert.equal(invalid.status, 404);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle }));
    const attributes = await attributesOf(sqs, url);
    assert.equal(attributes["ApproximateNumberOfMessagesNotVisible"], "1"); // the traced message, still in flight

    const badAttribute = await awsErrorOf(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageAttributes: { n: { DataType: "Number", StringValue: "ten" } } })));
    assert.equal(badAttribute.name, "InvalidParameterValue");
    const badBody = await awsErrorOf(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "bell \u0007" })));
    assert.equal(badBody.name, "InvalidMessageContents");
    assert.equal((await awsErrorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })))).name, "InvalidParameterValue");
    const delayed = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 60 }));
    assert.ok(delayed.MessageId);
    assert.equal((await attributesOf(sqs, url))["ApproximateNumberOfMessagesDelayed"], "1");
  });

  it("batches with per-entry failures and rejects malformed batches whole", async (t) => {
    const server = await startTestServer(t);
    const sqs = sqsClient(server.url);
    const url = await createQueue(sqs, "batches");
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "a", MessageBody: "one", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
          { Id: "b", MessageBody: "bad \u0000 body" },
          { Id: "c", MessageBody: "three", DelaySeconds: 0 },
          { Id: "d", MessageBody: "x", MessageAttributes: { n: { DataType: "Number", StringValue: "NaN" } } },
        ],
      }),
    );
    assert.deepEqual(sent.Successful?.map((entry) => entry.Id), ["a", "c"]);
    assert.equal(sent.Successful?.[0]?.MD5OfMessageAttributes, md5OfMessageAttributes({ k: { dataType: "String", stringValue: "v" } }));
    assert.deepEqual(
      sent.Failed?.map((entry) => [entry.Id, entry.Code, entry.SenderFault]),
      [
        ["b", "InvalidMessageContents", true],
        ["d", "InvalidParameterValue", true],
      ],
    );

    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    assert.equal(received.Messages?.length, 2);
    const [first, second] = received.Messages!;
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "ok", ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 60 },
          { Id: "bad", ReceiptHandle: "AAAA", VisibilityTimeout: 60 },
        ],
      }),
    );
    assert.deepEqual(changed.Successful?.map((entry) => entry.Id), ["ok"]);
    assert.deepEqual(changed.Failed?.map((entry) => [entry.Id, entry.Code]), [["bad", "ReceiptHandleIsInvalid"]]);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "one", ReceiptHandle: first!.ReceiptHandle },
          { Id: "two", ReceiptHandle: second!.ReceiptHandle },
          { Id: "three", ReceiptHandle: "bogus" },
        ],
      }),
    );
    assert.deepEqual(deleted.Successful?.map((entry) => entry.Id), ["one", "two"]);
    assert.deepEqual(deleted.Failed?.map((entry) => [entry.Id, entry.Code, entry.SenderFault]), [["three", "ReceiptHandleIsInvalid", true]]);

    const errorOf = (entries: Array<{ Id: string; MessageBody: string }>) => awsErrorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })));
    assert.equal((await errorOf([])).name, "EmptyBatchRequest");
    assert.equal((await errorOf(Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" })))).name, "TooManyEntriesInBatchRequest");
    assert.equal((await errorOf([{ Id: "same", MessageBody: "x" }, { Id: "same", MessageBody: "y" }])).name, "BatchEntryIdsNotDistinct");
    assert.equal((await errorOf([{ Id: "no spaces", MessageBody: "x" }])).name, "InvalidBatchEntryId");
    // One message over the queue's MaximumMessageSize fails that entry alone.
    const big = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "big", MessageBody: "x".repeat(300_000) }, { Id: "small", MessageBody: "x" }] }));
    assert.deepEqual(big.Failed?.map((entry) => [entry.Id, entry.Code]), [["big", "InvalidParameterValue"]]);
    assert.deepEqual(big.Successful?.map((entry) => entry.Id), ["small"]);
    const tooLong = await errorOf(Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x".repeat(250_000) })));
    assert.equal(tooLong.name, "BatchRequestTooLong");
    assert.equal((await awsErrorOf(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })))).name, "EmptyBatchRequest");
  });

  it("long-polls until a message arrives, or for the whole wait", async (t) => {
    const server = await startTestServer(t);
    const sqs = sqsClient(server.url);
    const url = await createQueue(sqs, "polled");
    let started = Date.now();
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    assert.equal(empty.Messages, undefined);
    assert.ok(Date.now() - started >= 900, "an empty long poll waits");

    started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake up" }));
    const woken = await polling;
    assert.equal(woken.Messages?.[0]?.Body, "wake up");
    assert.ok(Date.now() - started < 5000, "the poll ends when the message arrives");

    // A client that gives up ends its poll: the next message goes to the next receiver, not to the dead poll.
    const abandoned = new AbortController();
    const gone = fetch(`${server.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ReceiveMessage" },
      body: JSON.stringify({ QueueUrl: url, WaitTimeSeconds: 20 }),
      signal: abandoned.signal,
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    abandoned.abort();
    await gone;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "for the living" }));
    const living = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2 }));
    assert.equal(living.Messages?.[0]?.Body, "for the living");
  });

  it("dead-letters after maxReceiveCount and moves messages back with StartMessageMoveTask", async (t) => {
    const server = await startTestServer(t);
    const sqs = sqsClient(server.url);
    const dlqUrl = await createQueue(sqs, "work-dlq");
    const url = await createQueue(sqs, "work", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("work-dlq"), maxReceiveCount: 2 }) });
    assert.deepEqual(JSON.parse((await attributesOf(sqs, url))["RedrivePolicy"] ?? "{}"), { deadLetterTargetArn: arn("work-dlq"), maxReceiveCount: 2 });
    assert.deepEqual((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }))).queueUrls, [url]);
    const missingTarget = await awsErrorOf(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("nowhere"), maxReceiveCount: 2 }) } })),
    );
    assert.equal(missingTarget.name, "InvalidAttributeValue");

    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    for (let i = 0; i < 2; i++) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
      assert.equal(received.Messages?.[0]?.MessageId, sent.MessageId);
    }
    // The third receive moves it instead of delivering it.
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ["DeadLetterQueueSourceArn", "ApproximateReceiveCount"], VisibilityTimeout: 0 }));
    assert.equal(dead.Messages?.[0]?.MessageId, sent.MessageId);
    assert.equal(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn, arn("work"));

    const notDlq = await awsErrorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn("work") })));
    assert.equal(notDlq.name, "InvalidParameterValue");
    assert.equal((await awsErrorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn("missing") })))).name, "QueueDoesNotExist");
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn("work-dlq"), MaxNumberOfMessagesPerSecond: 50 }));
    assert.ok(TaskHandle);
    await waitFor(async () => (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn("work-dlq") }))).Results?.[0]?.Status === "COMPLETED", 5000, "move task");
    const [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn("work-dlq"), MaxResults: 10 }))).Results ?? [];
    assert.equal(task?.ApproximateNumberOfMessagesMoved, 1);
    assert.equal(task?.ApproximateNumberOfMessagesToMove, 1);
    assert.equal(task?.SourceArn, arn("work-dlq"));
    assert.equal(task?.MaxNumberOfMessagesPerSecond, 50);
    assert.equal(task?.TaskHandle, undefined);
    assert.equal((await awsErrorOf(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })))).name, "UnsupportedOperation");
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.equal(back.Messages?.[0]?.MessageId, sent.MessageId);
    assert.equal(back.Messages?.[0]?.Attributes?.ApproximateReceiveCount, "1");
  });

  it("keeps FIFO order, groups and deduplication", async (t) => {
    const server = await startTestServer(t);
    const sqs = sqsClient(server.url);
    const url = await createQueue(sqs, "orders.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const attributes = await attributesOf(sqs, url);
    assert.equal(attributes["FifoQueue"], "true");
    assert.equal(attributes["ContentBasedDeduplication"], "true");
    const first = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "a", MessageGroupId: "g1" }));
    const duplicate = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "a", MessageGroupId: "g1" }));
    assert.equal(duplicate.MessageId, first.MessageId);
    assert.match(first.SequenceNumber ?? "", /^\d+$/);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "b", MessageGroupId: "g1" }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["MessageGroupId", "SequenceNumber"] }));
    assert.deepEqual(received.Messages?.map((m) => m.Body), ["a", "b"]);
    assert.equal(received.Messages?.[0]?.Attributes?.MessageGroupId, "g1");
    const noGroup = await awsErrorOf(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "c" })));
    assert.equal(noGroup.name, "MissingParameter");
    assert.deepEqual([noGroup.fields["Code"], noGroup.fields["Type"]], ["MissingParameter", "Sender"]);
    assert.equal((await awsErrorOf(createQueue(sqs, "plain", { FifoQueue: "true" }))).name, "InvalidAttributeValue");
  });

  it("keeps queues, attributes, tags and messages made through the API across a restart", async (t) => {
    const dataDir = makeTempDir();
    t.after(() => removeDir(dataDir));
    const first = await startTestServer(t, { dataDir });
    let sqs = sqsClient(first.url);
    const url = await createQueue(sqs, "durable", { VisibilityTimeout: "7", RedriveAllowPolicy: '{"redrivePermission":"allowAll"}' });
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { owner: "me" } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "survives", MessageAttributes: { a: { DataType: "String", StringValue: "b" } } }));
    await first.stop();

    const second = await startTestServer(t, { dataDir });
    sqs = sqsClient(second.url);
    const urls = (await sqs.send(new ListQueuesCommand({}))).QueueUrls?.map((u) => u.split("/").at(-1));
    assert.ok(urls?.includes("durable"));
    const secondUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: "durable" }))).QueueUrl!;
    const attributes = await attributesOf(sqs, secondUrl);
    assert.equal(attributes["VisibilityTimeout"], "7");
    assert.equal(attributes["RedriveAllowPolicy"], '{"redrivePermission":"allowAll"}');
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: secondUrl }))).Tags, { owner: "me" });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: secondUrl, MessageAttributeNames: ["All"] }));
    assert.equal(received.Messages?.[0]?.Body, "survives");
    assert.equal(received.Messages?.[0]?.MessageAttributes?.["a"]?.StringValue, "b");
  });

  it("answers JSON 1.0 errors with SQS's shape ids", async (t) => {
    const server = await startTestServer(t);
    const answer = await post(server.url, { target: "GetQueueUrl", json: { QueueName: "absent" } });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get("content-type"), "application/x-amz-json-1.0");
    assert.deepEqual(JSON.parse(answer.text), { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." });
    assert.equal(answer.headers.get("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
    const missing = await post(server.url, { target: "SendMessage", json: {} });
    assert.equal(JSON.parse(missing.text).__type, "MissingParameter");
    const unknown = await post(server.url, { target: "Frobnicate", json: {} });
    assert.equal(unknown.status, 400);
  });
});

describe("SQS query protocol (form posts, XML answers)", () => {
  it("serves every operation in the 2012-11-05 XML namespace", async (t) => {
    const server = await startTestServer(t);
    const host = new URL(server.url).host;
    const created = await post(server.url, { form: { Action: "CreateQueue", QueueName: "xml-q", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "40" } });
    assert.equal(created.status, 200, created.text);
    assert.match(created.headers.get("content-type") ?? "", /^text\/xml/);
    assert.match(created.text, /<CreateQueueResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><CreateQueueResult><QueueUrl>/);
    const url = `http://${host}/${ACCOUNT}/xml-q`;
    assert.ok(created.text.includes(`<QueueUrl>${url}</QueueUrl>`));
    assert.match(created.text, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);

    const listed = await post(server.url, { form: { Action: "ListQueues", QueueNamePrefix: "xml" } });
    assert.ok(listed.text.includes(`<ListQueuesResult><QueueUrl>${url}</QueueUrl></ListQueuesResult>`));

    const sent = await post(server.url, {
      form: {
        Action: "SendMessage",
        QueueUrl: url,
        MessageBody: "<order id=\"1\"/> & more",
        "MessageAttribute.1.Name": "store",
        "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "S001",
        "MessageAttribute.2.Name": "raw",
        "MessageAttribute.2.Value.DataType": "Binary",
        "MessageAttribute.2.Value.BinaryValue": Buffer.from([1, 2, 3]).toString("base64"),
      },
    });
    const attributesMd5 = md5OfMessageAttributes({ store: { dataType: "String", stringValue: "S001" }, raw: { dataType: "Binary", binaryValue: Uint8Array.of(1, 2, 3) } });
    assert.ok(sent.text.includes(`<MD5OfMessageBody>${md5OfBody('<order id="1"/> & more')}</MD5OfMessageBody>`), sent.text);
    assert.ok(sent.text.includes(`<MD5OfMessageAttributes>${attributesMd5}</MD5OfMessageAttributes>`));

    const batch = await post(server.url, {
      form: {
        Action: "SendMessageBatch",
        QueueUrl: url,
        "SendMessageBatchRequestEntry.1.Id": "ok",
        "SendMessageBatchRequestEntry.1.MessageBody": "second",
        "SendMessageBatchRequestEntry.1.DelaySeconds": "0",
        "SendMessageBatchRequestEntry.2.Id": "bad",
        "SendMessageBatchRequestEntry.2.MessageBody": "third",
        "SendMessageBatchRequestEntry.2.DelaySeconds": "901",
      },
    });
    assert.match(batch.text, /<SendMessageBatchResultEntry><Id>ok<\/Id><MessageId>[0-9a-f-]{36}<\/MessageId><MD5OfMessageBody>/);
    assert.match(batch.text, /<BatchResultErrorEntry><Id>bad<\/Id><SenderFault>true<\/SenderFault><Code>InvalidParameterValue<\/Code><Message>/);

    const received = await post(server.url, {
      form: { Action: "ReceiveMessage", QueueUrl: url, MaxNumberOfMessages: "10", "AttributeName.1": "All", "MessageAttributeName.1": "All" },
    });
    assert.equal((received.text.match(/<Message>/g) ?? []).length, 2);
    assert.ok(received.text.includes("<Body>&lt;order id=&quot;1&quot;/&gt; &amp; more</Body>"));
    assert.ok(received.text.includes("<MessageAttribute><Name>store</Name><Value><DataType>String</DataType><StringValue>S001</StringValue></Value></MessageAttribute>"));
    assert.ok(received.text.includes("<Value><DataType>Binary</DataType><BinaryValue>AQID</BinaryValue></Value>"));
    assert.ok(received.text.includes(`<MD5OfMessageAttributes>${attributesMd5}</MD5OfMessageAttributes>`));
    assert.match(received.text, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
    const handles = [...received.text.matchAll(/<ReceiptHandle>([^<]+)<\/ReceiptHandle>/g)].map((match) => match[1]!);
    assert.equal(handles.length, 2);

    // The older SDKs post to the queue's URL instead of naming it.
    const attributes = await post(server.url, { path: `/${ACCOUNT}/xml-q`, form: { Action: "GetQueueAttributes", "AttributeName.1": "All" } });
    assert.ok(attributes.text.includes("<Attribute><Name>VisibilityTimeout</Name><Value>40</Value></Attribute>"), attributes.text);
    assert.ok(attributes.text.includes(`<Attribute><Name>ApproximateNumberOfMessagesNotVisible</Name><Value>2</Value></Attribute>`));
    const set = await post(server.url, { path: `/${ACCOUNT}/xml-q`, form: { Action: "SetQueueAttributes", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "3" } });
    assert.equal(set.status, 200);
    assert.match(set.text, /<SetQueueAttributesResponse/);

    const visibility = await post(server.url, {
      form: {
        Action: "ChangeMessageVisibilityBatch",
        QueueUrl: url,
        "ChangeMessageVisibilityBatchRequestEntry.1.Id": "h",
        "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle": handles[0]!,
        "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout": "100",
      },
    });
    assert.ok(visibility.text.includes("<ChangeMessageVisibilityBatchResultEntry><Id>h</Id></ChangeMessageVisibilityBatchResultEntry>"), visibility.text);
    const single = await post(server.url, { form: { Action: "ChangeMessageVisibility", QueueUrl: url, ReceiptHandle: handles[1]!, VisibilityTimeout: "50" } });
    assert.equal(single.status, 200, single.text);
    const deleted = await post(server.url, {
      form: {
        Action: "DeleteMessageBatch",
        QueueUrl: url,
        "DeleteMessageBatchRequestEntry.1.Id": "a",
        "DeleteMessageBatchRequestEntry.1.ReceiptHandle": handles[0]!,
        "DeleteMessageBatchRequestEntry.2.Id": "b",
        "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "garbage",
      },
    });
    assert.ok(deleted.text.includes("<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"));
    assert.ok(deleted.text.includes("<Code>ReceiptHandleIsInvalid</Code>"));
    assert.equal((await post(server.url, { form: { Action: "DeleteMessage", QueueUrl: url, ReceiptHandle: handles[1]! } })).status, 200);
    assert.equal((await post(server.url, { form: { Action: "PurgeQueue", QueueUrl: url } })).status, 200);
    assert.ok((await post(server.url, { form: { Action: "GetQueueUrl", QueueName: "xml-q" } })).text.includes(`<QueueUrl>${url}</QueueUrl>`));
    assert.equal((await post(server.url, { form: { Action: "DeleteQueue", QueueUrl: url } })).status, 200);

    const missing = await post(server.url, { form: { Action: "GetQueueUrl", QueueName: "xml-q" } });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code><Message>The specified queue does not exist\.<\/Message>/);
    const empty = await post(server.url, { form: { Action: "DeleteMessageBatch", QueueUrl: `http://${host}/${ACCOUNT}/replenishment` } });
    assert.ok(empty.text.includes("<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>"));
    const exists = await post(server.url, { form: { Action: "CreateQueue", QueueName: "replenishment", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "9" } });
    assert.ok(exists.text.includes("<Code>QueueAlreadyExists</Code>"));
    const invalidAction = await post(server.url, { form: { Action: "Frobnicate" } });
    assert.ok(invalidAction.text.includes("<Code>InvalidAction</Code>"));
  });
});
