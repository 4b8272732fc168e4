// One receive, inside its transaction: expire old messages, pick the visible ones (standard) or the heads
// of ready groups (FIFO), dead-letter those received too often, and stamp the rest as in flight with a
// new receipt.
import type { ResolvedReceive } from "../request-validation.js";
import type { ReceivedMessage } from "../types.js";
import { deadLetterRoute, moveToDeadLetter, type DeadLetterRoute } from "./dead-letter.js";
import { toReceivedMessage } from "./message-row.js";
import type { QueueState } from "./queue-catalog.js";
import type { QueueTables } from "./queue-tables.js";
import { formatReceiptHandle, newReceiptNonce } from "./receipt-handle.js";
import { expireMessages } from "./retention.js";

interface Receive {
  tables: QueueTables;
  state: QueueState;
  options: ResolvedReceive;
  route: DeadLetterRoute | undefined;
  now: number;
}

export function receiveMessages(tables: QueueTables, state: QueueState, options: ResolvedReceive, now: number): ReceivedMessage[] {
  expireMessages(tables, state, now);
  const receive: Receive = { tables, state, options, route: deadLetterRoute(tables, state), now };
  return state.description.attributes.fifo ? receiveFifo(receive) : receiveStandard(receive);
}

function receivedTooOften(receive: Receive, receiveCount: number): boolean {
  return receive.route !== undefined && receiveCount >= receive.route.maxReceiveCount;
}

function receiveStandard(receive: Receive): ReceivedMessage[] {
  const { tables, state, options, now } = receive;
  const received: ReceivedMessage[] = [];
  // with a visibility timeout of 0 a received message stays visible; it must not come back in this batch
  const seen = new Set<number>();
  for (;;) {
    let deadLettered = 0;
    for (const candidate of tables.messages.visible(state.id, now, options.maxMessages - received.length + seen.size)) {
      if (seen.has(candidate.id)) continue;
      if (receivedTooOften(receive, candidate.receive_count)) {
        moveToDeadLetter(tables, state, candidate, receive.route!.target, now);
        deadLettered++;
      } else {
        seen.add(candidate.id);
        received.push(markReceived(receive, candidate.id));
      }
    }
    // Only dead-lettering leaves room that another look could fill.
    if (deadLettered === 0 || received.length >= options.maxMessages) return received;
  }
}

function receiveFifo(receive: Receive): ReceivedMessage[] {
  const { tables, state, options, now } = receive;
  const received: ReceivedMessage[] = [];
  const visited = new Set<string>();
  while (received.length < options.maxMessages) {
    const groups = tables.groups.ready(state.id, now, options.maxMessages + visited.size).filter((g) => !visited.has(g));
    if (groups.length === 0) break;
    for (const groupId of groups) {
      if (received.length >= options.maxMessages) break;
      visited.add(groupId);
      received.push(...receiveFromGroup(receive, groupId, options.maxMessages - received.length));
    }
  }
  return received;
}

/** Up to `capacity` messages from a ready group's head, in order, stopping at a delayed one. */
function receiveFromGroup(receive: Receive, groupId: string, capacity: number): ReceivedMessage[] {
  const { tables, state, options, now } = receive;
  const received: ReceivedMessage[] = [];
  let afterSequence = -1;
  reading: while (received.length < capacity) {
    let deadLettered = 0;
    for (const row of tables.messages.groupHead(state.id, groupId, afterSequence, capacity - received.length)) {
      afterSequence = row.sequence;
      if (row.visible_at > now) break reading;
      if (receivedTooOften(receive, row.receive_count)) {
        moveToDeadLetter(tables, state, row, receive.route!.target, now);
        deadLettered++;
      } else {
        received.push(markReceived(receive, row.id));
      }
    }
    if (deadLettered === 0) break;
  }
  // What was delivered is the group's head, in flight until the timeout ends; with nothing delivered (all
  // dead-lettered, or the head delayed) the head moved and the group is worked out afresh.
  if (received.length > 0) tables.groups.holdUntil(state.id, groupId, now + options.visibilityTimeoutMs);
  else tables.groups.refresh(state.id, groupId, now);
  return received;
}

function markReceived(receive: Receive, rowId: number): ReceivedMessage {
  const { tables, state, options, now } = receive;
  const nonce = newReceiptNonce();
  const row = tables.messages.markReceived(rowId, now + options.visibilityTimeoutMs, now, nonce);
  return toReceivedMessage(row, state.description.attributes.fifo, formatReceiptHandle({ queueId: state.id, rowId, nonce }));
}
