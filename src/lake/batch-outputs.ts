// Where a flushed batch goes: the objects it writes and their keys. DuckDB groups the batch's records by
// what places them (event type, timestamp truncated to the prefixes' finest unit, partition key values);
// each group renders a prefix per table, and the groups that render the same prefix make one object: a
// buffer per partition, all flushed together with the shard's buffer. Refused records are grouped the same
// way under the error output prefix.
import type { DeliveredTable, ResolvedDeliveryStream } from "./delivery-stream.js";
import { objectName, type ObjectExtension, type SequenceRange } from "./object-names.js";
import { partitionKeysOf, renderPrefix, usesTimestamp, type PrefixTemplate } from "./prefix-template.js";
import type { PublishedThrough } from "./published-index.js";
import { partitionKeyColumn } from "./record-checks.js";
import { tableTakesType } from "./tables.js";
import { errorLine, type ErrorOutput, type RefusedRecord } from "./record-errors.js";
import type { ShardBatch } from "./shard-batch.js";
import { quoteSqlString } from "./sql-text.js";

/** Records of a batch that share everything that places them. */
export interface BatchGroup {
  /** the event type (Parquet batches) */
  type: string | undefined;
  /** the timestamp truncated to the finest unit the prefixes use, in epoch ms */
  bucketMs: number | undefined;
  keys: Readonly<Record<string, string>>;
  /** the highest batch index among the group's records */
  lastIndex: number;
}

export interface PlannedOutput {
  /** the table it fills (Parquet); undefined for NDJSON */
  table: DeliveredTable | undefined;
  key: string;
  /** SQL over the batch table selecting the records that go into the object (of those that passed their checks) */
  filter: string;
  range: SequenceRange;
}

/** The objects a batch writes, with their keys; prefixes whose records were all published before are left out. */
export function planOutputs(
  delivery: ResolvedDeliveryStream,
  groups: readonly BatchGroup[],
  batch: ShardBatch,
  publishedThrough: PublishedThrough,
): PlannedOutput[] {
  const extension: ObjectExtension = delivery.prefix ? (delivery.config.compression === "gzip" ? "ndjson.gz" : "ndjson.zst") : "parquet";
  const targets: Array<{ table: DeliveredTable | undefined; prefix: PrefixTemplate; groups: readonly BatchGroup[] }> = delivery.prefix
    ? [{ table: undefined, prefix: delivery.prefix, groups }]
    : delivery.tables.map((table) => ({
        table,
        prefix: table.prefix,
        groups: groups.filter((group) => tableTakesType(table.table, group.type ?? "")),
      }));
  const outputs: PlannedOutput[] = [];
  for (const target of targets) {
    const byPrefix = new Map<string, BatchGroup[]>();
    for (const group of target.groups) {
      const prefix = renderPrefix(target.prefix, { timestampMs: group.bucketMs, partitionKeys: group.keys });
      let members = byPrefix.get(prefix);
      if (!members) byPrefix.set(prefix, (members = []));
      members.push(group);
    }
    for (const [prefix, members] of byPrefix) {
      const through = publishedThrough.get(prefix);
      const skipThroughIndex = through === undefined ? -1 : batch.lastIndexAtOrBelow(through);
      if (members.every((group) => group.lastIndex <= skipThroughIndex)) continue;
      const range = batch.rangeAfter(skipThroughIndex);
      outputs.push({
        table: target.table,
        key: `${prefix}${objectName(range, extension)}`,
        filter: groupFilter(target.prefix, members, target.table !== undefined, skipThroughIndex),
        range,
      });
    }
  }
  return outputs;
}

/**
 * SQL selecting the records of `groups`. Every group renders the same prefix, so within each column the
 * groups' values are interchangeable, and a list per column selects exactly them.
 */
function groupFilter(prefix: PrefixTemplate, groups: readonly BatchGroup[], byType: boolean, skipThroughIndex: number): string {
  const conditions: string[] = [];
  const distinct = <T>(values: T[]) => [...new Set(values)];
  if (byType) conditions.push(`"type" IN (${distinct(groups.map((group) => quoteSqlString(group.type ?? ""))).join(", ")})`);
  if (usesTimestamp(prefix)) conditions.push(`ts_bucket IN (${distinct(groups.map((group) => String(group.bucketMs))).join(", ")})`);
  for (const key of distinct(partitionKeysOf(prefix))) {
    conditions.push(`${partitionKeyColumn(key)} IN (${distinct(groups.map((group) => quoteSqlString(group.keys[key] ?? ""))).join(", ")})`);
  }
  if (skipThroughIndex >= 0) conditions.push(`i > ${skipThroughIndex}`);
  return conditions.length === 0 ? "true" : conditions.join(" AND ");
}

/**
 * The error objects of a batch: refused records grouped by their error prefix (error type, arrival time),
 * each line the raw record and why; records published there before a restart are left out.
 */
export function planErrorOutputs(
  delivery: ResolvedDeliveryStream,
  batch: ShardBatch,
  refused: readonly RefusedRecord[],
  publishedThrough: PublishedThrough,
): ErrorOutput[] {
  const byPrefix = new Map<string, RefusedRecord[]>();
  for (const record of refused) {
    const prefix = renderPrefix(delivery.errorPrefix, { timestampMs: batch.arrivalMsOf(record.index), errorType: record.errorType });
    let members = byPrefix.get(prefix);
    if (!members) byPrefix.set(prefix, (members = []));
    members.push(record);
  }
  const outputs: ErrorOutput[] = [];
  for (const [prefix, members] of byPrefix) {
    const through = publishedThrough.get(prefix);
    const skipThroughIndex = through === undefined ? -1 : batch.lastIndexAtOrBelow(through);
    const kept = members.filter((record) => record.index > skipThroughIndex).sort((a, b) => a.index - b.index);
    const first = kept[0];
    if (!first) continue;
    const range = batch.rangeAfter(skipThroughIndex);
    outputs.push({
      key: `${prefix}${objectName(range, "ndjson")}`,
      errorType: first.errorType,
      range,
      lines: kept.map((record) => errorLine(record, batch.origin(record.index, delivery.name))),
    });
  }
  return outputs;
}
