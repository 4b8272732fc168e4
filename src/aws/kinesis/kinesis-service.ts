// Kinesis Data Streams (JSON 1.1 and CBOR, target Kinesis_20131202) over the pipeline's Stream. Records put
// on the ingest stream (`events`) go through the ingest service, as POST /v1/events does: the same envelope
// validation, the ingested_at stamp, the in-flight bound (ProvisionedThroughputExceededException) and the
// event's own partition key; an invalid event is a per-record failure. Other streams take bytes as they are.
import { ThrottledError } from "../../errors/index.js";
import type { BodyItem, IngestService } from "../../ingest/index.js";
import { formatSequenceNumber, shardIdOf, shardIndexOf, type PutRecordResult, type StartingPosition, type Stream, type StreamDescription } from "../../stream/index.js";
import { kinesisStreamArn, nameFromArn, type ArnScope } from "../arn.js";
import { AwsError, validationError, type AwsErrorCodes } from "../errors.js";
import type { AwsOperation, AwsService } from "../service.js";
import { readArray, readBlob, readInteger, readObject, readString, readTimestampMs } from "../values.js";
import { decodeShardIterator, encodeShardIterator, ITERATOR_LIFETIME_MS } from "./shard-iterator.js";

export interface KinesisServiceOptions {
  stream: Stream;
  ingest: IngestService;
  /** the stream ingest appends to: records put on it are validated events */
  ingestStream: string;
  /** why a stream may not be deleted (declared in the config, read by a delivery stream), or undefined */
  streamInUse(name: string): string | undefined;
}

type Input = Record<string, unknown>;

const STREAM_NAME = /^[a-zA-Z0-9_.-]+$/;
const DEFAULT_ON_DEMAND_SHARDS = 4;
const MAX_PUT_RECORDS = 500;

