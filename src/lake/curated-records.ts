// How DuckDB reads curated records and decides, per record, whether it can go into the lake: DuckDB's JSON
// reader parses each record once into text leaves, its values are checked against every column of every
// table it feeds, and only the envelope is kept, typed, in the batch (the tables read their payload fields
// when they are written). A record that fails a check gets an error type and a message and goes to the
// error prefix whole, so a record is either in every table it feeds or in none. A record that is not JSON
// never reaches the batch (the reader skips its line); the converter finds it missing.
//
// Values are judged by what they can be cast to without loss, not by their JSON type: 7 fits a VARCHAR
// column (as "7"), "12.5" fits a DECIMAL one, 1.5 does not fit an INTEGER one (DuckDB would round it),
// "two" fits no number. Every check is a vectorised SQL expression; a record evaluates only the checks of
// its own event type, and messages are only built for the records that fail.
import { ConfigError } from "../errors/index.js";
import { DEFAULT_DELIVERY_STREAMS, DEFAULT_TABLES_CONFIG } from "./config.js";
import { resolveDeliveryStream, type ResolvedDeliveryStream } from "./delivery-stream.js";
import { addPath, shapeLiteral, ShapeConflictError, shapeType, type JsonShape } from "./json-shape.js";
import {
  castText,
  described,
  doesNotFit,
  errorCase,
  errorCaseByType,
  firstError,
  type ErrorDetail,
  partitionFields,
  partitionKeyColumn,
  type RecordCheck,
} from "./record-checks.js";
import { quoteIdentifier, quoteSqlString } from "./sql-text.js";
import { ndjsonRecordsRelation, stagedRecordsRelation, type StagingLayout } from "./staging-lines.js";
import type { LakeColumnType, LakeTable } from "./tables.js";

/** Top-level fields of a curated event and their types; `type`, `store`, `product` and `payload` are apart. */
const ENVELOPE_TYPES = {
  event_id: "VARCHAR",
  occurred_at: "TIMESTAMPTZ",
  ingested_at: "TIMESTAMPTZ",
  source: "VARCHAR",
  customer_id: "VARCHAR",
  session_id: "VARCHAR",
  store_id: "VARCHAR",
  order_id: "VARCHAR",
  product_id: "VARCHAR",
} as const satisfies Record<string, LakeColumnType>;

/** Catalog data that enrich attaches (CuratedEvent.store and .product). */
const STORE_TYPES = { name: "VARCHAR", city: "VARCHAR", region: "VARCHAR", country: "VARCHAR" } as const satisfies Record<
  string,
  LakeColumnType
>;
const PRODUCT_TYPES = { name: "VARCHAR", category: "VARCHAR", list_price: "DOUBLE" } as const satisfies Record<string, LakeColumnType>;

/** Event types name a Hive partition folder of the events table, so they must be safe in a path. */
const EVENT_TYPE_PATTERN = "[a-z][a-z0-9_]{0,63}";

/** The typed envelope column (in the parsed relation) of each non-text envelope field. */
const typedEnvelope = (field: string) => quoteIdentifier(`${field}_typed`);

/**
 * The SQL of a curated batch: what is parsed from each record, the checks that refuse records, and the
 * columns of the batch table. Built once per delivery stream.
 */
export class CuratedRecordsSql {
  readonly layout: StagingLayout = "json";
  /** what the JSON reader parses from a whole record */
  private readonly recordShape: JsonShape = {};
  /** the payload fields that some check reads, and those partition keys read */
  private readonly payloadShape: JsonShape = {};
  private readonly storeShape: JsonShape = {};
  private readonly productShape: JsonShape = {};
  private readonly envelopeChecks: RecordCheck[] = [];
  private readonly checksByType = new Map<string, RecordCheck[]>();
  private readonly placementChecks: RecordCheck[];
  /** SQL of each dynamic partitioning key's value, and of the timestamp the prefixes format */
  private readonly keyValues: ReadonlyMap<string, string>;
  private readonly timestamp: string | undefined;
  /** a partition key reads the payload, so every record's payload is parsed */
  private payloadForEveryType = false;

