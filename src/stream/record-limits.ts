// What every stream backend refuses in a put, per record (Kinesis's limits: a partition key of 1–256
// characters, data up to the backend's record size limit).
import type { PutRecordInput } from "./types.js";

export const MAX_PARTITION_KEY_LENGTH = 256;

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
