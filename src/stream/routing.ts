// Routes records to shards as Kinesis does: MD5 of the partition key is a 128-bit hash key, and each shard
// owns a contiguous hash-key range. An explicit hash key overrides the MD5.
import { hash } from "node:crypto";
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

function md5(partitionKey: string): Buffer {
  return hash("md5", partitionKey, "buffer") as unknown as Buffer;
}

export function hashKeyOf(partitionKey: string): bigint {
  const digest = md5(partitionKey);
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

/** Partition keys repeat (customers, stores), so their shards are remembered, up to this many keys. */
const ROUTE_CACHE_KEYS = 100_000;

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
  /** the top 48 bits of each shard's starting hash key, for a search without BigInt */
  private readonly starts48: number[];
  private readonly single: boolean;
  private readonly cache = new Map<string, number>();

  constructor(shards: readonly ShardDescription[]) {
    this.starts = shards.map((s) => BigInt(s.startingHashKey));
    this.starts48 = this.starts.map((start) => Number(start >> 80n));
    this.single = shards.length === 1;
  }

  shardIndexFor(partitionKey: string, explicitHashKey?: string): number {
    if (explicitHashKey !== undefined) return this.search(parseExplicitHashKey(explicitHashKey));
    if (this.single) return 0;
    let index = this.cache.get(partitionKey);
    if (index === undefined) {
      index = this.route(md5(partitionKey));
      if (this.cache.size >= ROUTE_CACHE_KEYS) this.cache.clear();
      this.cache.set(partitionKey, index);
    }
    return index;
  }

  /** Exact routing from the digest: the top 48 bits decide unless they tie with a shard boundary. */
  private route(digest: Buffer): number {
    const top48 = digest.readUIntBE(0, 6);
    let lo = 0;
    let hi = this.starts48.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts48[mid]! <= top48) lo = mid;
      else hi = mid - 1;
    }
    const tie = this.starts48[lo] === top48 || this.starts48[lo + 1] === top48;
    return tie ? this.search((digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8)) : lo;
  }

  private search(key: bigint): number {
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