  /** Throws a ConfigError when a partition key or the timestamp field cannot be read. */
  constructor(delivery: ResolvedDeliveryStream) {
    for (const field of [...Object.keys(ENVELOPE_TYPES), "type"]) this.recordShape[field] = "VARCHAR";
    for (const field of ["store", "product", "payload"]) this.recordShape[field] = "JSON";
    for (const field of Object.keys(STORE_TYPES)) this.storeShape[field] = "VARCHAR";
    for (const field of Object.keys(PRODUCT_TYPES)) this.productShape[field] = "VARCHAR";
    this.addEnvelopeChecks();
    for (const { table } of delivery.tables) this.addTableChecks(table);
    const placement = partitionFields(
      delivery,
      (path, configPath) => this.fieldSql(path, configPath),
      (path) => (ENVELOPE_TYPES[path as keyof typeof ENVELOPE_TYPES] === "TIMESTAMPTZ" ? typedEnvelope(path) : undefined),
      // The event type check allows fewer characters than a partition value: a second check of the shipped
      // `type` key would run a regular expression per record for nothing.
      (path) => path === "type",
    );
    this.keyValues = placement.keyValues;
    this.timestamp = placement.timestamp;
    this.placementChecks = placement.checks;
  }

  /** The DuckDB type the reader parses each record into. */
  get recordType(): string {
    return shapeType(this.recordShape);
  }

  /** DuckDB's reader of a staged file. */
  stagedRelation(path: string): string {
    return stagedRecordsRelation(path, this.recordType);
  }

  /**
   * The SELECT that turns parsed records (`i`, `t`, `r`: stagedRelation's columns) into the batch table.
   * A record that fails a check has an `error` whose message is NULL: selectErrors describes it.
   */
  selectBatch(records: string): string {
    const columns = [
      "i",
      "t",
      'r.type AS "type"',
      ...Object.entries(ENVELOPE_TYPES).map(([field, type]) => `${type === "VARCHAR" ? `r.${quoteIdentifier(field)}` : typedEnvelope(field)} AS ${quoteIdentifier(field)}`),
      `${typedStruct("st", STORE_TYPES)} AS store`,
      `${typedStruct("pr", PRODUCT_TYPES)} AS product`,
      "r.payload AS payload",
      ...[...this.keyValues].map(([key, value]) => `${value} AS ${partitionKeyColumn(key)}`),
      `${this.timestamp ?? "NULL::TIMESTAMPTZ"} AS event_time`,
      `${this.error("typed")} AS error`,
    ];
    return `SELECT ${columns.join(", ")} FROM (${this.parsed(records)})`;
  }

  /** `i` and the described `error` of the records at `indexes` (records that failed a check in selectBatch). */
  selectErrors(records: string, indexes: readonly number[]): string {
    return `SELECT i, ${this.error("described")} AS error FROM (${this.parsed(records)}) WHERE i IN (${indexes.join(", ")})`;
  }

  private error(detail: ErrorDetail): string {
    return firstError([errorCase(this.envelopeChecks, detail), errorCaseByType("r.type", this.checksByType, detail), errorCase(this.placementChecks, detail)]);
  }

  /** Each record with its envelope typed and its payload, store and product objects read as texts. */
  private parsed(records: string): string {
    const payloadTypes = this.payloadForEveryType ? "" : `r.type IN (${[...this.checksByType.keys()].map(quoteSqlString).join(", ")}) AND `;
    const parsesPayload = this.payloadForEveryType || this.checksByType.size > 0;
    return (
      `SELECT i, t, r, ` +
      Object.entries(ENVELOPE_TYPES)
        .filter(([, type]) => type !== "VARCHAR")
        .map(([field, type]) => `${castText(`r.${quoteIdentifier(field)}`, type)} AS ${typedEnvelope(field)}, `)
        .join("") +
      `${parsesPayload ? `CASE WHEN ${payloadTypes}starts_with(r.payload, '{') THEN json_transform(r.payload, ${shapeLiteral(this.payloadShape)}) END` : "NULL"} AS pt, ` +
      `CASE WHEN starts_with(r.store, '{') THEN json_transform(r.store, ${shapeLiteral(this.storeShape)}) END AS st, ` +
      `CASE WHEN starts_with(r.product, '{') THEN json_transform(r.product, ${shapeLiteral(this.productShape)}) END AS pr ` +
      // A line the reader could not parse comes back as a row of NULLs; its record is found missing.
      `FROM ${records} WHERE i IS NOT NULL`
    );
  }

