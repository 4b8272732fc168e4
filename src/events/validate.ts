// Validates one parsed JSON value as a shop event: the envelope first, then the payload of its type.
// Compiled once; this runs on the ingest hot path for every event.
import { FormatRegistry } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { derivedPayloadSchemas, envelopeSchema, eventTypes, payloadSchemas, type EventType, type ShopEvent } from "./schemas.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has("date-time")) {
  FormatRegistry.Set("date-time", (value) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)));
}

const envelopeCheck = TypeCompiler.Compile(envelopeSchema);
const payloadChecks = new Map<string, TypeCheck<any>>(
  eventTypes.map((type) => [type, TypeCompiler.Compile(payloadSchemas[type])]),
);

export type ValidationCode = "invalid_envelope" | "unknown_type" | "invalid_payload";

export type Validated =
  | { ok: true; event: ShopEvent }
  | { ok: false; code: ValidationCode; message: string };

function describeFirstError(check: TypeCheck<any>, value: unknown, prefix: string): string {
  const first = check.Errors(value).First();
  if (!first) return `${prefix}is invalid`;
  const where = first.path === "" ? prefix.replace(/\.$/, "") || "event" : `${prefix}${first.path.slice(1).replaceAll("/", ".")}`;
  const got = first.value === undefined ? "nothing" : JSON.stringify(first.value)?.slice(0, 80);
  return `${where}: ${first.message.toLowerCase()}, got ${got}`;
}

export function isEventType(type: string): type is EventType {
  return payloadChecks.has(type);
}

export function validateEvent(value: unknown): Validated {
  if (!envelopeCheck.Check(value)) {
    return { ok: false, code: "invalid_envelope", message: describeFirstError(envelopeCheck, value, "") };
  }
  const payloadCheck = payloadChecks.get(value.type);
  if (!payloadCheck && Object.hasOwn(derivedPayloadSchemas, value.type)) {
    return { ok: false, code: "unknown_type", message: `type: ${value.type} events are derived by the pipeline and cannot be sent` };
  }
  if (!payloadCheck) {
    return {
      ok: false,
      code: "unknown_type",
      message: `type: unknown event type ${JSON.stringify(value.type)}; expected one of ${eventTypes.join(", ")}`,
    };
  }
  if (!payloadCheck.Check(value.payload)) {
    return { ok: false, code: "invalid_payload", message: describeFirstError(payloadCheck, value.payload, "payload.") };
  }
  return { ok: true, event: value as ShopEvent };
}

/** The key that routes an event to a shard: explicit, else the entity whose order matters most. */
export function partitionKeyOf(event: ShopEvent): string {
  if (event.partition_key) return event.partition_key;
  const p = event.payload as Record<string, unknown>;
  const key = p["customer_id"] ?? p["store_id"] ?? p["session_id"] ?? event.event_id;
  return String(key);
}
