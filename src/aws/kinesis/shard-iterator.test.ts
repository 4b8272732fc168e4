// Shard iterators round-trip and expire after five minutes, as AWS's do.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AwsError } from "../errors.js";
import { decodeShardIterator, encodeShardIterator, ITERATOR_LIFETIME_MS } from "./shard-iterator.js";

describe("shard iterators", () => {
  const state = { stream: "events", streamCreatedAt: 1, shardId: "shardId-000000000001", position: { type: "TRIM_HORIZON" as const }, expiresAtMs: 1_000_000 };

  it("round-trip within their lifetime", () => {
    assert.deepEqual(decodeShardIterator(encodeShardIterator(state), state.expiresAtMs - ITERATOR_LIFETIME_MS), state);
  });

  it("expire with ExpiredIteratorException, and garbage is InvalidArgumentException", () => {
    assert.throws(() => decodeShardIterator(encodeShardIterator(state), state.expiresAtMs + 1), (error: unknown) => error instanceof AwsError && error.code === "ExpiredIteratorException");
    assert.throws(() => decodeShardIterator("garbage"), (error: unknown) => error instanceof AwsError && error.code === "InvalidArgumentException");
  });
});
