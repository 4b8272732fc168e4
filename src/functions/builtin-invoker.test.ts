import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { componentLogger } from "../monitor/index.js";
import type { StreamRecord } from "../stream/index.js";
import { BuiltinInvoker, sniffEventType, type TypeFilteredBuiltin } from "./builtin-invoker.js";
import type { DecodedRecord } from "./types.js";

const record = (sequenceNumber: string, text: string): StreamRecord => ({
  sequenceNumber,
  shardId: "shard-0",
  partitionKey: "k",
  approximateArrivalTimestamp: 0,
  data: Buffer.from(text),
});

describe("built-in invoker", () => {
  it("hands a built-in with handlesTypes only the records of its types, in order", async () => {
    const seen: DecodedRecord[] = [];
    const fn: TypeFilteredBuiltin = {
      name: "only-orders",
      handlesTypes: new Set(["order_placed"]),
      handleBatch: async (records) => void seen.push(...records),
    };
    const invoker = new BuiltinInvoker(fn, 1000, componentLogger("test"));
    const outcome = await invoker.invokeStreamBatch(
      [
        record("1", '{"event_id":"e1","type":"page_view","payload":{}}'),
        record("2", '{"event_id":"e2","type":"order_placed","payload":{}}'),
        // not in the envelope's key order: parsed in full, and the built-in filters it itself
        record("3", '{"type":"page_view","event_id":"e3","payload":{}}'),
        record("4", '{"event_id":"e\\"4","type":"page_view","payload":{}}'),
      ],
      { stream: "s", shardId: "shard-0" },
    );
    assert.equal(outcome.ok, true);
    assert.deepEqual(
      seen.map((r) => r.sequenceNumber),
      ["2", "3", "4"],
    );
  });

  it("reads the type only from the envelope's own head, never guessing", () => {
    assert.equal(sniffEventType(Buffer.from('{"event_id":"ev-1","type":"order_placed","occurred_at":"x"}')), "order_placed");
    assert.equal(sniffEventType(Buffer.from('{"type":"order_placed","event_id":"ev-1"}')), undefined);
    assert.equal(sniffEventType(Buffer.from('{"event_id":"ev\\"1","type":"order_placed"}')), undefined);
    assert.equal(sniffEventType(Buffer.from('{"event_id":"ev-1","type":"order\\u005fplaced"}')), undefined);
    assert.equal(sniffEventType(Buffer.from("not json")), undefined);
  });
});
