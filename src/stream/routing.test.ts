// Routing must be exactly Kinesis's: MD5 → 128-bit hash key → the shard whose range holds it. The fast
// path (top 48 bits, cached keys) must always agree with exact BigInt arithmetic.
import assert from "node:assert/strict";
import { it } from "node:test";
import { evenShards, hashKeyOf, ShardRouter } from "./routing.js";

function exactShard(shards: ReturnType<typeof evenShards>, key: bigint): number {
  return shards.findIndex((s) => BigInt(s.startingHashKey) <= key && key <= BigInt(s.endingHashKey));
}

it("routes partition keys exactly as the 128-bit hash-key ranges say", () => {
  for (const shardCount of [2, 3, 4, 7, 16]) {
    const shards = evenShards(shardCount);
    const router = new ShardRouter(shards);
    for (let i = 0; i < 20_000; i++) {
      const key = `customer-${i}`;
      assert.equal(router.shardIndexFor(key), exactShard(shards, hashKeyOf(key)));
      assert.equal(router.shardIndexFor(key), exactShard(shards, hashKeyOf(key)), "cached answer agrees");
    }
  }
});

it("routes explicit hash keys on and around every shard boundary", () => {
  const shards = evenShards(3);
  const router = new ShardRouter(shards);
  for (const [i, shard] of shards.entries()) {
    const start = BigInt(shard.startingHashKey);
    const end = BigInt(shard.endingHashKey);
    assert.equal(router.shardIndexFor("ignored", start.toString()), i);
    assert.equal(router.shardIndexFor("ignored", end.toString()), i);
    if (start > 0n) assert.equal(router.shardIndexFor("ignored", (start - 1n).toString()), i - 1);
  }
  assert.throws(() => router.shardIndexFor("k", "340282366920938463463374607431768211456"), { name: "ValidationError" });
  assert.throws(() => router.shardIndexFor("k", "12ab"), { name: "ValidationError" });
});
