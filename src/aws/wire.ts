// The AWS wire encodings: awsJson 1.0/1.1 (blobs base64, timestamps epoch seconds), Kinesis's CBOR (blobs
// as byte strings, timestamps as tag 1 over epoch *milliseconds*, as the AWS SDK for Java writes and reads
// them), and the query protocol's XML answers. Requests are decoded to plain objects; answers are encoded
// from plain objects whose blobs are Uint8Array and whose timestamps are Date.
import { Encoder, Tag } from "cbor-x";
import { AwsError, faultOf } from "./errors.js";
import type { WireProtocol } from "./service.js";

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

export const CONTENT_TYPES = {
  json10: "application/x-amz-json-1.0",
  json11: "application/x-amz-json-1.1",
  cbor: "application/x-amz-cbor-1.1",
  form: "application/x-www-form-urlencoded",
  xml: "text/xml",
} as const;

/** The protocol of a request by its content type; JSON when there is none (an empty body). */
export function protocolOf(contentType: string | undefined): WireProtocol {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === CONTENT_TYPES.cbor) return "cbor";
  if (type === CONTENT_TYPES.form) return "query";
  return "json";
}

export function decodeBody(protocol: WireProtocol, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    if (protocol === "cbor") value = cbor.decode(body);
    else if (protocol === "query") value = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
    else value = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new AwsError("SerializationException", `the request body is not valid ${protocol === "cbor" ? "CBOR" : "JSON"}: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AwsError("SerializationException", "the request body must be an object");
  }
  return value as Record<string, unknown>;
}

/** JSON: blobs in base64, timestamps in epoch seconds with a millisecond fraction; undefined members dropped. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = toJsonValue(member);
    return out;
  }
  return value;
}

/** CBOR: blobs as byte strings, timestamps as tag 1 over epoch milliseconds (what the Java SDK expects). */
function toCborValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Date) return new Tag(value.getTime(), 1);
  if (Array.isArray(value)) return value.map(toCborValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = toCborValue(member);
    return out;
  }
  return value;
}

export function encodeJson(value: object): Buffer {
  return Buffer.from(JSON.stringify(toJsonValue(value)));
}

export function encodeCbor(value: object): Buffer {
  return Buffer.from(cbor.encode(toCborValue(value)));
}

export function decodeCbor(bytes: Uint8Array): unknown {
  return cbor.decode(bytes);
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!);
}

/**
 * The query protocol's XML for an output object: members become elements, arrays repeat their element
 * (flattened lists, as SQS answers them), blobs are base64 and timestamps ISO 8601.
 */
export function toXml(value: unknown, name?: string): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((item) => toXml(item, name)).join("");
  let inner: string;
  if (value instanceof Uint8Array) inner = Buffer.from(value).toString("base64");
  else if (value instanceof Date) inner = value.toISOString();
  else if (typeof value === "object") inner = Object.entries(value).map(([key, member]) => toXml(member, key)).join("");
  else inner = escapeXml(String(value));
  return name === undefined ? inner : `<${name}>${inner}</${name}>`;
}

export function queryResponseXml(action: string, xmlNamespace: string, output: object, requestId: string): string {
  return (
    `<?xml version="1.0"?><${action}Response xmlns="${xmlNamespace}"><${action}Result>${toXml(output)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryErrorXml(error: AwsError, xmlNamespace: string, requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${faultOf(error.httpStatus)}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
