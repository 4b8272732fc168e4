// The Queue contract: one behaviour suite, SQS's documented semantics, that every backend runs. A new
// backend joins `backends`.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import { nats, NATS_SERVERS } from "../test-support/backends.js";
import { tempDir } from "../test-support/temp-dir.js";
import { JetStreamQueue, SqliteQueue, type EntryOutcome, type Queue, type SendMessageResult, type SendOutcome } from "./index.js";

interface Backend {
  name: string;
  /** `clock` (ms since the epoch) lets a test move time forward; see controlsTime */
  open(t: TestContext, options?: { clock?: () => number }): Promise<Queue>;
  /** whether the backend honours `clock`; one on a server's clock skips the tests that move time */
  controlsTime: boolean;
  /** why the suite is skipped (a server that is not running), if it is */
  skip?: string | undefined;
}

const backends: Backend[] = [
  {
    name: "sqlite",
    controlsTime: true,
    async open(t, options) {
      const queue = new SqliteQueue({ path: join(tempDir(t), "queue.db"), ...options });
      t.after(() => queue.close());
      return queue;
    },
  },
  {
    name: "jetstream",
    controlsTime: false,
    skip: (await nats()).skip,
    async open(t) {
      // a prefix of its own per test: its streams, consumers and buckets, all removed after
      const queue = await JetStreamQueue.open({ servers: NATS_SERVERS, subjectPrefix: `test-${randomBytes(6).toString("hex")}` });
      t.after(async () => {
        await queue.destroyAll();
        await queue.close();
      });
      return queue;
    },
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function sent(outcome: SendOutcome | undefined): SendMessageResult {
  assert.ok(outcome && "messageId" in outcome, `expected a sent message, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function failed(outcome: SendOutcome | EntryOutcome | undefined): string {
  assert.ok(outcome && "errorCode" in outcome, `expected a failed entry, got ${JSON.stringify(outcome)}`);
  return outcome.errorCode;
}

/** SQS's attribute digest, written out from the spec independently of the implementation. */
function referenceAttributesMd5(attributes: Array<[name: string, dataType: string, transport: 1 | 2, value: Buffer]>): string {
  const parts: Buffer[] = [];
  const withLength = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const [name, dataType, transport, value] of [...attributes].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    withLength(Buffer.from(name, "utf8"));
    withLength(Buffer.from(dataType, "utf8"));
    parts.push(Buffer.of(transport));
    withLength(value);
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}

for (const backend of backends) {
  describe(`Queue contract: ${backend.name}`, { skip: backend.skip }, () => {
    it("creates queues with SQS's defaults, and rejects bad names, bad values and conflicting re-creates", async (t) => {
      const queue = await backend.open(t);
      const standard = await queue.createQueue("orders");
      assert.deepEqual(standard.attributes, {
        fifo: false,
        visibilityTimeoutSec: 30,
        messageRetentionSec: 345_600,
        delaySec: 0,
        receiveWaitTimeSec: 0,
        maximumMessageBytes: 262_144,
        contentBasedDeduplication: false,
      });
      assert.equal((await queue.createQueue("orders.fifo")).attributes.fifo, true);
      for (const name of ["", "a".repeat(81), "has space", "dots.not.fifo", `${"a".repeat(76)}.fifo`]) {
        await assert.rejects(queue.createQueue(name), { name: "ValidationError" }, name);
      }
      await queue.createQueue(`${"a".repeat(80)}`);
      await assert.rejects(queue.createQueue("plain", { fifo: true }), { name: "ValidationError" });
      await assert.rejects(queue.createQueue("ordered.fifo", { fifo: false }), { name: "ValidationError" });
      for (const bad of [
        { visibilityTimeoutSec: 43_201 },
        { visibilityTimeoutSec: -1 },
        { messageRetentionSec: 59 },
        { messageRetentionSec: 1_209_601 },
        { delaySec: 901 },
        { receiveWaitTimeSec: 21 },
        { maximumMessageBytes: 1023 },
        { maximumMessageBytes: 1_048_577 },
        { visibilityTimeoutSec: 1.5 },
        { contentBasedDeduplication: true },
        { redrivePolicy: { deadLetterQueue: "missing", maxReceiveCount: 3 } },
        { redrivePolicy: { deadLetterQueue: "orders.fifo", maxReceiveCount: 3 } },
        { redrivePolicy: { deadLetterQueue: "orders", maxReceiveCount: 0 } },
      ]) {
        await assert.rejects(queue.createQueue("tuned", bad), { name: "ValidationError" }, JSON.stringify(bad));
      }

      await queue.createQueue("tuned", { visibilityTimeoutSec: 60 });
      assert.equal((await queue.createQueue("tuned", { visibilityTimeoutSec: 60 })).attributes.visibilityTimeoutSec, 60);
      assert.equal((await queue.createQueue("tuned")).attributes.visibilityTimeoutSec, 60, "attributes not given are not compared");
      await assert.rejects(queue.createQueue("tuned", { visibilityTimeoutSec: 30 }), { name: "ConflictError", code: "queue_name_exists" });
      assert.equal((await queue.ensureQueue("tuned", { visibilityTimeoutSec: 30 })).attributes.visibilityTimeoutSec, 60);

      const updated = await queue.setAttributes("tuned", { delaySec: 5, redrivePolicy: { deadLetterQueue: "orders", maxReceiveCount: 3 } });
      assert.equal(updated.attributes.delaySec, 5);
      assert.deepEqual((await queue.describeQueue("tuned")).attributes.redrivePolicy, { deadLetterQueue: "orders", maxReceiveCount: 3 });
      assert.equal((await queue.setAttributes("tuned", { redrivePolicy: null })).attributes.redrivePolicy, undefined);
      await assert.rejects(queue.setAttributes("tuned", { fifo: true } as never), { name: "ValidationError" });

      assert.deepEqual(await queue.listQueues("o"), ["orders", "orders.fifo"]);
      await queue.deleteQueue("orders");
      await assert.rejects(queue.describeQueue("orders"), { name: "NotFoundError", code: "queue_not_found" });
      await assert.rejects(queue.send("orders", [{ body: "x" }]), { name: "NotFoundError", code: "queue_not_found" });
      await assert.rejects(queue.receive("orders"), { name: "NotFoundError", code: "queue_not_found" });
    });

    it("sends, receives and deletes a message", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q");
      const before = Date.now();
      const [outcome] = await queue.send("q", [{ body: "hello" }]);
      const message = sent(outcome);
      assert.match(message.messageId, UUID);
      assert.equal(message.md5OfBody, "5d41402abc4b2a76b9719d911017c592");
      assert.equal(message.md5OfMessageAttributes, undefined);
      assert.equal(message.sequenceNumber, undefined, "standard queues have no sequence numbers");

      const [received, ...rest] = await queue.receive("q", { maxMessages: 10 });
      assert.equal(rest.length, 0);
      assert.ok(received);
      assert.equal(received.messageId, message.messageId);
      assert.equal(received.body, "hello");
      assert.equal(received.md5OfBody, message.md5OfBody);
      assert.deepEqual(received.messageAttributes, {});
      assert.equal(received.attributes.ApproximateReceiveCount, "1");
      assert.ok(Number(received.attributes.SentTimestamp) >= before);
      assert.ok(Number(received.attributes.ApproximateFirstReceiveTimestamp) >= Number(received.attributes.SentTimestamp));
      assert.deepEqual(await queue.receive("q"), [], "a received message is invisible to other receivers");
      assert.deepEqual(await queue.counts("q"), { visible: 0, inFlight: 1, delayed: 0 });

      assert.deepEqual(await queue.delete("q", [received.receiptHandle]), [{ ok: true }]);
      assert.deepEqual(await queue.counts("q"), { visible: 0, inFlight: 0, delayed: 0 });
      assert.deepEqual(await queue.delete("q", [received.receiptHandle]), [{ ok: true }], "deleting twice succeeds, as in SQS");
    });

    it("computes MD5 of the body and of the attributes exactly as AWS does", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q");
      // A vector AWS returns (pinned by moto's and LocalStack's test suites): one Number attribute.
      const [timestamp] = await queue.send("q", [{ body: "derp", attributes: { timestamp: { dataType: "Number", stringValue: "1493147359900" } } }]);
      assert.equal(sent(timestamp).md5OfBody, "58fd9edd83341c29f1aebba81c31e257");
      assert.equal(sent(timestamp).md5OfMessageAttributes, "235c5c510d26fb653d073faed50ae77c");

      const attributes = {
        zzz: { dataType: "Number", stringValue: "0230.01" },
        ccc: { dataType: "String", stringValue: "testjunk" },
        aaa: { dataType: "Binary", binaryValue: Buffer.of(2, 3, 4) },
        "trace.id": { dataType: "String.uuid", stringValue: "änderung ✓" },
        blob: { dataType: "Binary.gzip", binaryValue: Buffer.from("zipped") },
      };
      const expected = referenceAttributesMd5([
        ["zzz", "Number", 1, Buffer.from("0230.01")],
        ["ccc", "String", 1, Buffer.from("testjunk")],
        ["aaa", "Binary", 2, Buffer.of(2, 3, 4)],
        ["trace.id", "String.uuid", 1, Buffer.from("änderung ✓", "utf8")],
        ["blob", "Binary.gzip", 2, Buffer.from("zipped")],
      ]);
      const [complex] = await queue.send("q", [{ body: "derp", attributes }]);
      assert.equal(sent(complex).md5OfMessageAttributes, expected);
      const [withoutCustom] = await queue.send("q", [
        {
          body: "derp",
          attributes: { ccc: attributes.ccc, aaa: attributes.aaa, zzz: attributes.zzz, öther_encodings: { dataType: "String", stringValue: "Tüst" } },
        },
      ]);
      // moto pins this digest for the same four attributes (test_message_with_complex_attributes)
      assert.equal(sent(withoutCustom).md5OfMessageAttributes, "8ae21a7957029ef04146b42aeaa18a22");

      const received = await queue.receive("q", { maxMessages: 10 });
      const roundTrip = received.find((m) => m.messageId === sent(complex).messageId);
      assert.ok(roundTrip);
      assert.equal(roundTrip.md5OfMessageAttributes, expected);
      assert.equal(roundTrip.messageAttributes["ccc"]?.stringValue, "testjunk");
      assert.deepEqual(Buffer.from(roundTrip.messageAttributes["aaa"]!.binaryValue!), Buffer.of(2, 3, 4));
      assert.equal(roundTrip.messageAttributes["trace.id"]?.dataType, "String.uuid");
    });

    it("takes 1 to 10 entries per batch call and fails a bad entry alone", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q", { maximumMessageBytes: 1024 });
      await assert.rejects(queue.send("q", Array.from({ length: 11 }, () => ({ body: "x" }))), { name: "ValidationError" });
      await assert.rejects(queue.send("q", []), { name: "ValidationError" });
      const outcomes = await queue.send("q", [
        { body: "fine" },
        { body: "x".repeat(1025) },
        { body: "nul \u0000 inside" },
        { body: "lone \uD800 surrogate" },
        { body: "" },
        { body: "bad delay", delaySec: 901 },
        { body: "bad number", attributes: { n: { dataType: "Number", stringValue: "twelve" } } },
        { body: "reserved name", attributes: { "AWS.trace": { dataType: "String", stringValue: "x" } } },
        { body: "no dedup on standard queues", deduplicationId: "d" },
        { body: "emoji 😀 and tabs\tare fine" },
      ]);
      sent(outcomes[0]);
      assert.equal(failed(outcomes[1]), "InvalidParameterValue");
      assert.equal(failed(outcomes[2]), "InvalidMessageContents");
      assert.equal(failed(outcomes[3]), "InvalidMessageContents");
      assert.equal(failed(outcomes[4]), "MissingParameter");
      assert.equal(failed(outcomes[5]), "InvalidParameterValue");
      assert.equal(failed(outcomes[6]), "InvalidParameterValue");
      assert.equal(failed(outcomes[7]), "InvalidParameterValue");
      assert.equal(failed(outcomes[8]), "InvalidParameterValue");
      sent(outcomes[9]);
      const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { dataType: "String", stringValue: "v" }]));
      assert.equal(failed((await queue.send("q", [{ body: "attrs", attributes: tooMany }]))[0]), "InvalidParameterValue");
      assert.equal((await queue.counts("q")).visible, 2);

      const received = await queue.receive("q", { maxMessages: 10 });
      assert.equal(received.length, 2);
      const deleted = await queue.delete("q", [received[0]!.receiptHandle, "not-a-handle", received[1]!.receiptHandle]);
      assert.deepEqual(deleted[0], { ok: true });
      assert.equal(failed(deleted[1]), "ReceiptHandleIsInvalid");
      assert.deepEqual(deleted[2], { ok: true });
      await assert.rejects(queue.delete("q", Array.from({ length: 11 }, () => "h")), { name: "ValidationError" });
      await assert.rejects(queue.changeVisibility("q", []), { name: "ValidationError" });
      await assert.rejects(queue.receive("q", { maxMessages: 11 }), { name: "ValidationError" });
      await assert.rejects(queue.receive("q", { maxMessages: 0 }), { name: "ValidationError" });
      await assert.rejects(queue.receive("q", { waitTimeSec: 21 }), { name: "ValidationError" });
      await assert.rejects(queue.receive("q", { visibilityTimeoutSec: 43_201 }), { name: "ValidationError" });

      await queue.createQueue("other");
      const [other] = await queue.send("other", [{ body: "o" }]);
      sent(other);
      const [fromOther] = await queue.receive("other");
      assert.equal(failed((await queue.delete("q", [fromOther!.receiptHandle]))[0]), "ReceiptHandleIsInvalid", "a handle of another queue");
    });

    it("delays a message by its own delaySec or else the queue's", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q", { delaySec: 1 });
      const [late, early] = await queue.send("q", [{ body: "queue delay" }, { body: "no delay", delaySec: 0 }]);
      sent(late);
      sent(early);
      assert.deepEqual(await queue.counts("q"), { visible: 1, inFlight: 0, delayed: 1 });
      assert.deepEqual((await queue.receive("q", { maxMessages: 10 })).map((m) => m.body), ["no delay"]);
      await sleep(1100);
      assert.deepEqual((await queue.receive("q", { maxMessages: 10 })).map((m) => m.body), ["queue delay"]);
    });

    it("long-polls: returns as soon as a message arrives, waits the full time when none does, and stops on abort", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q");
      let start = performance.now();
      const polling = queue.receive("q", { waitTimeSec: 5 });
      setTimeout(() => void queue.send("q", [{ body: "arrived" }]), 100);
      const [arrived] = await polling;
      assert.equal(arrived?.body, "arrived");
      assert.ok(performance.now() - start < 1000, `returned after ${performance.now() - start} ms`);

      start = performance.now();
      assert.deepEqual(await queue.receive("q", { waitTimeSec: 1 }), []);
      assert.ok(performance.now() - start >= 950, `an empty long poll waits its full time, waited ${performance.now() - start} ms`);

      const controller = new AbortController();
      start = performance.now();
      setTimeout(() => controller.abort(), 100);
      assert.deepEqual(await queue.receive("q", { waitTimeSec: 20, signal: controller.signal }), []);
      assert.ok(performance.now() - start < 1000, "an aborted long poll ends at once");

      await queue.setAttributes("q", { receiveWaitTimeSec: 1 });
      start = performance.now();
      assert.deepEqual(await queue.receive("q"), []);
      assert.ok(performance.now() - start >= 950, "the queue's receiveWaitTimeSec is the default wait");
    });

    it("redelivers a message whose visibility timeout ends, with receive count 2 and a new receipt handle", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q");
      await queue.send("q", [{ body: "retry me" }]);
      const [first] = await queue.receive("q", { visibilityTimeoutSec: 1 });
      assert.ok(first);
      assert.deepEqual(await queue.receive("q"), []);
      await sleep(1100);
      const [second] = await queue.receive("q");
      assert.ok(second);
      assert.equal(second.messageId, first.messageId);
      assert.equal(second.attributes.ApproximateReceiveCount, "2");
      assert.equal(second.attributes.ApproximateFirstReceiveTimestamp, first.attributes.ApproximateFirstReceiveTimestamp);
      assert.notEqual(second.receiptHandle, first.receiptHandle);

      // The first receive's handle no longer owns the message: delete succeeds without deleting it, and a
      // visibility change is refused.
      assert.deepEqual(await queue.delete("q", [first.receiptHandle]), [{ ok: true }]);
      assert.equal((await queue.counts("q")).inFlight, 1);
      assert.equal(failed((await queue.changeVisibility("q", [{ receiptHandle: first.receiptHandle, visibilityTimeoutSec: 0 }]))[0]), "ReceiptHandleIsInvalid");
      assert.deepEqual(await queue.delete("q", [second.receiptHandle]), [{ ok: true }]);
      assert.deepEqual(await queue.counts("q"), { visible: 0, inFlight: 0, delayed: 0 });
    });

    it("changes visibility: 0 releases a message at once, a timeout counts from now, a visible message is not in flight", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q");
      await queue.send("q", [{ body: "m" }]);
      const [first] = await queue.receive("q");
      assert.ok(first);
      assert.deepEqual(await queue.changeVisibility("q", [{ receiptHandle: first.receiptHandle, visibilityTimeoutSec: 0 }]), [{ ok: true }]);
      assert.deepEqual(await queue.counts("q"), { visible: 1, inFlight: 0, delayed: 0 });

      const [second] = await queue.receive("q");
      assert.equal(second?.attributes.ApproximateReceiveCount, "2");
      const outcomes = await queue.changeVisibility("q", [
        { receiptHandle: second!.receiptHandle, visibilityTimeoutSec: 1 },
        { receiptHandle: second!.receiptHandle, visibilityTimeoutSec: 43_201 },
        { receiptHandle: "garbage", visibilityTimeoutSec: 1 },
      ]);
      assert.deepEqual(outcomes[0], { ok: true });
      assert.equal(failed(outcomes[1]), "InvalidParameterValue");
      assert.equal(failed(outcomes[2]), "ReceiptHandleIsInvalid");
      assert.deepEqual(await queue.receive("q"), []);
      await sleep(1100);
      assert.equal(
        failed((await queue.changeVisibility("q", [{ receiptHandle: second!.receiptHandle, visibilityTimeoutSec: 30 }]))[0]),
        "MessageNotInflight",
      );
      assert.equal((await queue.receive("q"))[0]?.attributes.ApproximateReceiveCount, "3");
    });

    it("dead-letters a message received more than maxReceiveCount times, and redrives it back", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("jobs-dlq");
      await queue.createQueue("jobs", { redrivePolicy: { deadLetterQueue: "jobs-dlq", maxReceiveCount: 2 } });
      const attributes = { kind: { dataType: "String", stringValue: "replenish" } };
      const message = sent((await queue.send("jobs", [{ body: "poison", attributes }]))[0]);
      for (const count of ["1", "2"]) {
        const [received] = await queue.receive("jobs", { visibilityTimeoutSec: 0 });
        assert.equal(received?.attributes.ApproximateReceiveCount, count);
      }
      assert.deepEqual(await queue.receive("jobs"), [], "the third receive moves the message instead of delivering it");
      assert.deepEqual(await queue.counts("jobs"), { visible: 0, inFlight: 0, delayed: 0 });

      const [dead] = await queue.receive("jobs-dlq", { visibilityTimeoutSec: 0 });
      assert.ok(dead);
      assert.equal(dead.messageId, message.messageId);
      assert.equal(dead.body, "poison");
      assert.deepEqual(dead.messageAttributes, attributes);
      assert.equal(dead.md5OfMessageAttributes, message.md5OfMessageAttributes);
      assert.equal(dead.deadLetterSourceQueue, "jobs");

      assert.deepEqual(await queue.redrive("jobs-dlq"), { moved: 1 });
      assert.deepEqual(await queue.counts("jobs-dlq"), { visible: 0, inFlight: 0, delayed: 0 });
      const [back] = await queue.receive("jobs");
      assert.equal(back?.messageId, message.messageId);
      assert.equal(back?.attributes.ApproximateReceiveCount, "1", "a redriven message starts over");
      assert.equal(back?.deadLetterSourceQueue, undefined);

      // to an explicit destination
      await queue.changeVisibility("jobs", [{ receiptHandle: back!.receiptHandle, visibilityTimeoutSec: 0 }]);
      await queue.receive("jobs", { visibilityTimeoutSec: 0 });
      assert.deepEqual(await queue.receive("jobs"), []);
      await queue.createQueue("inspection");
      assert.deepEqual(await queue.redrive("jobs-dlq", "inspection"), { moved: 1 });
      assert.equal((await queue.receive("inspection"))[0]?.messageId, message.messageId);

      await queue.createQueue("jobs-dlq.fifo");
      await assert.rejects(queue.redrive("jobs-dlq", "jobs-dlq.fifo"), { name: "ValidationError" });
      await assert.rejects(queue.redrive("missing"), { name: "NotFoundError" });
    });

    it("FIFO: keeps order within a group, holds a group while one of its messages is in flight, lets other groups proceed", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q.fifo");
      const outcomes = await queue.send("q.fifo", [
        { body: "a1", groupId: "a", deduplicationId: "a1" },
        { body: "b1", groupId: "b", deduplicationId: "b1" },
        { body: "a2", groupId: "a", deduplicationId: "a2" },
        { body: "b2", groupId: "b", deduplicationId: "b2" },
      ]);
      const sequences = outcomes.map((o) => BigInt(sent(o).sequenceNumber!));
      for (let i = 1; i < sequences.length; i++) assert.ok(sequences[i]! > sequences[i - 1]!, "sequence numbers increase");

      const [firstHead] = await queue.receive("q.fifo");
      const [secondHead] = await queue.receive("q.fifo");
      assert.deepEqual([firstHead?.body, secondHead?.body].sort(), ["a1", "b1"], "each group delivers its head first");
      assert.deepEqual(await queue.receive("q.fifo", { maxMessages: 10 }), [], "both groups are held while their heads are in flight");

      const a1 = firstHead!.body === "a1" ? firstHead! : secondHead!;
      const b1 = firstHead!.body === "b1" ? firstHead! : secondHead!;
      assert.equal(a1.attributes.MessageGroupId, "a");
      assert.equal(a1.attributes.MessageDeduplicationId, "a1");
      assert.equal(a1.attributes.SequenceNumber, sent(outcomes[0]).sequenceNumber);
      await queue.delete("q.fifo", [a1.receiptHandle]);
      assert.deepEqual((await queue.receive("q.fifo", { maxMessages: 10 })).map((m) => m.body), ["a2"], "group a proceeds while b is held");

      await queue.send("q.fifo", [{ body: "b3", groupId: "b", deduplicationId: "b3" }]);
      await queue.changeVisibility("q.fifo", [{ receiptHandle: b1.receiptHandle, visibilityTimeoutSec: 0 }]);
      const batch = await queue.receive("q.fifo", { maxMessages: 10 });
      assert.deepEqual(batch.map((m) => m.body), ["b1", "b2", "b3"], "a released head comes back before the messages behind it");
      assert.equal(batch[0]?.attributes.ApproximateReceiveCount, "2");
      await queue.delete("q.fifo", [batch[0]!.receiptHandle]);
      assert.deepEqual(await queue.receive("q.fifo"), [], "one in-flight batch per group: b2 and b3 still hold the group");

      const refused = await queue.send("q.fifo", [{ body: "no group", deduplicationId: "x" }, { body: "delayed", groupId: "a", deduplicationId: "y", delaySec: 1 }]);
      assert.equal(failed(refused[0]), "MissingParameter");
      assert.equal(failed(refused[1]), "InvalidParameterValue", "FIFO queues take no per-message delay");
    });

    it("FIFO: a duplicate send within five minutes succeeds with the original message id and enqueues nothing", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("explicit.fifo");
      const [original, sameBatch] = await queue.send("explicit.fifo", [
        { body: "first", groupId: "g", deduplicationId: "d1" },
        { body: "second", groupId: "g", deduplicationId: "d1" },
      ]);
      const [later] = await queue.send("explicit.fifo", [{ body: "third", groupId: "g", deduplicationId: "d1" }]);
      assert.equal(sent(sameBatch).messageId, sent(original).messageId);
      assert.equal(sent(later).messageId, sent(original).messageId);
      assert.equal(sent(later).sequenceNumber, sent(original).sequenceNumber);
      assert.equal(sent(later).md5OfBody, createHash("md5").update("third").digest("hex"), "the digest is of what this call sent");
      assert.equal((await queue.counts("explicit.fifo")).visible, 1);
      const [received] = await queue.receive("explicit.fifo");
      await queue.delete("explicit.fifo", [received!.receiptHandle]);
      assert.equal(sent((await queue.send("explicit.fifo", [{ body: "again", groupId: "g", deduplicationId: "d1" }]))[0]).messageId, sent(original).messageId, "the window outlives the message");
      assert.equal(failed((await queue.send("explicit.fifo", [{ body: "no id", groupId: "g" }]))[0]), "InvalidParameterValue");

      await queue.createQueue("content.fifo", { contentBasedDeduplication: true });
      const [a, b, c] = await queue.send("content.fifo", [
        { body: "same", groupId: "g" },
        { body: "same", groupId: "h" },
        { body: "different", groupId: "g" },
      ]);
      assert.equal(sent(b).messageId, sent(a).messageId);
      assert.notEqual(sent(c).messageId, sent(a).messageId);
      const [explicitWins] = await queue.send("content.fifo", [{ body: "same", groupId: "g", deduplicationId: "own" }]);
      assert.notEqual(sent(explicitWins).messageId, sent(a).messageId, "an explicit id overrides the content hash");
      assert.equal((await queue.counts("content.fifo")).visible, 3);
    });

    it("counts visible, in-flight and delayed messages, and purges them all", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q");
      await queue.send("q", [{ body: "1" }, { body: "2" }, { body: "3" }, { body: "4", delaySec: 60 }]);
      await queue.receive("q");
      assert.deepEqual(await queue.counts("q"), { visible: 2, inFlight: 1, delayed: 1 });
      await queue.purge("q");
      assert.deepEqual(await queue.counts("q"), { visible: 0, inFlight: 0, delayed: 0 });
      assert.deepEqual(await queue.receive("q", { maxMessages: 10 }), []);
    });

    it("FIFO: purge and delete release held groups", async (t) => {
      const queue = await backend.open(t);
      await queue.createQueue("q.fifo", { contentBasedDeduplication: true });
      await queue.send("q.fifo", [{ body: "1", groupId: "g" }, { body: "2", groupId: "g" }]);
      assert.equal((await queue.receive("q.fifo")).length, 1);
      await queue.purge("q.fifo");
      await queue.send("q.fifo", [{ body: "3", groupId: "g" }]);
      assert.deepEqual((await queue.receive("q.fifo")).map((m) => m.body), ["3"]);
    });

    it("retention: messages older than messageRetentionSec disappear, in flight or not", { skip: !backend.controlsTime && "backend runs on a server clock" }, async (t) => {
      let offsetMs = 0;
      const queue = await backend.open(t, { clock: () => Date.now() + offsetMs });
      await queue.createQueue("q", { messageRetentionSec: 60 });
      await queue.send("q", [{ body: "old" }, { body: "old too" }]);
      await queue.receive("q");
      offsetMs = 20_000;
      await queue.send("q", [{ body: "young" }]);
      assert.deepEqual(await queue.counts("q"), { visible: 2, inFlight: 1, delayed: 0 });
      offsetMs = 61_000;
      assert.deepEqual(await queue.counts("q"), { visible: 1, inFlight: 0, delayed: 0 });
      assert.deepEqual((await queue.receive("q", { maxMessages: 10 })).map((m) => m.body), ["young"]);
    });

    it("FIFO: the deduplication window closes after five minutes", { skip: !backend.controlsTime && "backend runs on a server clock" }, async (t) => {
      let offsetMs = 0;
      const queue = await backend.open(t, { clock: () => Date.now() + offsetMs });
      await queue.createQueue("q.fifo");
      const [first] = await queue.send("q.fifo", [{ body: "x", groupId: "g", deduplicationId: "d" }]);
      offsetMs = 4 * 60_000;
      assert.equal(sent((await queue.send("q.fifo", [{ body: "x", groupId: "g", deduplicationId: "d" }]))[0]).messageId, sent(first).messageId);
      offsetMs = 5 * 60_000 + 1000;
      assert.notEqual(sent((await queue.send("q.fifo", [{ body: "x", groupId: "g", deduplicationId: "d" }]))[0]).messageId, sent(first).messageId);
    });
  });
}
