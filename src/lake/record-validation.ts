// Decides, per stream record, whether it can go into the lake and where: parses it, checks every value a
// table reads against the column's type, and derives its event-time partition. A record that fails goes to
// the error prefix whole, so a record is either in every table it feeds or in none.
import { ENVELOPE_TYPES, PRODUCT_TYPES, STORE_TYPES } from "./curated-source.js";
import { hourPartitionOf, isEventTime, type HourPartition } from "./event-time.js";
import { tablesForEventType, type LakeColumnType, type LakeTable } from "./tables.js";

export type LakeErrorType = "invalid_json" | "invalid_event" | "schema_mismatch";

export interface ValidRecord {
  ok: true;
  /** the parsed record */
  event: Readonly<Record<string, unknown>>;
  type: string;
  partition: HourPartition;
  tables: readonly LakeTable[];
}

export interface RejectedRecord {
  ok: false;
  errorType: LakeErrorType;
  message: string;
}

type JsonObject = Record<string, unknown>;
/** Returns what is wrong with a record, or undefined. */
type Check = (event: JsonObject, payload: JsonObject) => string | undefined;

/** Event types name a Hive partition directory, so they must be safe in a path. */
const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const INT32_MAX = 2 ** 31 - 1;
/** DECIMAL(18,4) holds 14 integer digits. */
const DECIMAL_18_4_LIMIT = 1e14;

export function validateCuratedRecord(text: string): ValidRecord | RejectedRecord {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    return reject("invalid_json", `record is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(event)) return reject("invalid_event", "record is not a JSON object");
  const type = event["type"];
  if (typeof type !== "string" || !EVENT_TYPE.test(type)) {
    return reject("invalid_event", `type: expected an event type matching ${EVENT_TYPE.source}, got ${describe(type)}`);
  }
  const occurredAt = event["occurred_at"];
  if (typeof occurredAt !== "string" || !isEventTime(occurredAt)) {
    return reject("invalid_event", `occurred_at: expected an RFC 3339 timestamp with a zone, got ${describe(occurredAt)}`);
  }
  const payload = event["payload"];
  if (!isObject(payload)) return reject("invalid_event", `payload: expected a JSON object, got ${describe(payload)}`);
  if (typeof event["event_id"] !== "string" || event["event_id"] === "") {
    return reject("invalid_event", `event_id: expected a non-empty string, got ${describe(event["event_id"])}`);
  }
  const compiled = checksFor(type);
  for (const check of compiled.checks) {
    const problem = check(event, payload);
    if (problem !== undefined) return reject("schema_mismatch", problem);
  }
  return { ok: true, event, type, partition: hourPartitionOf(occurredAt), tables: compiled.tables };
}

function reject(errorType: LakeErrorType, message: string): RejectedRecord {
  return { ok: false, errorType, message };
}

interface CompiledType {
  tables: readonly LakeTable[];
  checks: readonly Check[];
}

const compiledByType = new Map<string, CompiledType>();

/** The checks for one event type, built once from the table definitions. */
function checksFor(type: string): CompiledType {
  let compiled = compiledByType.get(type);
  if (!compiled) {
    const tables = tablesForEventType(type);
    compiled = { tables, checks: [...envelopeChecks(), ...tables.flatMap(tableChecks)] };
    compiledByType.set(type, compiled);
  }
  return compiled;
}

/** Every record is read through the same DuckDB struct, so every record passes these. */
function envelopeChecks(): Check[] {
  // event_id and occurred_at were checked first, as they decide everything else.
  const checks: Check[] = Object.entries(ENVELOPE_TYPES)
    .filter(([field]) => field !== "event_id" && field !== "occurred_at")
    .map(([field, type]): Check => (event) => problemWith(event[field], type, false, field));
  for (const [name, fields] of [["store", STORE_TYPES], ["product", PRODUCT_TYPES]] as const) {
    checks.push((event) => {
      const value = event[name];
      if (value === undefined || value === null) return undefined;
      if (!isObject(value)) return `${name}: expected a JSON object, got ${describe(value)}`;
      for (const [field, type] of Object.entries(fields)) {
        const problem = problemWith(value[field], type, false, `${name}.${field}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    });
  }
  return checks;
}

function tableChecks(table: LakeTable): Check[] {
  const checks: Check[] = [];
  for (const column of table.columns) {
    const value = column.value;
    if (value.from === "payload") {
      const { field } = value;
      checks.push((_, payload) => problemWith(payload[field], column.type, column.required ?? false, `payload.${field}`));
    }
  }
  const lineItems = table.lineItems;
  if (lineItems) {
    const fields = Object.entries(lineItems.fields);
    checks.push((_, payload) => {
      const items = payload[lineItems.field];
      const where = `payload.${lineItems.field}`;
      if (!Array.isArray(items)) return `${where}: expected an array of line items, got ${describe(items)}`;
      for (let i = 0; i < items.length; i++) {
        const item: unknown = items[i];
        if (!isObject(item)) return `${where}[${i}]: expected a JSON object, got ${describe(item)}`;
        for (const [field, spec] of fields) {
          const problem = problemWith(item[field], spec.type, spec.required ?? false, `${where}[${i}].${field}`);
          if (problem !== undefined) return problem;
        }
      }
      return undefined;
    });
  }
  return checks;
}

/** What stops `value` from being stored as `type`, or undefined; absent and null are NULL. */
export function problemWith(value: unknown, type: LakeColumnType, required: boolean, where: string): string | undefined {
  if (value === undefined || value === null) return required ? `${where}: required, got nothing` : undefined;
  if (fitsType(value, type)) return undefined;
  return `${where}: expected ${type}, got ${describe(value)}`;
}

function fitsType(value: unknown, type: LakeColumnType): boolean {
  switch (type) {
    case "VARCHAR":
      return typeof value === "string";
    case "INTEGER":
      return Number.isInteger(value) && Math.abs(value as number) <= INT32_MAX;
    case "BIGINT":
      return Number.isSafeInteger(value);
    case "DOUBLE":
      return typeof value === "number" && Number.isFinite(value);
    case "DECIMAL(18,4)":
      return typeof value === "number" && Number.isFinite(value) && Math.abs(value) < DECIMAL_18_4_LIMIT;
    case "BOOLEAN":
      return typeof value === "boolean";
    case "TIMESTAMPTZ":
      return typeof value === "string" && isEventTime(value);
    case "DATE":
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && isEventTime(`${value}T00:00:00Z`);
    case "JSON":
      return true;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
