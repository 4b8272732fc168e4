// Firehose's ExtendedS3 destination mapped onto a lake delivery stream, both ways: CreateDeliveryStream's
// configuration becomes a lake DeliveryStreamConfig, and DescribeDeliveryStream describes any lake
// delivery stream (made through the API or declared in the pipeline config) in Firehose's terms.
import {
  deliveryStreamConfig,
  LAKE_TABLES,
  type DeliveryStreamConfig,
} from "../../lake/index.js";
import { AwsError } from "../errors.js";
import { readBoolean, readInteger, readObject, readString } from "../values.js";

type Input = Record<string, unknown>;

const MIB = 1024 * 1024;
/** Firehose's defaults: 5 MiB or 300 s, whichever comes first. */
const DEFAULT_BUFFER_MB = 5;
const DEFAULT_BUFFER_SECONDS = 300;
const KEY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$/;

const invalid = (message: string) => new AwsError("InvalidArgumentException", message);

/** `{customer: .customer_id, region: .store.region}` → { customer: "customer_id", region: "store.region" } */
export function parseMetadataExtractionQuery(query: string): Record<string, string> {
  const body = /^\s*\{(.*)\}\s*$/s.exec(query)?.[1];
  if (body === undefined) throw invalid(`MetadataExtractionQuery ${JSON.stringify(query)}: only an object of simple paths such as {key: .field, other: .a.b} is supported`);
  const keys: Record<string, string> = {};
  for (const pair of body.split(",")) {
    const match = /^\s*"?([^":\s]+)"?\s*:\s*\.(\S+)\s*$/.exec(pair);
    if (!match || !KEY_NAME.test(match[1]!) || !FIELD_PATH.test(match[2]!)) {
      throw invalid(`MetadataExtractionQuery ${JSON.stringify(query)}: ${JSON.stringify(pair.trim())} is not "key: .field.path" (only simple paths are supported, no filters or functions)`);
    }
    keys[match[1]!] = match[2]!;
  }
  if (Object.keys(keys).length === 0) throw invalid("MetadataExtractionQuery names no key");
  return keys;
}

function withSlash(prefix: string | undefined): string | undefined {
  return prefix === undefined || prefix === "" || prefix.endsWith("/") ? prefix || undefined : `${prefix}/`;
}

function partitionKeysOf(destination: Input): Record<string, string> | undefined {
  const dynamic = readObject(destination, "DynamicPartitioningConfiguration");
  if (!dynamic || readBoolean(dynamic, "Enabled") === false) return undefined;
  const processing = readObject(destination, "ProcessingConfiguration");
  const processors = (processing?.["Processors"] as Input[] | undefined) ?? [];
  let keys: Record<string, string> | undefined;
  for (const processor of processors) {
    const type = readString(processor, "Type", { required: true });
    const parameters = (processor["Parameters"] as Input[] | undefined) ?? [];
    const parameter = (name: string) => parameters.find((p) => p["ParameterName"] === name)?.["ParameterValue"] as string | undefined;
    if (type === "MetadataExtraction") {
      const engine = parameter("JsonParsingEngine");
      if (engine !== undefined && engine !== "JQ-1.6") throw invalid(`JsonParsingEngine ${engine} is not supported (JQ-1.6 is)`);
      const query = parameter("MetadataExtractionQuery");
      if (query === undefined) throw invalid("a MetadataExtraction processor needs a MetadataExtractionQuery");
      keys = parseMetadataExtractionQuery(query);
    } else if (type !== "AppendDelimiterToRecord") {
      throw invalid(`processor type ${type} is not supported (MetadataExtraction and AppendDelimiterToRecord are; the lake writes one record per line)`);
    }
  }
  if (!keys) throw invalid("dynamic partitioning needs a MetadataExtraction processor with a MetadataExtractionQuery");
  return keys;
}