export const KINESIS_ERROR_CODES: AwsErrorCodes = {
  invalidArgument: "InvalidArgumentException",
  notFound: "ResourceNotFoundException",
  inUse: "ResourceInUseException",
  throttled: "ProvisionedThroughputExceededException",
  throttledStatus: 400,
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A Kinesis record's data as an ingest body item: one JSON event. */
function ingestItem(data: Uint8Array): BodyItem {
  let text: string;
  try {
    text = utf8.decode(data).trim();
  } catch {
    return { ok: false, code: "invalid_encoding", message: "record data is not valid UTF-8" };
  }
  try {
    const value: unknown = JSON.parse(text);
    return text.startsWith("{") ? { ok: true, value, raw: text } : { ok: true, value };
  } catch (error) {
    return { ok: false, code: "malformed_json", message: `record data is not one JSON event: ${(error as Error).message}` };
  }
}

export function createKinesisService(options: KinesisServiceOptions): AwsService {
  const { stream } = options;

  const streamNameOf = (input: Input): string => {
    const arn = readString(input, "StreamARN");
    if (arn !== undefined) return nameFromArn(arn, "kinesis", "stream");
    return readString(input, "StreamName", { required: true, minLength: 1, maxLength: 128, pattern: STREAM_NAME });
  };

  const describe = (name: string): Promise<StreamDescription> => stream.describeStream(name);

  const notFound = (scope: ArnScope, name: string) => new AwsError("ResourceNotFoundException", `Stream ${name} under account ${scope.accountId} not found.`);

  const requireStream = async (scope: ArnScope, name: string): Promise<StreamDescription> => {
    if (!(await stream.listStreams()).includes(name)) throw notFound(scope, name);
    return describe(name);
  };

  const shardShape = (description: StreamDescription) =>
    description.shards.map((shard, index) => ({
      ShardId: shard.shardId,
      HashKeyRange: { StartingHashKey: shard.startingHashKey, EndingHashKey: shard.endingHashKey },
      SequenceNumberRange: { StartingSequenceNumber: formatSequenceNumber(index, 0) },
    }));

  const summary = (scope: ArnScope, description: StreamDescription) => ({
    StreamName: description.name,
    StreamARN: kinesisStreamArn(scope, description.name),
    StreamStatus: "ACTIVE",
    StreamModeDetails: { StreamMode: "PROVISIONED" },
    RetentionPeriodHours: description.retentionHours,
    StreamCreationTimestamp: new Date(description.createdAt),
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: "NONE",
  });

  /** Appends records; one result per input, in order. Throws ThrottledError when ingest is at capacity. */
  const append = async (name: string, records: Array<{ partitionKey: string; data: Uint8Array; explicitHashKey?: string }>): Promise<PutRecordResult[]> => {
    if (name !== options.ingestStream) {
      const results = await stream.putRecords(name, records);
      return results.map((result) => ("errorCode" in result ? { errorCode: "InvalidArgumentException", errorMessage: result.errorMessage } : result));
    }
    const outcome = await options.ingest.ingest(records.map((record) => ingestItem(record.data)));
    return outcome.results.map((result): PutRecordResult => {
      if ("error" in result) return { errorCode: "InvalidArgumentException", errorMessage: `${result.error.code}: ${result.error.message}` };
      return { shardId: shardIdOf(Number(result.sequence_number.slice(2, 12))), sequenceNumber: result.sequence_number };
    });
  };

  const readRecordInput = (value: unknown, member: string) => {
    if (typeof value !== "object" || value === null) throw new AwsError("SerializationException", `${member}: expected a record`);
    const record = value as Input;
    const data = readBlob(record, "Data", { required: true })!;
    if (data.byteLength > 1024 * 1024) throw validationError(`Value at '${member}.data' failed to satisfy constraint: Member must have length less than or equal to 1048576`);
    const partitionKey = readString(record, "PartitionKey", { required: true, minLength: 1, maxLength: 256 });
    const explicitHashKey = readString(record, "ExplicitHashKey", { pattern: /^(0|[1-9]\d{0,38})$/ });
    return { data, partitionKey, ...(explicitHashKey !== undefined && { explicitHashKey }) };
  };

  const position = async (name: string, shardId: string, input: Input): Promise<StartingPosition> => {
    const type = readString(input, "ShardIteratorType", { required: true });
    const sequenceNumber = readString(input, "StartingSequenceNumber", { pattern: /^(0|[1-9]\d{0,128})$/ });
    switch (type) {
      case "TRIM_HORIZON":
        return { type };
      case "LATEST": {
        // LATEST is "after the newest record now", not whatever is newest at the first read.
        const read = await stream.read(name, shardId, { type: "LATEST" }, 1);
        const first = read.records[0];
        return first ? { type: "AT_SEQUENCE_NUMBER", sequenceNumber: first.sequenceNumber } : read.next;
      }
      case "AT_SEQUENCE_NUMBER":
      case "AFTER_SEQUENCE_NUMBER": {
        if (sequenceNumber === undefined) throw new AwsError("InvalidArgumentException", `StartingSequenceNumber is required for ShardIteratorType ${type}`);
        const at: StartingPosition = { type, sequenceNumber };
        await stream.read(name, shardId, at, 1); // checks the number belongs to the shard
        return at;
      }
      case "AT_TIMESTAMP": {
        const timestampMs = readTimestampMs(input, "Timestamp");
        if (timestampMs === undefined) throw new AwsError("InvalidArgumentException", "Timestamp is required for ShardIteratorType AT_TIMESTAMP");
        if (timestampMs > Date.now() + 1000) {
          throw new AwsError("InvalidArgumentException", `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${timestampMs}, currentTimestampInMillis: ${Date.now()}`);
        }
        return { type, timestampMs };
      }
      default:
        throw validationError(`Value '${type}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]`);
    }
  };

  const requireShard = (description: StreamDescription, shardId: string, scope: ArnScope) => {
    const index = shardIndexOf(shardId);
    if (index === undefined || index >= description.shards.length) {
      throw new AwsError("ResourceNotFoundException", `Shard ${shardId} in stream ${description.name} under account ${scope.accountId} does not exist`);
    }
  };

  const changeRetention = (direction: "increase" | "decrease"): AwsOperation => async (input, ctx) => {
    const name = streamNameOf(input);
    const hours = readInteger(input, "RetentionPeriodHours", { min: 1, max: 8760 });
    if (hours === undefined) throw validationError("Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null");
    const current = (await requireStream(ctx, name)).retentionHours;
    if (direction === "increase" && hours < current) {
      throw new AwsError("InvalidArgumentException", `Requested retention period (${hours} hours) for stream ${name} can not be shorter than existing retention period (${current} hours). Use DecreaseRetentionPeriod API.`);
    }
    if (direction === "decrease" && hours > current) {
      throw new AwsError("InvalidArgumentException", `Requested retention period (${hours} hours) for stream ${name} can not be longer than existing retention period (${current} hours). Use IncreaseRetentionPeriod API.`);
    }
    await stream.setRetentionHours(name, hours);
    return {};
  };

  const operations: Record<string, AwsOperation> = {
    async CreateStream(input, ctx) {
      const name = readString(input, "StreamName", { required: true, minLength: 1, maxLength: 128, pattern: STREAM_NAME });
      const mode = (readObject(input, "StreamModeDetails")?.["StreamMode"] as string | undefined) ?? "PROVISIONED";
      let shardCount = readInteger(input, "ShardCount", { min: 1, max: 1024 });
      if (shardCount === undefined) {
        if (mode !== "ON_DEMAND" && input["StreamModeDetails"] !== undefined) throw new AwsError("InvalidArgumentException", "ShardCount is required for a PROVISIONED stream");
        shardCount = DEFAULT_ON_DEMAND_SHARDS;
      }
      if ((await stream.listStreams()).includes(name)) {
        throw new AwsError("ResourceInUseException", `Stream ${name} under account ${ctx.accountId} already exists.`);
      }
      await stream.createStream(name, { shardCount });
      return {};
    },

    async DeleteStream(input, ctx) {
      const name = streamNameOf(input);
      await requireStream(ctx, name);
      const reason = options.streamInUse(name);
      if (reason !== undefined) throw new AwsError("ResourceInUseException", `Stream ${name} is in use: ${reason}`);
      await stream.deleteStream(name);
      return {};
    },

    async DescribeStream(input, ctx) {
      const name = streamNameOf(input);
      const limit = readInteger(input, "Limit", { min: 1, max: 10_000 }) ?? 100;
      const after = readString(input, "ExclusiveStartShardId");
      const description = await requireStream(ctx, name);
      const all = shardShape(description);
      const start = after === undefined ? 0 : all.findIndex((shard) => shard.ShardId > after) < 0 ? all.length : all.findIndex((shard) => shard.ShardId > after);
      const shards = all.slice(start, start + limit);
      return { StreamDescription: { ...summary(ctx, description), Shards: shards, HasMoreShards: start + shards.length < all.length } };
    },

    async DescribeStreamSummary(input, ctx) {
      const description = await requireStream(ctx, streamNameOf(input));
      return { StreamDescriptionSummary: { ...summary(ctx, description), OpenShardCount: description.shards.length, ConsumerCount: 0 } };
    },

    async ListStreams(input, ctx) {
      const limit = readInteger(input, "Limit", { min: 1, max: 10_000 }) ?? 100;
      const token = readString(input, "NextToken");
      const after = token !== undefined ? decodeToken(token) : readString(input, "ExclusiveStartStreamName");
      const names = (await stream.listStreams()).filter((name) => after === undefined || name > after);
      const page = names.slice(0, limit);
      const hasMore = names.length > page.length;
      const summaries = await Promise.all(
        page.map(async (name) => {
          const description = await describe(name);
          return {
            StreamName: name,
            StreamARN: kinesisStreamArn(ctx, name),
            StreamStatus: "ACTIVE",
            StreamModeDetails: { StreamMode: "PROVISIONED" },
            StreamCreationTimestamp: new Date(description.createdAt),
          };
        }),
      );
      return { StreamNames: page, HasMoreStreams: hasMore, StreamSummaries: summaries, ...(hasMore && { NextToken: encodeToken(page.at(-1)!) }) };
    },

    async ListShards(input, ctx) {
      const token = readString(input, "NextToken");
      const hasName = input["StreamName"] !== undefined || input["StreamARN"] !== undefined;
      if (token !== undefined && hasName) throw new AwsError("InvalidArgumentException", "NextToken and StreamName cannot be provided together.");
      const maxResults = readInteger(input, "MaxResults", { min: 1, max: 10_000 }) ?? 1000;
      let name: string;
      let after: string | undefined;
      if (token !== undefined) {
        const decoded = decodeToken(token).split("\n");
        if (decoded.length !== 2) throw new AwsError("InvalidArgumentException", "Invalid NextToken.");
        [name, after] = decoded as [string, string];
      } else {
        name = streamNameOf(input);
        after = readString(input, "ExclusiveStartShardId");
        const filter = readObject(input, "ShardFilter");
        if (filter?.["Type"] === "AFTER_SHARD_ID") after = readString(filter, "ShardId", { required: true });
      }
      const all = shardShape(await requireStream(ctx, name));
      const rest = all.filter((shard) => after === undefined || shard.ShardId > after);
      const page = rest.slice(0, maxResults);
      const more = rest.length > page.length;
      return { Shards: page, ...(more && { NextToken: encodeToken(`${name}\n${page.at(-1)!.ShardId}`) }) };
    },

    async PutRecord(input, ctx) {
      const name = streamNameOf(input);
      await requireStream(ctx, name);
      const record = readRecordInput(input, "record");
      const [result] = await append(name, [record]);
      if (!result || "errorCode" in result) throw new AwsError(result?.errorCode ?? "InternalFailure", result?.errorMessage ?? "no result");
      return { ShardId: result.shardId, SequenceNumber: result.sequenceNumber, EncryptionType: "NONE" };
    },

    async PutRecords(input, ctx) {
      const name = streamNameOf(input);
      const items = readArray(input, "Records", { min: 1, max: MAX_PUT_RECORDS });
      if (items === undefined) throw validationError("Value null at 'records' failed to satisfy constraint: Member must not be null");
      const records = items.map((item, i) => readRecordInput(item, `records.${i + 1}.member`));
      await requireStream(ctx, name);
      let results: PutRecordResult[];
      try {
        results = await append(name, records);
      } catch (error) {
        if (!(error instanceof ThrottledError)) throw error;
        // Over capacity: every record fails with the throttling code, which producers retry with backoff.
        results = records.map(() => ({ errorCode: "ProvisionedThroughputExceededException", errorMessage: `Rate exceeded for stream ${name} under account ${ctx.accountId}.` }));
      }
      const failed = results.filter((result) => "errorCode" in result).length;
      return {
        FailedRecordCount: failed,
        Records: results.map((result) =>
          "errorCode" in result ? { ErrorCode: result.errorCode, ErrorMessage: result.errorMessage } : { ShardId: result.shardId, SequenceNumber: result.sequenceNumber },
        ),
        EncryptionType: "NONE",
      };
    },

    async GetShardIterator(input, ctx) {
      const name = streamNameOf(input);
      const shardId = readString(input, "ShardId", { required: true, minLength: 1, maxLength: 128 });
      const description = await requireStream(ctx, name);
      requireShard(description, shardId, ctx);
      const at = await position(name, shardId, input);
      return {
        ShardIterator: encodeShardIterator({ stream: name, streamCreatedAt: description.createdAt, shardId, position: at, expiresAtMs: Date.now() + ITERATOR_LIFETIME_MS }),
      };
    },

    async GetRecords(input, ctx) {
      const token = readString(input, "ShardIterator", { required: true, minLength: 1, maxLength: 512 });
      const limit = readInteger(input, "Limit", { min: 1 }) ?? 10_000;
      if (limit > 10_000) throw new AwsError("InvalidArgumentException", `Limit must be at most 10000, got ${limit}`);
      const state = decodeShardIterator(token);
      const description = await requireStream(ctx, state.stream);
      if (description.createdAt !== state.streamCreatedAt) throw notFound(ctx, state.stream);
      const read = await stream.read(state.stream, state.shardId, state.position, limit);
      return {
        Records: read.records.map((record) => ({
          SequenceNumber: record.sequenceNumber,
          ApproximateArrivalTimestamp: new Date(record.approximateArrivalTimestamp),
          Data: record.data,
          PartitionKey: record.partitionKey,
        })),
        NextShardIterator: encodeShardIterator({ ...state, position: read.next, expiresAtMs: Date.now() + ITERATOR_LIFETIME_MS }),
        MillisBehindLatest: read.millisBehindLatest,
      };
    },

    IncreaseStreamRetentionPeriod: changeRetention("increase"),
    DecreaseStreamRetentionPeriod: changeRetention("decrease"),
  };

  return {
    name: "Kinesis",
    signingName: "kinesis",
    errorCodes: KINESIS_ERROR_CODES,
    json: { targetPrefix: "Kinesis_20131202", version: "1.1", operations },
  };
}

function encodeToken(value: string): string {
  return Buffer.from(value).toString("base64");
}

function decodeToken(token: string): string {
  return Buffer.from(token, "base64").toString("utf8");
}

