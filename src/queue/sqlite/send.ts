// One send, inside its transaction: validate each message, deduplicate FIFO sends within the five-minute
// window, and insert the rest with their digests, so receives never recompute them.
import { randomUUID } from "node:crypto";
import { contentDeduplicationId, md5OfBody, md5OfMessageAttributes } from "../checksums.js";
import { checkMessage } from "../message-validation.js";
import type { SendMessageInput, SendMessageResult, SendOutcome } from "../types.js";
import { encodeAttributes, formatSequenceNumber } from "./message-row.js";
import type { QueueState } from "./queue-catalog.js";
import type { QueueTables } from "./queue-tables.js";

interface Checksums {
  md5OfBody: string;
  md5OfMessageAttributes: string | undefined;
}

export function sendMessages(tables: QueueTables, state: QueueState, messages: SendMessageInput[], now: number): SendOutcome[] {
  const attributes = state.description.attributes;
  if (attributes.fifo) tables.deduplication.expire(state.id, now);
  // Failed and duplicate entries leave gaps; sequence numbers only need to increase.
  let sequence = tables.catalog.reserveSequences(state.id, messages.length);
  return messages.map((message): SendOutcome => {
    const problem = checkMessage(message, attributes);
    if (problem) return problem;
    const checksums: Checksums = { md5OfBody: md5OfBody(message.body), md5OfMessageAttributes: md5OfMessageAttributes(message.attributes) };
    const deduplicationId = attributes.fifo ? (message.deduplicationId ?? contentDeduplicationId(message.body)) : null;
    if (deduplicationId !== null) {
      const first = tables.deduplication.find(state.id, deduplicationId, now);
      // A duplicate is accepted and not enqueued; the caller learns the id of the message it repeats.
      if (first) return sendResult(first.message_id, checksums, formatSequenceNumber(first.sequence));
    }
    const messageId = randomUUID();
    const messageSequence = sequence++;
    const visibleAt = now + (message.delaySec ?? attributes.delaySec) * 1000;
    tables.messages.insert({
      queueId: state.id,
      sequence: messageSequence,
      messageId,
      body: message.body,
      md5OfBody: checksums.md5OfBody,
      attributes: encodeAttributes(message.attributes),
      md5OfAttributes: checksums.md5OfMessageAttributes ?? null,
      groupId: message.groupId ?? null,
      deduplicationId,
      sentAt: now,
      visibleAt,
    });
    if (deduplicationId === null || message.groupId === undefined) return sendResult(messageId, checksums);
    tables.deduplication.remember(state.id, deduplicationId, { message_id: messageId, sequence: messageSequence }, now);
    tables.groups.joined(state.id, message.groupId, visibleAt);
    return sendResult(messageId, checksums, formatSequenceNumber(messageSequence));
  });
}

function sendResult(messageId: string, checksums: Checksums, sequenceNumber?: string): SendMessageResult {
  const sent: SendMessageResult = { messageId, md5OfBody: checksums.md5OfBody };
  if (checksums.md5OfMessageAttributes !== undefined) sent.md5OfMessageAttributes = checksums.md5OfMessageAttributes;
  if (sequenceNumber !== undefined) sent.sequenceNumber = sequenceNumber;
  return sent;
}
