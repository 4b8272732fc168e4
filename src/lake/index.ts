// Public surface of the lake: object stores, the table definitions and how to read them, the delivery
// streams that fill the lake (Firehose semantics), compaction, and data quality.
export type { ObjectInfo, ObjectStore, PutFileOptions } from "./object-store.js";
export { LocalObjectStore, type LocalObjectStoreOptions } from "./local/local-object-store.js";
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
export { emptyTableRows, scanTableFiles, selectTableRows, tableDirectory } from "./table-sql.js";
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
