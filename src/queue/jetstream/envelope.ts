// A queue message as stored in JetStream: the SQS message (id, body, attributes, digests, group and
// deduplication ids) in one JSON envelope, so a move to the dead-letter queue or a redrive republishes it
// unchanged; and receipt handles, which are the delivery's JetStream ack subject.
import type { MessageAttributeValue } from "../types.js";

export interface Envelope {
  id: string;
  body: string;
  md5: string;
  md5Attributes?: string;
  /** attributes with binary values in base64 */
  attributes?: Record<string, { dataType: string; stringValue?: string; binaryValue?: string }>;
  sentAt: number;
  /** ms since the epoch before which the message stays in the delayed subject */
  visibleAt?: number;
  groupId?: string;
  deduplicationId?: string;
  /** FIFO: the sequence number the send answered */
  sequenceNumber?: string;
  deadLetterSource?: string;
}

export function encodeAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Envelope["attributes"] {
  if (!attributes || Object.keys(attributes).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => {
      const encoded: { dataType: string; stringValue?: string; binaryValue?: string } = { dataType: value.dataType };
      if (value.stringValue !== undefined) encoded.stringValue = value.stringValue;
      if (value.binaryValue !== undefined) encoded.binaryValue = Buffer.from(value.binaryValue).toString("base64");
      return [name, encoded];
    }),
  );
}

export function decodeAttributes(attributes: Envelope["attributes"]): Record<string, MessageAttributeValue> {
  if (!attributes) return {};
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => {
      const decoded: MessageAttributeValue = { dataType: value.dataType };
      if (value.stringValue !== undefined) decoded.stringValue = value.stringValue;
      if (value.binaryValue !== undefined) decoded.binaryValue = Buffer.from(value.binaryValue, "base64");
      return [name, decoded];
    }),
  );
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return Buffer.from(JSON.stringify(envelope), "utf8");
}

export function decodeEnvelope(data: Uint8Array): Envelope {
  return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8")) as Envelope;
}

/** What a JetStream ack subject says about one delivery. */
export interface Delivery {
  /** the ack subject itself: acking, nak-ing and "working" all publish to it */
  replySubject: string;
  jsName: string;
  streamSequence: number;
  deliveryCount: number;
  deliveredAtMs: number;
}

/**
 * Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ns>.<pending>` (and the
 * longer form with domain and account hash, whose last seven tokens are the same).
 */
export function parseDelivery(replySubject: string): Delivery | undefined {
  const tokens = replySubject.split(".");
  if (tokens[0] !== "$JS" || tokens[1] !== "ACK" || tokens.length < 9) return undefined;
  const tail = tokens.slice(-7);
  const [jsName, , delivered, streamSeq, , nanos] = tail;
  const deliveryCount = Number(delivered);
  const streamSequence = Number(streamSeq);
  const deliveredAtMs = Math.floor(Number(nanos) / 1e6);
  if (!jsName || !Number.isSafeInteger(deliveryCount) || !Number.isSafeInteger(streamSequence) || !Number.isFinite(deliveredAtMs)) return undefined;
  return { replySubject, jsName, streamSequence, deliveryCount, deliveredAtMs };
}

/** A receipt handle is the delivery's ack subject, base64url: it names the queue, message and delivery. */
export function formatReceiptHandle(delivery: Delivery): string {
  return Buffer.from(delivery.replySubject, "utf8").toString("base64url");
}

export function parseReceiptHandle(handle: string): Delivery | undefined {
  if (typeof handle !== "string" || handle.length > 512) return undefined;
  return parseDelivery(Buffer.from(handle, "base64url").toString("utf8"));
}
