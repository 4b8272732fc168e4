// What a receipt handle lets a consumer do, inside the call's transaction: delete the message, or change
// how long it stays in flight. Only the handle of the message's latest receive acts on it.
import { ENTRY_ERROR, entryFailure } from "../entry-errors.js";
import { MAX_VISIBILITY_AFTER_RECEIVE_MS, visibilityTimeoutProblem } from "../request-validation.js";
import type { EntryOutcome } from "../types.js";
import type { QueueState } from "./queue-catalog.js";
import type { QueueTables } from "./queue-tables.js";
import { parseReceiptHandle, type Receipt } from "./receipt-handle.js";

export interface VisibilityChange {
  receiptHandle: string;
  visibilityTimeoutSec: number;
}

/** Deletes by receipt handle. A handle of an earlier receive, or of a message already gone, succeeds and
 * deletes nothing (SQS: "the request will still succeed, but the message might not be deleted"). */
export function deleteByReceipts(tables: QueueTables, state: QueueState, receiptHandles: string[], now: number): EntryOutcome[] {
  const touchedGroups = new Set<string>();
  const outcomes = receiptHandles.map((handle): EntryOutcome => {
    const receipt = receiptOf(state, handle);
    if (!receipt) return invalidHandle(handle);
    const deleted = tables.messages.deleteByReceipt(receipt);
    if (deleted?.group_id != null && state.description.attributes.fifo) touchedGroups.add(deleted.group_id);
    return { ok: true };
  });
  for (const groupId of touchedGroups) tables.groups.refresh(state.id, groupId, now);
  // a FIFO group whose in-flight message went may deliver again
  if (touchedGroups.size > 0) tables.announce(state.description.name);
  return outcomes;
}

/** Sets each message's visibility timeout, counted from now, at most 12 hours after its receive. */
export function changeVisibilityByReceipts(tables: QueueTables, state: QueueState, changes: VisibilityChange[], now: number): EntryOutcome[] {
  const touchedGroups = new Set<string>();
  let released = false;
  const outcomes = changes.map((change): EntryOutcome => {
    const receipt = receiptOf(state, change.receiptHandle);
    if (!receipt) return invalidHandle(change.receiptHandle);
    const problem = visibilityTimeoutProblem(change.visibilityTimeoutSec);
    if (problem) return failure(ENTRY_ERROR.invalidParameterValue, problem);
    const message = tables.messages.visibilityState(state.id, receipt.rowId);
    if (!message || message.receipt !== receipt.nonce) {
      return failure(ENTRY_ERROR.receiptHandleIsInvalid, "the receipt handle has expired: the message was deleted or received again");
    }
    if (message.visible_at <= now) return failure(ENTRY_ERROR.messageNotInflight, "the message is not in flight: its visibility timeout has ended");
    const visibleAt = now + change.visibilityTimeoutSec * 1000;
    if (visibleAt > (message.received_at ?? now) + MAX_VISIBILITY_AFTER_RECEIVE_MS) {
      return failure(ENTRY_ERROR.invalidParameterValue, "a message can stay invisible for at most 12 hours after it was received");
    }
    tables.messages.setVisibleAt(receipt.rowId, visibleAt);
    if (change.visibilityTimeoutSec === 0) released = true;
    if (message.group_id !== null && state.description.attributes.fifo) touchedGroups.add(message.group_id);
    return { ok: true };
  });
  for (const groupId of touchedGroups) tables.groups.refresh(state.id, groupId, now);
  if (released) tables.announce(state.description.name);
  return outcomes;
}

/** The receipt a handle names, if this queue issued it. */
function receiptOf(state: QueueState, handle: string): Receipt | undefined {
  const receipt = parseReceiptHandle(handle);
  return receipt && receipt.queueId === state.id ? receipt : undefined;
}

function invalidHandle(handle: string): EntryOutcome {
  return failure(ENTRY_ERROR.receiptHandleIsInvalid, `${JSON.stringify(String(handle).slice(0, 40))} is not a receipt handle of this queue`);
}

function failure(errorCode: string, errorMessage: string): EntryOutcome {
  return { ok: false, ...entryFailure(errorCode, errorMessage) };
}