  private addEnvelopeChecks(): void {
    // A record that is JSON but no object reads as an object of NULLs: the type check refuses it.
    this.envelopeChecks.push(
      {
        errorType: "invalid_event",
        failsWhen: `NOT coalesce(regexp_full_match(r.type, '${EVENT_TYPE_PATTERN}'), false)`,
        message: `'type: expected an event type matching ^${EVENT_TYPE_PATTERN}$, got ' || ${described("r.type")}`,
      },
      {
        errorType: "invalid_event",
        failsWhen: `${typedEnvelope("occurred_at")} IS NULL`,
        message: `'occurred_at: expected a timestamp with a zone, got ' || ${described("r.occurred_at")}`,
      },
      {
        errorType: "invalid_event",
        failsWhen: "NOT coalesce(starts_with(r.payload, '{'), false)",
        message: `'payload: expected a JSON object, got ' || ${described("r.payload")}`,
      },
      {
        errorType: "invalid_event",
        failsWhen: "coalesce(r.event_id, '') = ''",
        message: `'event_id: expected a non-empty string, got ' || ${described("r.event_id")}`,
      },
    );
    for (const [field, type] of Object.entries(ENVELOPE_TYPES)) {
      if (type === "VARCHAR" || field === "occurred_at") continue;
      this.envelopeChecks.push({
        errorType: "schema_mismatch",
        failsWhen: `r.${quoteIdentifier(field)} IS NOT NULL AND ${typedEnvelope(field)} IS NULL`,
        message: `'${field}: expected ${type}, got ' || ${described(`r.${quoteIdentifier(field)}`)}`,
      });
    }
    for (const [name, fields, text] of [["store", STORE_TYPES, "st"], ["product", PRODUCT_TYPES, "pr"]] as const) {
      this.envelopeChecks.push({
        errorType: "schema_mismatch",
        failsWhen: `r.${name} IS NOT NULL AND NOT starts_with(r.${name}, '{')`,
        message: `'${name}: expected a JSON object, got ' || ${described(`r.${name}`)}`,
      });
      for (const [field, type] of Object.entries(fields)) {
        const check = valueCheck(`${text}.${quoteIdentifier(field)}`, type, false, `${name}.${field}`);
        if (check) this.envelopeChecks.push(check);
      }
    }
  }

  /** The checks of a table's payload columns and line items, for the event types that feed it. */
  private addTableChecks(table: LakeTable): void {
    // The events table stores the payload whole and takes every type: it reads no payload field.
    if (table.eventTypes === undefined) return;
    const checks: RecordCheck[] = [];
    for (const column of table.columns) {
      if (column.value.from !== "payload") continue;
      const field = column.value.field;
      const check = valueCheck(`pt.${quoteIdentifier(field)}`, column.type, column.required ?? false, `payload.${field}`);
      if (!check) continue;
      addPath(this.payloadShape, "pt", [field], "VARCHAR");
      checks.push(check);
    }
    const lines = table.lineItems;
    if (lines) {
      const list = `pt.${quoteIdentifier(lines.field)}`;
      this.payloadShape[lines.field] = [Object.fromEntries(Object.keys(lines.fields).map((field) => [field, "VARCHAR"]))];
      checks.push({
        errorType: "schema_mismatch",
        failsWhen: `${list} IS NULL`,
        message: `'payload.${lines.field}: expected an array of line items, got ' || ${described(`json_extract(r.payload, ${quoteSqlString(`$.${lines.field}`)})`)}`,
      });
      for (const [field, spec] of Object.entries(lines.fields)) {
        if (spec.type === "VARCHAR" && !spec.required) continue;
        const text = `l.${quoteIdentifier(field)}`;
        const bad = spec.required ? `${text} IS NULL OR ${doesNotFit(text, spec.type)}` : `${text} IS NOT NULL AND ${doesNotFit(text, spec.type)}`;
        const firstBad = `list_position(list_transform(${list}, lambda l: ${bad}), true)`;
        const value = `${list}[${firstBad}].${quoteIdentifier(field)}`;
        const mismatch = `'expected ${spec.type}, got ' || ${value}`;
        checks.push({
          errorType: "schema_mismatch",
          failsWhen: `${firstBad} IS NOT NULL`,
          message:
            `'payload.${lines.field}[' || (${firstBad} - 1) || '].${field}: ' || ` +
            (spec.required ? `CASE WHEN ${value} IS NULL THEN 'required, got nothing' ELSE ${mismatch} END` : mismatch),
        });
      }
    }
    if (checks.length === 0) return;
    for (const type of table.eventTypes) {
      const existing = this.checksByType.get(type) ?? [];
      // Two tables of one event type may read the same field the same way: one check is enough.
      for (const check of checks) if (!existing.some((other) => other.failsWhen === check.failsWhen)) existing.push(check);
      this.checksByType.set(type, existing);
    }
  }