/** A lake delivery stream config from an (Extended)S3 destination configuration, reading `source`. */
export function lakeConfigFromS3Destination(source: string, destination: Input): DeliveryStreamConfig {
  const hints = readObject(destination, "BufferingHints") ?? {};
  const sizeMb = readInteger(hints, "SizeInMBs", { min: 1, max: 128 }) ?? DEFAULT_BUFFER_MB;
  const intervalSeconds = readInteger(hints, "IntervalInSeconds", { min: 0, max: 900 }) ?? DEFAULT_BUFFER_SECONDS;
  const compressionFormat = readString(destination, "CompressionFormat") ?? "UNCOMPRESSED";
  const conversion = readObject(destination, "DataFormatConversionConfiguration");
  const converts = conversion !== undefined && readBoolean(conversion, "Enabled") !== false;
  const partitionKeys = partitionKeysOf(destination);
  const prefix = withSlash(readString(destination, "Prefix", { maxLength: 1024 }));
  const errorOutputPrefix = withSlash(readString(destination, "ErrorOutputPrefix", { maxLength: 1024 }));
  const common = {
    source,
    bufferSizeBytes: sizeMb * MIB,
    bufferIntervalMs: intervalSeconds * 1000,
    ...(prefix !== undefined && { prefix }),
    ...(errorOutputPrefix !== undefined && { errorOutputPrefix }),
    ...(partitionKeys !== undefined && { dynamicPartitioning: { keys: partitionKeys } }),
  };
  if (!converts) {
    const compression = { UNCOMPRESSED: "zstd", ZSTD: "zstd", GZIP: "gzip" }[compressionFormat] as "zstd" | "gzip" | undefined;
    if (!compression) throw invalid(`CompressionFormat ${compressionFormat} is not supported: the lake writes NDJSON compressed with zstd (UNCOMPRESSED, ZSTD) or gzip (GZIP)`);
    return deliveryStreamConfig({ ...common, format: "ndjson", compression });
  }
  if (compressionFormat !== "UNCOMPRESSED") throw invalid("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled (the Parquet serializer compresses)");
  const serializer = readObject(readObject(conversion, "OutputFormatConfiguration") ?? {}, "Serializer") ?? {};
  const parquet = readObject(serializer, "ParquetSerDe");
  if (!parquet) throw invalid("OutputFormatConfiguration.Serializer must be ParquetSerDe (ORC is not supported)");
  const parquetCompression = readString(parquet, "Compression") ?? "SNAPPY";
  const compression = { SNAPPY: "snappy", ZSTD: "zstd" }[parquetCompression] as "snappy" | "zstd" | undefined;
  if (!compression) throw invalid(`ParquetSerDe Compression ${parquetCompression} is not supported (SNAPPY and ZSTD are)`);
  const tableName = readString(readObject(conversion, "SchemaConfiguration") ?? {}, "TableName");
  if (tableName === undefined || !LAKE_TABLES.some((table) => table.name === tableName)) {
    throw invalid(
      `SchemaConfiguration.TableName must name the lake table the records are converted into (${LAKE_TABLES.map((table) => table.name).join(", ")}), got ${tableName ?? "none"}`,
    );
  }
  return deliveryStreamConfig({ ...common, format: "parquet", compression, tables: [tableName as DeliveryStreamConfig["tables"] & string] as DeliveryStreamConfig["tables"] });
}

export interface DescribeContext {
  name: string;
  roleArn: string;
  bucketArn: string;
}

/** Any lake delivery stream as Firehose's ExtendedS3DestinationDescription. */
export function describeS3Destination(config: DeliveryStreamConfig, context: DescribeContext): Record<string, unknown> {
  const keys = config.dynamicPartitioning?.keys ?? {};
  const hasKeys = Object.keys(keys).length > 0;
  const parquet = config.format === "parquet";
  const tables = config.tables ?? [];
  const prefix = config.prefix ?? (parquet ? "curated/!{shopstream:table}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/" : `${context.name}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`);
  return {
    RoleARN: context.roleArn,
    BucketARN: context.bucketArn,
    Prefix: prefix,
    ErrorOutputPrefix: config.errorOutputPrefix ?? `errors/${context.name}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`,
    BufferingHints: { SizeInMBs: Math.max(1, Math.round(config.bufferSizeBytes / MIB)), IntervalInSeconds: Math.round(config.bufferIntervalMs / 1000) },
    CompressionFormat: parquet ? "UNCOMPRESSED" : config.compression === "gzip" ? "GZIP" : "ZSTD",
    EncryptionConfiguration: { NoEncryptionConfig: "NoEncryption" },
    S3BackupMode: "Disabled",
    DataFormatConversionConfiguration: parquet
      ? {
          Enabled: true,
          SchemaConfiguration: { DatabaseName: "shopstream", ...(tables.length === 1 && { TableName: tables[0] }) },
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: config.compression === "snappy" ? "SNAPPY" : "ZSTD" } } },
        }
      : { Enabled: false },
    DynamicPartitioningConfiguration: { Enabled: hasKeys },
    ProcessingConfiguration: hasKeys
      ? {
          Enabled: true,
          Processors: [
            {
              Type: "MetadataExtraction",
              Parameters: [
                { ParameterName: "MetadataExtractionQuery", ParameterValue: `{${Object.entries(keys).map(([key, path]) => `${key}: .${path}`).join(", ")}}` },
                { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" },
              ],
            },
          ],
        }
      : { Enabled: false },
  };
}
