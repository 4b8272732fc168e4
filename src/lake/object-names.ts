// Deterministic object names. A lake object's name says which records it holds: source stream, shard, and
// the first and last sequence number of the records it covers. Re-delivering the same records therefore
// rewrites the same keys, and a restart can tell from the keys alone how far each prefix was published
// (published-index.ts). Compaction names a merged object the same way, after the range its sources
// covered, so both rules keep working on compacted partitions (object-visibility.ts).

/** The zone that holds the Parquet tables: `<lake root>/curated/<table>/…`; analytics reads it. */
export const LAKE_DATA_PREFIX = "curated";

/** The records of one shard that one object covers. */
export interface SequenceRange {
  stream: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
}

export type ObjectExtension = "parquet" | "ndjson" | "ndjson.gz" | "ndjson.zst";

export function objectName(range: SequenceRange, extension: ObjectExtension): string {
  return `${range.stream}-${range.shardId}-${range.firstSequenceNumber}-${range.lastSequenceNumber}.${extension}`;
}

export interface ParsedObjectKey extends SequenceRange {
  /** everything before the name: the partition's prefix, ending in "/" when it is a folder */
  partitionPrefix: string;
  extension: ObjectExtension;
}

const OBJECT_NAME = /^(.+)-(shardId-\d+)-(\d+)-(\d+)\.(parquet|ndjson|ndjson\.gz|ndjson\.zst)$/;

/** The parts of a key that objectName built, or undefined for any other key. */
export function parseObjectKey(key: string): ParsedObjectKey | undefined {
  const slash = key.lastIndexOf("/");
  const m = OBJECT_NAME.exec(key.slice(slash + 1));
  if (!m) return undefined;
  return {
    partitionPrefix: key.slice(0, slash + 1),
    stream: m[1]!,
    shardId: m[2]!,
    firstSequenceNumber: m[3]!,
    lastSequenceNumber: m[4]!,
    extension: m[5] as ObjectExtension,
  };
}
