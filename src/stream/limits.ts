// What every stream backend refuses, with Kinesis's limits: stream names, shard counts, retention, records
// per put, and per record a partition key of 1–256 characters and data up to the backend's size limit.
import { ValidationError } from "../errors/index.js";
import type { PutRecordInput } from "./types.js";

export const MAX_PARTITION_KEY_LENGTH = 256;
const MAX_PUT_RECORDS = 500;
const MAX_SHARDS = 1024;
const MAX_RETENTION_HOURS = 8760;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** Throws a ValidationError for a name or shard count a new stream cannot have. */
export function checkNewStream(name: string, shardCount: number): void {
  if (!STREAM_NAME.test(name)) {
    throw new ValidationError(`stream name must match ${STREAM_NAME.source}, got ${JSON.stringify(name)}`);
  }
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS) {
    throw new ValidationError(`shard count must be an integer from 1 to ${MAX_SHARDS}, got ${shardCount}`);
  }
}

export function checkRetentionHours(hours: number): void {
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_RETENTION_HOURS) {
    throw new ValidationError(`retention must be an integer number of hours from 1 to ${MAX_RETENTION_HOURS}, got ${hours}`);
  }
}

export function checkPutRecordCount(records: readonly unknown[]): void {
  if (records.length > MAX_PUT_RECORDS) {
    throw new ValidationError(`a put takes at most ${MAX_PUT_RECORDS} records, got ${records.length}`);
  }
}

/** Why `record` cannot be put, or undefined when it can. */
export function putRecordProblem(record: PutRecordInput, maxRecordBytes: number): string | undefined {
  const keyLength = record.partitionKey?.length ?? 0;
  if (keyLength < 1 || keyLength > MAX_PARTITION_KEY_LENGTH) {
    return `partition key must be 1 to ${MAX_PARTITION_KEY_LENGTH} characters, got ${keyLength}`;
  }
  if (record.data.byteLength > maxRecordBytes) {
    return `record data is ${record.data.byteLength} bytes, more than the ${maxRecordBytes}-byte limit`;
  }
  return undefined;
}
