// Checks one message of a send against SQS's rules (body characters, size, attributes, FIFO fields). A
// failure fails that entry alone; the rest of the batch goes on.
import { isBinaryType } from "./checksums.js";
import { ENTRY_ERROR, entryFailure, type EntryFailure } from "./entry-errors.js";
import { INTEGER_ATTRIBUTES } from "./queue-attributes.js";
import type { MessageAttributeValue, QueueAttributes, SendMessageInput } from "./types.js";

/** The characters SQS accepts in bodies and string attributes (XML 1.0's Char production). A lone
 * surrogate is a code point of its own under the u flag, so it matches and is rejected too. */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_ATTRIBUTES = 10;
const MAX_ATTRIBUTE_NAME_CHARS = 256;
const MAX_DATA_TYPE_CHARS = 256;
/** SQS: "alphanumeric characters, hyphens, underscores and periods", read as Unicode letters and digits
 * (moto's attribute-digest vector names one "öther_encodings") */
const ATTRIBUTE_NAME = /^[\p{L}\p{N}_.-]+$/u;
const RESERVED_ATTRIBUTE_PREFIX = /^(aws\.|amazon\.)/i;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const MAX_NUMBER_DIGITS = 38;
/** group and deduplication ids: 1–128 letters, digits and ASCII punctuation */
const FIFO_ID = /^[\x21-\x7E]{1,128}$/;

/** Bytes a message counts against maximumMessageBytes: the body plus each attribute's name, type and value. */
export function messageBytes(message: SendMessageInput): number {
  let bytes = Buffer.byteLength(message.body ?? "", "utf8");
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    bytes += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.dataType ?? "", "utf8");
    bytes += value.binaryValue ? value.binaryValue.byteLength : Buffer.byteLength(value.stringValue ?? "", "utf8");
  }
  return bytes;
}

export function checkMessage(message: SendMessageInput, queue: QueueAttributes): EntryFailure | undefined {
  if (typeof message.body !== "string" || message.body.length === 0) {
    return entryFailure(ENTRY_ERROR.missingParameter, "the message body must not be empty");
  }
  if (INVALID_CHARACTER.test(message.body)) {
    return entryFailure(ENTRY_ERROR.invalidMessageContents, "the message body contains characters outside the allowed set (XML 1.0 characters)");
  }
  const bytes = messageBytes(message);
  if (bytes > queue.maximumMessageBytes) {
    return entryFailure(ENTRY_ERROR.invalidParameterValue, `the message is ${bytes} bytes; it must be at most ${queue.maximumMessageBytes}`);
  }
  return checkDelay(message, queue) ?? checkAttributes(message.attributes) ?? checkFifoFields(message, queue);
}

function checkDelay(message: SendMessageInput, queue: QueueAttributes): EntryFailure | undefined {
  if (message.delaySec === undefined) return undefined;
  if (queue.fifo) {
    return entryFailure(ENTRY_ERROR.invalidParameterValue, "FIFO queues take no per-message delay; set the queue's delaySec instead");
  }
  const { min, max } = INTEGER_ATTRIBUTES.delaySec;
  if (!Number.isInteger(message.delaySec) || message.delaySec < min || message.delaySec > max) {
    return entryFailure(ENTRY_ERROR.invalidParameterValue, `delaySec must be an integer from ${min} to ${max}, got ${message.delaySec}`);
  }
  return undefined;
}

function checkAttributes(attributes: Record<string, MessageAttributeValue> | undefined): EntryFailure | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) {
    return entryFailure(ENTRY_ERROR.invalidParameterValue, `a message has at most ${MAX_ATTRIBUTES} attributes, got ${names.length}`);
  }
  for (const name of names) {
    const problem = attributeNameProblem(name) ?? attributeValueProblem(attributes[name]!);
    if (problem) return entryFailure(ENTRY_ERROR.invalidParameterValue, `message attribute ${JSON.stringify(name)}: ${problem}`);
  }
  return undefined;
}

function attributeNameProblem(name: string): string | undefined {
  if (name.length > MAX_ATTRIBUTE_NAME_CHARS || !ATTRIBUTE_NAME.test(name)) {
    return `names are 1 to ${MAX_ATTRIBUTE_NAME_CHARS} characters of letters, digits, "_", "-" and "."`;
  }
  if (RESERVED_ATTRIBUTE_PREFIX.test(name)) return `names starting with "AWS." or "Amazon." are reserved`;
  if (name.startsWith(".") || name.endsWith(".") || name.includes("..")) return "names cannot start or end with a period, or hold two in a row";
  return undefined;
}

function attributeValueProblem(value: MessageAttributeValue): string | undefined {
  if (typeof value?.dataType !== "string" || value.dataType.length > MAX_DATA_TYPE_CHARS || !DATA_TYPE.test(value.dataType)) {
    return `the data type must be String, Number or Binary, optionally with a ".suffix" (at most ${MAX_DATA_TYPE_CHARS} characters)`;
  }
  if (isBinaryType(value.dataType)) {
    if (!(value.binaryValue instanceof Uint8Array) || value.binaryValue.byteLength === 0) return "a Binary attribute needs a non-empty binaryValue";
    return undefined;
  }
  if (typeof value.stringValue !== "string" || value.stringValue.length === 0) return `a ${value.dataType} attribute needs a non-empty stringValue`;
  if (INVALID_CHARACTER.test(value.stringValue)) return "the value contains characters outside the allowed set";
  if (value.dataType.startsWith("Number")) return numberProblem(value.stringValue);
  return undefined;
}

function numberProblem(text: string): string | undefined {
  if (!NUMBER.test(text)) return `${JSON.stringify(text)} is not a number`;
  const digits = text.replace(/[eE].*$/, "").replace(/[^0-9]/g, "").replace(/^0+/, "");
  if (digits.length > MAX_NUMBER_DIGITS) return `numbers have at most ${MAX_NUMBER_DIGITS} digits of precision`;
  return undefined;
}

function checkFifoFields(message: SendMessageInput, queue: QueueAttributes): EntryFailure | undefined {
  if (message.groupId !== undefined && !FIFO_ID.test(message.groupId)) {
    return entryFailure(ENTRY_ERROR.invalidParameterValue, "a message group id is 1 to 128 letters, digits and punctuation characters");
  }
  if (!queue.fifo) {
    if (message.deduplicationId !== undefined) {
      return entryFailure(ENTRY_ERROR.invalidParameterValue, "deduplication ids apply to FIFO queues only");
    }
    return undefined;
  }
  if (message.groupId === undefined) return entryFailure(ENTRY_ERROR.missingParameter, "a FIFO queue needs a message group id");
  if (message.deduplicationId === undefined) {
    if (queue.contentBasedDeduplication) return undefined;
    return entryFailure(
      ENTRY_ERROR.invalidParameterValue,
      "the queue should either have contentBasedDeduplication enabled or a deduplication id provided explicitly",
    );
  }
  if (!FIFO_ID.test(message.deduplicationId)) {
    return entryFailure(ENTRY_ERROR.invalidParameterValue, "a deduplication id is 1 to 128 letters, digits and punctuation characters");
  }
  return undefined;
}
