// A delivery stream's config resolved into what delivery runs on: parsed prefixes (one per table for
// Parquet), the record fields it reads, its expectations and its compaction. Also the checks that span
// fields and delivery streams, which a JSON Schema cannot express: each table has one delivery stream, and
// no two delivery streams write under the same key prefix (a restart reads its own progress from its keys).
import { ConfigError } from "../errors/index.js";
import {
  DEFAULT_COMPACTION_CONFIG,
  DEFAULT_TABLE_PREFIX,
  defaultErrorOutputPrefix,
  defaultNdjsonPrefix,
  type CompactionConfig,
  type DeliveryStreamConfig,
  type DeliveryStreamsConfig,
  type Expectation,
  type TablesConfig,
} from "./config.js";
import { LAKE_DATA_PREFIX } from "./object-names.js";
import { finestTimeUnit, parsePrefixTemplate, staticPrefix, type ExpressionKind, type PrefixTemplate, type TimeUnit } from "./prefix-template.js";
import { LAKE_TABLES, lakeTable, type LakeTable, type LakeTableName } from "./tables.js";

export interface DeliveredTable {
  table: LakeTable;
  /** the table's key prefix; renders every expression but the table (already substituted) */
  prefix: PrefixTemplate;
  expectations: readonly Expectation[];
}

export interface ResolvedDeliveryStream {
  name: string;
  config: DeliveryStreamConfig;
  /** parquet: the tables it fills, each with its prefix; empty for ndjson */
  tables: readonly DeliveredTable[];
  /** ndjson: the prefix of its objects */
  prefix: PrefixTemplate | undefined;
  errorPrefix: PrefixTemplate;
  /** dynamic partitioning: key name → record field path */
  partitionKeys: Readonly<Record<string, string>>;
  /** the finest unit the prefixes format, if any: records are grouped by their timestamp truncated to it */
  timeUnit: TimeUnit | undefined;
  /** parquet only */
  compaction: CompactionConfig | undefined;
  /** the literal prefixes every key it writes starts with: its data, then its error output */
  roots: readonly string[];
}

const DATA_EXPRESSIONS: ReadonlySet<ExpressionKind> = new Set(["timestamp", "partitionKey"]);
const TABLE_EXPRESSIONS: ReadonlySet<ExpressionKind> = new Set(["timestamp", "partitionKey", "table"]);
const ERROR_EXPRESSIONS: ReadonlySet<ExpressionKind> = new Set(["timestamp", "errorType"]);

