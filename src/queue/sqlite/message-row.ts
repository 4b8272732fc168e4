// A messages-table row and how it becomes what receive returns. Attributes are stored as JSON with binary
// values in base64, so a row holds everything a receive needs without further lookups.
import type { MessageAttributeValue, ReceivedMessage } from "../types.js";

export interface MessageRow {
  id: number;
  queue_id: number;
  sequence: number;
  message_id: string;
  body: string;
  md5_of_body: string;
  attributes: string | null;
  md5_of_attributes: string | null;
  group_id: string | null;
  deduplication_id: string | null;
  sent_at: number;
  enqueued_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  received_at: number | null;
  receipt: string | null;
  dead_letter_source: string | null;
}

type StoredAttribute = { dataType: string; stringValue: string } | { dataType: string; binaryBase64: string };

export function encodeAttributes(attributes: Record<string, MessageAttributeValue> | undefined): string | null {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return null;
  const stored: Record<string, StoredAttribute> = {};
  for (const [name, value] of entries) {
    stored[name] = value.binaryValue
      ? { dataType: value.dataType, binaryBase64: Buffer.from(value.binaryValue).toString("base64") }
      : { dataType: value.dataType, stringValue: value.stringValue ?? "" };
  }
  return JSON.stringify(stored);
}

export function decodeAttributes(text: string | null): Record<string, MessageAttributeValue> {
  if (text === null) return {};
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(JSON.parse(text) as Record<string, StoredAttribute>)) {
    attributes[name] =
      "binaryBase64" in value
        ? { dataType: value.dataType, binaryValue: Buffer.from(value.binaryBase64, "base64") }
        : { dataType: value.dataType, stringValue: value.stringValue };
  }
  return attributes;
}

/** FIFO sequence numbers as SQS shows them: fixed-width decimal strings, so they also sort as text. */
export function formatSequenceNumber(sequence: number): string {
  return String(sequence).padStart(20, "0");
}

export function toReceivedMessage(row: MessageRow, fifo: boolean, receiptHandle: string): ReceivedMessage {
  const message: ReceivedMessage = {
    messageId: row.message_id,
    receiptHandle,
    body: row.body,
    md5OfBody: row.md5_of_body,
    messageAttributes: decodeAttributes(row.attributes),
    attributes: {
      ApproximateReceiveCount: String(row.receive_count),
      ApproximateFirstReceiveTimestamp: String(row.first_received_at ?? row.received_at ?? row.sent_at),
      SentTimestamp: String(row.sent_at),
    },
  };
  if (row.md5_of_attributes !== null) message.md5OfMessageAttributes = row.md5_of_attributes;
  if (row.group_id !== null) message.attributes.MessageGroupId = row.group_id;
  if (fifo) {
    if (row.deduplication_id !== null) message.attributes.MessageDeduplicationId = row.deduplication_id;
    message.attributes.SequenceNumber = formatSequenceNumber(row.sequence);
  }
  if (row.dead_letter_source !== null) message.deadLetterSourceQueue = row.dead_letter_source;
  return message;
}
