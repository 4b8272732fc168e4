// Deterministic object names. A lake object's key says which table partition it belongs to and which
// records it holds: source stream, shard, and the first and last sequence number of the flush that wrote
// it. Re-delivering the same flush therefore rewrites the same keys, and a restart can tell from the keys
// alone how far each partition was published (see published-index.ts).
import type { HourPartition } from "./event-time.js";
import type { LakeErrorType } from "./record-validation.js";
import type { LakeTable } from "./tables.js";

/** The zone that holds the tables: `<lake root>/curated/<table>/…`. */
export const LAKE_DATA_PREFIX = "curated";
/** The zone that holds records that could not be converted, as NDJSON: `<lake root>/errors/<error_type>/…`. */
export const LAKE_ERROR_PREFIX = "errors";

/** The records of one shard that one flush covered. */
export interface SequenceRange {
  stream: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
}

/** The directory of one table partition, e.g. `curated/events/type=page_view/dt=2026-01-05/hour=08`. */
export function tablePartitionPrefix(table: LakeTable, type: string, partition: HourPartition): string {
  const typePart = table.partitionColumns.some((column) => column.name === "type") ? `type=${type}/` : "";
  return `${LAKE_DATA_PREFIX}/${table.name}/${typePart}dt=${partition.dt}/hour=${partition.hour}`;
}

/** The directory of one error partition; dated by arrival time, since a bad record may have no event time. */
export function errorPartitionPrefix(errorType: LakeErrorType, partition: HourPartition): string {
  return `${LAKE_ERROR_PREFIX}/${errorType}/dt=${partition.dt}/hour=${partition.hour}`;
}

export function objectName(range: SequenceRange, extension: "parquet" | "ndjson"): string {
  return `${range.stream}-${range.shardId}-${range.firstSequenceNumber}-${range.lastSequenceNumber}.${extension}`;
}

export interface ParsedObjectKey extends SequenceRange {
  /** the partition directory the object is in */
  partitionPrefix: string;
}

const OBJECT_NAME = /^(.+)-(shardId-\d+)-(\d+)-(\d+)\.(?:parquet|ndjson)$/;

/** The parts of a key that objectName built, or undefined for any other key. */
export function parseObjectKey(key: string): ParsedObjectKey | undefined {
  const slash = key.lastIndexOf("/");
  const m = OBJECT_NAME.exec(key.slice(slash + 1));
  if (!m || slash < 0) return undefined;
  return {
    partitionPrefix: key.slice(0, slash),
    stream: m[1]!,
    shardId: m[2]!,
    firstSequenceNumber: m[3]!,
    lastSequenceNumber: m[4]!,
  };
}