  /**
   * SQL for a record field path: envelope fields as they are parsed anyway; payload, store and product
   * fields from their parsed texts; any other field added to the record shape.
   */
  private fieldSql(path: string, configPath: string): string {
    const [top, ...rest] = path.split(".");
    try {
      if (top === undefined) throw new ShapeConflictError("an empty path");
      if (rest.length === 0) return addPath(this.recordShape, "r", [top], "VARCHAR");
      if (top === "payload") {
        this.payloadForEveryType = true;
        return addPath(this.payloadShape, "pt", rest, "VARCHAR");
      }
      if (top === "store") return addPath(this.storeShape, "st", rest, "VARCHAR");
      if (top === "product") return addPath(this.productShape, "pr", rest, "VARCHAR");
      return addPath(this.recordShape, "r", path.split("."), "VARCHAR");
    } catch (error) {
      if (error instanceof ShapeConflictError) throw new ConfigError(`${configPath}: cannot read ${path}: ${error.message}`);
      throw error;
    }
  }
}

/** The check that `text` is there (when required) and fits `type`; undefined when any text fits. */
function valueCheck(text: string, type: LakeColumnType, required: boolean, where: string): RecordCheck | undefined {
  const fits = type === "VARCHAR" || type === "JSON";
  if (fits && !required) return undefined;
  if (fits) return { errorType: "schema_mismatch", failsWhen: `${text} IS NULL`, message: `'${where}: required, got nothing'` };
  const mismatch = `'${where}: expected ${type}, got ' || ${described(text)}`;
  return required
    ? {
        errorType: "schema_mismatch",
        failsWhen: `${text} IS NULL OR ${doesNotFit(text, type)}`,
        message: `CASE WHEN ${text} IS NULL THEN '${where}: required, got nothing' ELSE ${mismatch} END`,
      }
    : { errorType: "schema_mismatch", failsWhen: `${text} IS NOT NULL AND ${doesNotFit(text, type)}`, message: mismatch };
}

/** The typed struct of a parsed object's texts; NULL when the object was absent. */
function typedStruct(text: string, fields: Readonly<Record<string, LakeColumnType>>): string {
  const members = Object.entries(fields).map(([field, type]) => `${quoteIdentifier(field)} := ${castText(`${text}.${quoteIdentifier(field)}`, type)}`);
  return `CASE WHEN ${text} IS NOT NULL THEN struct_pack(${members.join(", ")}) END`;
}

/**
 * The batch relation (the columns selectTableRows reads, and `error`) over a plain NDJSON file of curated
 * events, as the shipped `curated` delivery stream reads them: for building a lake in bulk with the lake's
 * own SQL (the query bench). Rows with an `error` are records the delivery would refuse.
 */
export function curatedBatchFromNdjson(path: string): string {
  const delivery = resolveDeliveryStream("curated", DEFAULT_DELIVERY_STREAMS["curated"]!, DEFAULT_TABLES_CONFIG);
  const records = new CuratedRecordsSql(delivery);
  return records.selectBatch(ndjsonRecordsRelation(path, records.recordType));
}
