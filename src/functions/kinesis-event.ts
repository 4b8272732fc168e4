// Lambda's Kinesis event for a batch of stream records, built in two halves so that a batch crosses to a
// worker thread cheaply: the main thread packs every record's data into one buffer that is transferred,
// not copied, and the worker builds the event objects and the base64 there, off the main thread.
import { AWS_REGION, FUNCTION_ROLE_ARN } from "./arn.js";
import type { StreamRecord } from "../stream/index.js";

export interface PackedKinesisBatch {
  shardId: string;
  eventSourceArn: string;
  sequenceNumbers: string[];
  partitionKeys: string[];
  /** arrival times, ms since the epoch */
  arrivalMs: Float64Array;
  /** record i's data is data[i === 0 ? 0 : dataEnds[i - 1], dataEnds[i]) */
  dataEnds: Uint32Array;
  data: Uint8Array;
}

export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: "1.0";
    partitionKey: string;
    sequenceNumber: string;
    /** base64 */
    data: string;
    /** seconds since the epoch, with a fraction */
    approximateArrivalTimestamp: number;
  };
  eventSource: "aws:kinesis";
  eventVersion: "1.0";
  /** `<shardId>:<sequenceNumber>` */
  eventID: string;
  eventName: "aws:kinesis:record";
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

/** Packs records for postMessage; `transfer` lists the buffers to move rather than clone. */
export function packKinesisBatch(
  records: readonly StreamRecord[],
  shardId: string,
  eventSourceArn: string,
): { batch: PackedKinesisBatch; transfer: ArrayBuffer[] } {
  const count = records.length;
  const sequenceNumbers = new Array<string>(count);
  const partitionKeys = new Array<string>(count);
  const arrivalMs = new Float64Array(count);
  const dataEnds = new Uint32Array(count);
  let totalBytes = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i]!;
    sequenceNumbers[i] = record.sequenceNumber;
    partitionKeys[i] = record.partitionKey;
    arrivalMs[i] = record.approximateArrivalTimestamp;
    totalBytes += record.data.byteLength;
    dataEnds[i] = totalBytes;
  }
  const data = new Uint8Array(totalBytes);
  for (let i = 0; i < count; i++) data.set(records[i]!.data, i === 0 ? 0 : dataEnds[i - 1]!);
  return {
    batch: { shardId, eventSourceArn, sequenceNumbers, partitionKeys, arrivalMs, dataEnds, data },
    transfer: [arrivalMs.buffer, dataEnds.buffer, data.buffer],
  };
}

export function kinesisEvent(batch: PackedKinesisBatch): { Records: KinesisEventRecord[] } {
  const { shardId, eventSourceArn, sequenceNumbers, partitionKeys, arrivalMs, dataEnds } = batch;
  const data = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
  const Records = new Array<KinesisEventRecord>(sequenceNumbers.length);
  let start = 0;
  for (let i = 0; i < Records.length; i++) {
    const sequenceNumber = sequenceNumbers[i]!;
    const end = dataEnds[i]!;
    Records[i] = {
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: partitionKeys[i]!,
        sequenceNumber,
        data: data.toString("base64", start, end),
        approximateArrivalTimestamp: arrivalMs[i]! / 1000,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: FUNCTION_ROLE_ARN,
      awsRegion: AWS_REGION,
      eventSourceARN: eventSourceArn,
    };
    start = end;
  }
  return { Records };
}
