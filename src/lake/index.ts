// Public surface of the lake: object stores, the table definitions, and the delivery stream that fills
// the lake from the curated stream.
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
export { emptyTableRows, quoteIdentifier, quoteSqlString, scanTableFiles, tableDirectory } from "./table-sql.js";
export { LAKE_DATA_PREFIX, LAKE_ERROR_PREFIX, parseObjectKey, type ParsedObjectKey, type SequenceRange } from "./object-names.js";
export type { LakeErrorType } from "./record-validation.js";
export type { ParquetCompression } from "./parquet-converter.js";
export { DEFAULT_LAKE_CONFIG, lakeConfigSchema, type LakeConfig } from "./config.js";
export { LakeDelivery, type LakeDeliveryOptions, type ShardProgress, type StopOptions } from "./delivery.js";
