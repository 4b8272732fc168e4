// Kinesis Data Firehose (JSON 1.1, target Firehose_20150804) over the lake's delivery streams. Every lake
// delivery stream is a Firehose delivery stream: the pipeline config's ones are listed and described (and
// cannot be deleted here), and CreateDeliveryStream adds one that persists across restarts. A DirectPut
// delivery stream gets a stream of its own (`firehose-<name>`, one shard) that PutRecord(Batch) appends
// to and its lake delivery reads; a KinesisStreamAsSource one reads the named stream.
import { randomUUID } from "node:crypto";
import type { DeliveryStreamConfig } from "../../lake/index.js";
import type { Stream } from "../../stream/index.js";
import { deliveryStreamArn, kinesisStreamArn, nameFromArn } from "../arn.js";
import { AwsError, validationError, type AwsErrorCodes } from "../errors.js";
import type { AwsOperation, AwsRequestContext, AwsService } from "../service.js";
import { readArray, readBlob, readInteger, readObject, readString } from "../values.js";
import type { DeliveryStreamRegistry, DeliveryStreamType } from "./delivery-stream-registry.js";
import { describeS3Destination, lakeConfigFromS3Destination } from "./s3-destination.js";

export interface FirehoseServiceOptions {
  stream: Stream;
  registry: DeliveryStreamRegistry;
  /** the delivery streams the pipeline config declares */
  declared: Readonly<Record<string, DeliveryStreamConfig>>;
  /** starts a lake delivery stream in the running pipeline; throws a ConfigError when it clashes with another */
  addDeliveryStream(name: string, config: DeliveryStreamConfig): Promise<void>;
  /** stops it, delivering what it buffered */
  removeDeliveryStream(name: string): Promise<void>;
}

type Input = Record<string, unknown>;

const NAME = /^[a-zA-Z0-9_-][a-zA-Z0-9._-]*$/;
const MAX_BATCH_RECORDS = 500;
const MAX_RECORD_BYTES = 1000 * 1024;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const DEFAULT_BUCKET_ARN = "arn:aws:s3:::shopstream-lake";
const DIRECT_PUT_SHARDS = 1;

export const FIREHOSE_ERROR_CODES: AwsErrorCodes = {
  invalidArgument: "InvalidArgumentException",
  notFound: "ResourceNotFoundException",
  inUse: "ResourceInUseException",
  throttled: "ServiceUnavailableException",
  throttledStatus: 500,
};

interface Resolved {
  name: string;
  type: DeliveryStreamType;
  config: DeliveryStreamConfig;
  createdAt: number | undefined;
  declared: boolean;
  backingStream: string | undefined;
  roleArn: string | undefined;
  bucketArn: string | undefined;
}

export function backingStreamName(deliveryStream: string): string {
  return `firehose-${deliveryStream}`;
}

/** A record as the lake stores it: one per line, so the newline a producer ends it with is dropped. */
function lakeRecord(data: Uint8Array): Uint8Array {
  let end = data.byteLength;
  if (end > 0 && data[end - 1] === 0x0a) end--;
  if (end > 0 && data[end - 1] === 0x0d) end--;
  return data.subarray(0, end);
}

