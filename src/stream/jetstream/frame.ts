// The wire frame of the JetStream stream: many records of one shard in one JetStream message, because one
// message per record is far too slow from Node. A compact binary layout: a version byte, the record count,
// then per record the partition key, the explicit hash key (empty when absent) and the data.
import type { PutRecordInput } from "../types.js";

const VERSION = 1;
/** version byte + u16 record count */
const HEADER_BYTES = 3;
/** u16 key length + u8 hash-key length + u32 data length */
const RECORD_OVERHEAD_BYTES = 7;

export interface FramedRecord {
  partitionKey: string;
  data: Uint8Array;
}

/** Bytes one record takes in a frame. */
export function framedBytes(record: PutRecordInput): number {
  return RECORD_OVERHEAD_BYTES + Buffer.byteLength(record.partitionKey) + (record.explicitHashKey?.length ?? 0) + record.data.byteLength;
}

export const FRAME_HEADER_BYTES = HEADER_BYTES;

export function encodeFrame(records: readonly PutRecordInput[]): Uint8Array {
  let size = HEADER_BYTES;
  for (const record of records) size += framedBytes(record);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt8(VERSION, 0);
  out.writeUInt16BE(records.length, 1);
  let at = HEADER_BYTES;
  for (const record of records) {
    const keyBytes = out.write(record.partitionKey, at + 2, "utf8");
    out.writeUInt16BE(keyBytes, at);
    at += 2 + keyBytes;
    const hashKey = record.explicitHashKey ?? "";
    out.writeUInt8(hashKey.length, at);
    out.write(hashKey, at + 1, "latin1");
    at += 1 + hashKey.length;
    out.writeUInt32BE(record.data.byteLength, at);
    out.set(record.data, at + 4);
    at += 4 + record.data.byteLength;
  }
  return out;
}

/** The records of a frame; `data` views the frame's bytes without copying. */
export function decodeFrame(frame: Uint8Array): FramedRecord[] {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buf.byteLength < HEADER_BYTES || buf.readUInt8(0) !== VERSION) {
    throw new Error(`not a shopstream record frame (version ${buf.byteLength > 0 ? buf.readUInt8(0) : "none"})`);
  }
  const count = buf.readUInt16BE(1);
  const records: FramedRecord[] = new Array(count);
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const keyBytes = buf.readUInt16BE(at);
    const partitionKey = buf.toString("utf8", at + 2, at + 2 + keyBytes);
    at += 2 + keyBytes;
    at += 1 + buf.readUInt8(at);
    const dataBytes = buf.readUInt32BE(at);
    records[i] = { partitionKey, data: buf.subarray(at + 4, at + 4 + dataBytes) };
    at += 4 + dataBytes;
  }
  return records;
}

/** The record count of a frame without decoding it. */
export function frameRecordCount(frame: Uint8Array): number {
  return frame.byteLength >= HEADER_BYTES ? (frame[1]! << 8) | frame[2]! : 0;
}
