// Public surface of the lake: object stores, the table definitions and how to read them, the delivery
// streams that fill the lake (Firehose semantics), compaction, and data quality.
export type { ObjectInfo, ObjectStore, PutFileOptions } from "./object-store.js";
export { LocalObjectStore, type LocalObjectStoreOptions } from "./local/local-object-store.js";
export { S3ObjectStore, type S3ObjectStoreOptions } from "./s3/s3-object-store.js";
export { MirroredObjectStore, type MirroredObjectStoreOptions } from "./s3/mirrored-object-store.js";
export { createS3Client } from "./s3/s3-client.js";
export { openLakeStore, type LakeStore } from "./lake-store.js";
export { DEFAULT_LAKE_CONFIG, lakeConfigSchema, s3StoreConfig, s3StoreConfigSchema, type LakeConfig, type S3StoreConfig } from "./store-config.js";
export {
  LAKE_TABLES,
  lakeTable,
  tablesForEventType,
  type ColumnValue,
  type EnvelopeField,
  type LakeColumn,
  type LakeColumnType,
  type LakeTable,
  type LakeTableName,
  type LineItemsSpec,
  type PartitionColumn,
} from "./tables.js";
export { quoteIdentifier, quoteSqlString } from "./sql-text.js";
export { emptyTableRows, scanTableFiles, selectTableRows, tableDirectory, type LakeFiles } from "./table-sql.js";
export { curatedBatchFromNdjson } from "./curated-records.js";
export { LAKE_DATA_PREFIX, parseObjectKey, type ParsedObjectKey, type SequenceRange } from "./object-names.js";
export type { LakeErrorType } from "./record-errors.js";
export {
  compactionConfigSchema,
  DEFAULT_DELIVERY_STREAMS,
  DEFAULT_TABLES_CONFIG,
  deliveryStreamConfig,
  deliveryStreamConfigSchema,
  deliveryStreamsConfigSchema,
  tablesConfigSchema,
  type CompactionConfig,
  type DeliveryStreamConfig,
  type DeliveryStreamsConfig,
  type Expectation,
  type TableSettings,
  type TablesConfig,
} from "./config.js";
export { resolveDeliveryStreams, type ResolvedDeliveryStream } from "./delivery-stream.js";
export { LakeDelivery, type LakeDeliveryOptions, type ShardProgress, type StopOptions } from "./delivery.js";
export { LakeCompactor, type CompactionSummary, type LakeCompactorOptions } from "./compactor.js";
export type { ExpectationOutcome } from "./expectations.js";
export type { ExpectationStatus, QualityReport } from "./quality-report.js";
export { runQualityCheck, type QualityCheckOptions, type QualityCheckReport } from "./quality-check.js";