export function createFirehoseService(options: FirehoseServiceOptions): AwsService {
  const { stream, registry } = options;

  const find = (name: string): Resolved | undefined => {
    const declared = options.declared[name];
    if (declared) {
      return { name, type: "KinesisStreamAsSource", config: declared, createdAt: undefined, declared: true, backingStream: undefined, roleArn: undefined, bucketArn: undefined };
    }
    const entry = registry.get(name);
    if (!entry) return undefined;
    return { name, ...entry, declared: false, backingStream: entry.backingStream, roleArn: entry.roleArn, bucketArn: entry.bucketArn };
  };

  const require = (name: string, ctx: AwsRequestContext): Resolved => {
    const found = find(name);
    if (!found) throw new AwsError("ResourceNotFoundException", `Firehose ${name} under account ${ctx.accountId} not found.`);
    return found;
  };

  const nameOf = (input: Input) => readString(input, "DeliveryStreamName", { required: true, minLength: 1, maxLength: 64, pattern: NAME });

  const allNames = () => [...new Set([...Object.keys(options.declared), ...registry.names()])].sort();

  /** Appends records to a DirectPut delivery stream's stream; one result per record, in order. */
  const putRecords = async (target: Resolved, records: Uint8Array[], ctx: AwsRequestContext) => {
    if (target.type !== "DirectPut" || target.backingStream === undefined) {
      throw new AwsError("InvalidArgumentException", `This operation is not permitted on KinesisStreamAsSource type. Put records on its source stream ${target.config.source} with the Kinesis API.`);
    }
    const results = await stream.putRecords(
      target.backingStream,
      records.map((data) => ({ partitionKey: randomUUID(), data: lakeRecord(data) })),
    );
    return results.map((result) =>
      "errorCode" in result ? { ErrorCode: "InvalidArgumentException", ErrorMessage: result.errorMessage } : { RecordId: result.sequenceNumber },
    );
  };

  const readRecord = (value: unknown, member: string): Uint8Array => {
    if (typeof value !== "object" || value === null) throw new AwsError("SerializationException", `${member}: expected a record`);
    const data = readBlob(value as Input, "Data", { required: true })!;
    if (data.byteLength > MAX_RECORD_BYTES) {
      throw validationError(`Value at '${member}.data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
    }
    return data;
  };

  const operations: Record<string, AwsOperation> = {
    async CreateDeliveryStream(input, ctx) {
      const name = nameOf(input);
      const type = (readString(input, "DeliveryStreamType") ?? "DirectPut") as DeliveryStreamType;
      if (type !== "DirectPut" && type !== "KinesisStreamAsSource") {
        throw new AwsError("InvalidArgumentException", `DeliveryStreamType ${type} is not supported (DirectPut and KinesisStreamAsSource are)`);
      }
      if (find(name)) throw new AwsError("ResourceInUseException", `Firehose ${name} under accountId ${ctx.accountId} already exists`);
      const destination = readObject(input, "ExtendedS3DestinationConfiguration") ?? readObject(input, "S3DestinationConfiguration");
      if (!destination) {
        throw new AwsError("InvalidArgumentException", "an ExtendedS3DestinationConfiguration (or S3DestinationConfiguration) is required: the lake is the only destination");
      }
      let source: string;
      let backingStream: string | undefined;
      if (type === "KinesisStreamAsSource") {
        const sourceConfig = readObject(input, "KinesisStreamSourceConfiguration");
        const arn = sourceConfig && readString(sourceConfig, "KinesisStreamARN", { required: true });
        if (!arn) throw new AwsError("InvalidArgumentException", "KinesisStreamSourceConfiguration is required for KinesisStreamAsSource");
        source = nameFromArn(arn, "kinesis", "stream");
        if (!(await stream.listStreams()).includes(source)) throw new AwsError("InvalidArgumentException", `Stream ${source} under account ${ctx.accountId} not found.`);
      } else {
        source = backingStreamName(name);
        backingStream = source;
        if ((await stream.listStreams()).includes(source)) {
          throw new AwsError("ResourceInUseException", `the stream ${source} that a DirectPut delivery stream ${name} would write to already exists`);
        }
      }
      const config = lakeConfigFromS3Destination(source, destination);
      if (backingStream !== undefined) await stream.createStream(backingStream, { shardCount: DIRECT_PUT_SHARDS });
      try {
        await options.addDeliveryStream(name, config);
      } catch (error) {
        if (backingStream !== undefined) await stream.deleteStream(backingStream);
        throw error;
      }
      const roleArn = readString(destination, "RoleARN");
      const bucketArn = readString(destination, "BucketARN");
      registry.put(name, {
        type,
        config,
        createdAt: Date.now(),
        ...(backingStream !== undefined && { backingStream }),
        ...(roleArn !== undefined && { roleArn }),
        ...(bucketArn !== undefined && { bucketArn }),
      });
      return { DeliveryStreamARN: deliveryStreamArn(ctx, name) };
    },

    async DeleteDeliveryStream(input, ctx) {
      const target = require(nameOf(input), ctx);
      if (target.declared) {
        throw new AwsError("ResourceInUseException", `Firehose ${target.name} is declared in the pipeline config (deliveryStreams.${target.name}); remove it there`);
      }
      await options.removeDeliveryStream(target.name);
      registry.delete(target.name);
      if (target.backingStream !== undefined && (await stream.listStreams()).includes(target.backingStream)) await stream.deleteStream(target.backingStream);
      return {};
    },

    async DescribeDeliveryStream(input, ctx) {
      const target = require(nameOf(input), ctx);
      readInteger(input, "Limit", { min: 1, max: 10_000 });
      const createdAt = target.createdAt ?? (await stream.describeStream(target.config.source).catch(() => undefined))?.createdAt ?? Date.now();
      const roleArn = target.roleArn ?? `arn:aws:iam::${ctx.accountId}:role/shopstream-firehose`;
      return {
        DeliveryStreamDescription: {
          DeliveryStreamName: target.name,
          DeliveryStreamARN: deliveryStreamArn(ctx, target.name),
          DeliveryStreamStatus: "ACTIVE",
          DeliveryStreamEncryptionConfiguration: { Status: "DISABLED" },
          DeliveryStreamType: target.type,
          VersionId: "1",
          CreateTimestamp: new Date(createdAt),
          ...(target.type === "KinesisStreamAsSource" && {
            Source: { KinesisStreamSourceDescription: { KinesisStreamARN: kinesisStreamArn(ctx, target.config.source), RoleARN: roleArn, DeliveryStartTimestamp: new Date(createdAt) } },
          }),
          Destinations: [
            {
              DestinationId: "destinationId-000000000001",
              ExtendedS3DestinationDescription: describeS3Destination(target.config, { name: target.name, roleArn, bucketArn: target.bucketArn ?? DEFAULT_BUCKET_ARN }),
            },
          ],
          HasMoreDestinations: false,
        },
      };
    },

    async ListDeliveryStreams(input) {
      const limit = readInteger(input, "Limit", { min: 1, max: 10_000 }) ?? 10;
      const type = readString(input, "DeliveryStreamType");
      const after = readString(input, "ExclusiveStartDeliveryStreamName");
      const names = allNames().filter((name) => (after === undefined || name > after) && (type === undefined || find(name)?.type === type));
      const page = names.slice(0, limit);
      return { DeliveryStreamNames: page, HasMoreDeliveryStreams: names.length > page.length };
    },

    async PutRecord(input, ctx) {
      const target = require(nameOf(input), ctx);
      const record = readObject(input, "Record");
      if (!record) throw validationError("Value null at 'record' failed to satisfy constraint: Member must not be null");
      const [result] = await putRecords(target, [readRecord(record, "record")], ctx);
      if (!result || "ErrorCode" in result) throw new AwsError("InvalidArgumentException", result?.ErrorMessage ?? "record refused");
      return { RecordId: result.RecordId, Encrypted: false };
    },

    async PutRecordBatch(input, ctx) {
      const target = require(nameOf(input), ctx);
      const items = readArray(input, "Records", { min: 1, max: MAX_BATCH_RECORDS });
      if (!items) throw validationError("Value null at 'records' failed to satisfy constraint: Member must not be null");
      const records = items.map((item, i) => readRecord(item, `records.${i + 1}.member`));
      const totalBytes = records.reduce((sum, data) => sum + data.byteLength, 0);
      if (totalBytes > MAX_BATCH_BYTES) throw new AwsError("InvalidArgumentException", `the records add up to ${totalBytes} bytes, more than the 4 MiB a batch takes`);
      const responses = await putRecords(target, records, ctx);
      return { FailedPutCount: responses.filter((response) => "ErrorCode" in response).length, Encrypted: false, RequestResponses: responses };
    },
  };

  return {
    name: "Firehose",
    signingName: "firehose",
    errorCodes: FIREHOSE_ERROR_CODES,
    json: { targetPrefix: "Firehose_20150804", version: "1.1", operations },
  };
}