export function resolveDeliveryStream(name: string, config: DeliveryStreamConfig, tablesConfig: TablesConfig): ResolvedDeliveryStream {
  const path = `deliveryStreams.${name}`;
  const partitionKeys = config.dynamicPartitioning?.keys ?? {};
  const keys = new Set(Object.keys(partitionKeys));
  if (config.format === "parquet" && config.compression === "gzip") {
    throw new ConfigError(`${path}.compression: parquet is compressed with zstd or snappy, not gzip`);
  }
  if (config.format === "ndjson" && config.compression === "snappy") {
    throw new ConfigError(`${path}.compression: ndjson is compressed with zstd or gzip, not snappy`);
  }
  const errorPrefix = parsePrefixTemplate(config.errorOutputPrefix ?? defaultErrorOutputPrefix(name), {
    path: `${path}.errorOutputPrefix`,
    allowed: ERROR_EXPRESSIONS,
    required: new Set(["errorType"]),
  });

  let tables: DeliveredTable[] = [];
  let prefix: PrefixTemplate | undefined;
  let compaction: CompactionConfig | undefined;
  if (config.format === "parquet") {
    const names = config.tables ?? LAKE_TABLES.map((table) => table.name);
    tables = names.map((tableName) => {
      const table = lakeTable(tableName);
      if (!table) throw new ConfigError(`${path}.tables: no lake table ${tableName}`);
      const settings = tablesConfig[tableName as LakeTableName];
      const ownPrefix = settings.prefix;
      const source = ownPrefix ?? config.prefix ?? DEFAULT_TABLE_PREFIX;
      const where = ownPrefix === undefined ? `${path}.prefix` : `tables.${tableName}.prefix`;
      const template = withTable(parsePrefixTemplate(source, { path: where, allowed: TABLE_EXPRESSIONS, keys }), table.name);
      // Analytics reads a table from curated/<table>/, so that is where its objects must go.
      const root = `${LAKE_DATA_PREFIX}/${table.name}/`;
      if (!staticPrefix(template).startsWith(root)) {
        throw new ConfigError(`${where}: the objects of table ${table.name} must go under ${root} (analytics reads them there); got ${JSON.stringify(source)}`);
      }
      checkExpectations(`tables.${tableName}.expectations`, settings.expectations);
      return { table, prefix: template, expectations: settings.expectations };
    });
    compaction = config.compaction ?? DEFAULT_COMPACTION_CONFIG;
  } else {
    if (config.tables !== undefined) throw new ConfigError(`${path}.tables: only a parquet delivery stream fills tables`);
    if (config.compaction !== undefined) throw new ConfigError(`${path}.compaction: only parquet objects are compacted (the raw zone is an archive)`);
    prefix = parsePrefixTemplate(config.prefix ?? defaultNdjsonPrefix(name), { path: `${path}.prefix`, allowed: DATA_EXPRESSIONS, keys });
  }

  const dataTemplates = prefix ? [prefix] : tables.map((delivered) => delivered.prefix);
  const roots = [...(prefix ? [staticPrefix(prefix)] : tables.map((delivered) => `${LAKE_DATA_PREFIX}/${delivered.table.name}/`)), staticPrefix(errorPrefix)];
  for (const root of roots) {
    if (root === "") {
      throw new ConfigError(`${path}: every prefix must start with a fixed folder (such as "raw/") before its first expression, so that its objects can be listed apart`);
    }
  }
  return {
    name,
    config,
    tables,
    prefix,
    errorPrefix,
    partitionKeys,
    timeUnit: finestTimeUnit(dataTemplates),
    compaction,
    roots,
  };
}

/** Resolves every delivery stream and checks them against each other; throws a ConfigError listing the problems. */
export function resolveDeliveryStreams(streams: DeliveryStreamsConfig, tablesConfig: TablesConfig): ResolvedDeliveryStream[] {
  const resolved = Object.entries(streams).map(([name, config]) => resolveDeliveryStream(name, config, tablesConfig));
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const delivery of resolved) {
    for (const { table } of delivery.tables) {
      const owner = owners.get(table.name);
      if (owner !== undefined) problems.push(`deliveryStreams.${delivery.name}.tables: table ${table.name} is already filled by delivery stream ${owner}`);
      owners.set(table.name, delivery.name);
    }
  }
  const roots = resolved.flatMap((delivery) => delivery.roots.map((root) => ({ root, delivery: delivery.name })));
  for (const [i, a] of roots.entries()) {
    for (const b of roots.slice(i + 1)) {
      if (a.delivery !== b.delivery && (a.root.startsWith(b.root) || b.root.startsWith(a.root))) {
        problems.push(`deliveryStreams.${a.delivery} and deliveryStreams.${b.delivery} both write under ${JSON.stringify(a.root.length < b.root.length ? a.root : b.root)}; give each its own prefix`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return resolved;
}

/** The template with `!{shopstream:table}` replaced by the table's name. */
function withTable(template: PrefixTemplate, table: string): PrefixTemplate {
  const parts: PrefixTemplate["parts"][number][] = [];
  for (const part of template.parts) {
    const next = part.kind === "table" ? { kind: "literal" as const, text: table } : part;
    const previous = parts.at(-1);
    if (next.kind === "literal" && previous?.kind === "literal") parts[parts.length - 1] = { kind: "literal", text: previous.text + next.text };
    else parts.push(next);
  }
  return { source: template.source, parts };
}

function checkExpectations(path: string, expectations: readonly Expectation[]): void {
  for (const [i, expectation] of expectations.entries()) {
    if (expectation.type !== "range") continue;
    if (expectation.min === undefined && expectation.max === undefined) throw new ConfigError(`${path}[${i}]: a range needs min, max or both`);
    if (expectation.min !== undefined && expectation.max !== undefined && expectation.min > expectation.max) {
      throw new ConfigError(`${path}[${i}]: min ${expectation.min} is above max ${expectation.max}`);
    }
  }
}
