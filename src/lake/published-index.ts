// How far each prefix of the lake was published, per shard, read from the object keys.
//
// Exactly-once, in short: each flush covers a contiguous range of one shard's records and writes one object
// per prefix it touches, named after that range; objects are published atomically, and the shard's
// checkpoint is committed only after all of them. A crash between the first publish and the checkpoint
// leaves some prefixes published and others not. On restart the shard is re-read from its checkpoint, and
// each prefix skips the records at or below the highest sequence number already published to it from that
// shard. This is sound because a shard's flushes run one at a time, in sequence order, and each writes
// *all* of a prefix's records in its range: so a published object ending at N means every record of that
// prefix up to N is in the lake. A re-read record is thus written to exactly the prefixes that do not have
// it yet. Compaction keeps this true: it merges only objects at or below the checkpoint, into an object
// named after the range its sources covered.
import { compareSequenceNumbers } from "../stream/index.js";
import { parseObjectKey } from "./object-names.js";
import type { ObjectStore } from "./object-store.js";

/** partition prefix → last sequence number published to it, for one shard */
export type PublishedThrough = ReadonlyMap<string, string>;

/**
 * Lists the delivery stream's roots once and keeps, for each shard of `stream`, the objects past that
 * shard's checkpoint: only those can overlap the records a restart re-reads.
 */
export async function loadPublishedIndex(
  store: ObjectStore,
  roots: readonly string[],
  stream: string,
  checkpoints: ReadonlyMap<string, string | undefined>,
): Promise<Map<string, PublishedThrough>> {
  const byShard = new Map<string, Map<string, string>>();
  for (const root of roots) {
    for await (const object of store.list(root)) {
      const parsed = parseObjectKey(object.key);
      if (!parsed || parsed.stream !== stream || !checkpoints.has(parsed.shardId)) continue;
      const checkpoint = checkpoints.get(parsed.shardId);
      if (checkpoint !== undefined && compareSequenceNumbers(parsed.lastSequenceNumber, checkpoint) <= 0) continue;
      let partitions = byShard.get(parsed.shardId);
      if (!partitions) byShard.set(parsed.shardId, (partitions = new Map()));
      const known = partitions.get(parsed.partitionPrefix);
      if (known === undefined || compareSequenceNumbers(parsed.lastSequenceNumber, known) > 0) {
        partitions.set(parsed.partitionPrefix, parsed.lastSequenceNumber);
      }
    }
  }
  return byShard;
}
