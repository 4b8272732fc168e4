// Reading request members whatever the protocol: a blob is base64 text in JSON and bytes in CBOR, a
// timestamp is epoch seconds in JSON and a tag-1 Date over epoch milliseconds in CBOR. Constraint
// violations are AWS's ValidationException, phrased as AWS phrases them.
import { AwsError, validationError } from "./errors.js";

type Input = Record<string, unknown>;

interface StringRule {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
}

export function readString(input: Input, member: string, rule: StringRule & { required: true }): string;
export function readString(input: Input, member: string, rule?: StringRule): string | undefined;
export function readString(input: Input, member: string, rule: StringRule = {}): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) {
    if (rule.required) throw validationError(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== "string") throw new AwsError("SerializationException", `${member}: expected a string`);
  if (rule.minLength !== undefined && value.length < rule.minLength) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.minLength}`);
  }
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    throw validationError(`Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${rule.maxLength}`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  }
  return value;
}

export function readInteger(input: Input, member: string, range: { min?: number; max?: number } = {}): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new AwsError("SerializationException", `${member}: expected an integer`);
  if (range.min !== undefined && value < range.min) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${range.min}`);
  }
  if (range.max !== undefined && value > range.max) {
    throw validationError(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${range.max}`);
  }
  return value;
}

export function readBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new AwsError("SerializationException", `${member}: expected a boolean`);
  return value;
}

export function readObject(input: Input, member: string): Input | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array || value instanceof Date) {
    throw new AwsError("SerializationException", `${member}: expected an object`);
  }
  return value as Input;
}

export function readArray(input: Input, member: string, range: { min?: number; max?: number } = {}): unknown[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new AwsError("SerializationException", `${member}: expected a list`);
  if (range.min !== undefined && value.length < range.min) {
    throw validationError(`Value at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${range.min}`);
  }
  if (range.max !== undefined && value.length > range.max) {
    throw validationError(`Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${range.max}`);
  }
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A blob member: bytes in CBOR, base64 text in JSON. */
export function readBlob(input: Input, member: string, options: { required?: boolean } = {}): Uint8Array | undefined {
  const value = input[member];
  if (value === undefined || value === null) {
    if (options.required) throw validationError(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") {
    if (value.length % 4 !== 0 || !BASE64.test(value)) throw new AwsError("SerializationException", `${member}: not valid base64`);
    return Buffer.from(value, "base64");
  }
  throw new AwsError("SerializationException", `${member}: expected a blob`);
}

/** Values at or above this are milliseconds: as seconds they would lie after the year 5000. */
const MILLISECONDS_FROM = 1e11;

/** A timestamp member, in epoch ms: JSON sends epoch seconds, CBOR a tag-1 value the Java SDK fills with ms. */
export function readTimestampMs(input: Input, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  let epoch: number;
  if (value instanceof Date) {
    // cbor-x reads tag 1 as seconds and makes a Date of value × 1000.
    epoch = value.getTime() / 1000;
  } else if (typeof value === "number") {
    epoch = value;
  } else if (typeof value === "string" && !Number.isNaN(Date.parse(value))) {
    return Date.parse(value);
  } else {
    throw new AwsError("SerializationException", `${member}: expected a timestamp`);
  }
  if (!Number.isFinite(epoch)) throw new AwsError("SerializationException", `${member}: expected a timestamp`);
  return Math.abs(epoch) >= MILLISECONDS_FROM ? Math.round(epoch) : Math.round(epoch * 1000);
}
