// Routes records to shards as Kinesis does: MD5 of the partition key is a 128-bit hash key, and each shard
// owns a contiguous hash-key range. An explicit hash key overrides the MD5.
import { createHash } from "node:crypto";
import { ValidationError } from "../errors/index.js";
import { shardIdOf } from "./sequence.js";
import type { ShardDescription } from "./types.js";

export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** Even split of the hash-key space into `shardCount` ranges, as CreateStream does. */
export function evenShards(shardCount: number): ShardDescription[] {
  const size = (1n << 128n) / BigInt(shardCount);
  return Array.from({ length: shardCount }, (_, i) => {
    const start = size * BigInt(i);
    const end = i === shardCount - 1 ? MAX_HASH_KEY : size * BigInt(i + 1) - 1n;
    return { shardId: shardIdOf(i), startingHashKey: start.toString(), endingHashKey: end.toString() };
  });
}

export function hashKeyOf(partitionKey: string): bigint {
  const digest = createHash("md5").update(partitionKey, "utf8").digest();
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

export function parseExplicitHashKey(value: string): bigint {
  if (!/^\d{1,39}$/.test(value)) {
    throw new ValidationError(`ExplicitHashKey must be a decimal integer from 0 to 2^128-1, got ${JSON.stringify(value)}`);
  }
  const key = BigInt(value);
  if (key > MAX_HASH_KEY) throw new ValidationError(`ExplicitHashKey must be at most 2^128-1, got ${value}`);
  return key;
}

/** Finds shard indexes by hash key; built once per stream layout. */
export class ShardRouter {
  private readonly starts: bigint[];
  private readonly single: boolean;
  constructor(shards: readonly ShardDescription[]) {
    this.starts = shards.map((s) => BigInt(s.startingHashKey));
    this.single = shards.length === 1;
  }
  shardIndexFor(partitionKey: string, explicitHashKey?: string): number {
    if (this.single && explicitHashKey === undefined) return 0;
    const key = explicitHashKey === undefined ? hashKeyOf(partitionKey) : parseExplicitHashKey(explicitHashKey);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
