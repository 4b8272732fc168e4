// Retention: a queue's messages older than its messageRetentionSec are deleted, in flight or not. It runs
// at the start of each receive and count, an index range scan that is empty almost always.
import type { QueueState } from "./queue-catalog.js";
import type { QueueTables } from "./queue-tables.js";

export function expireMessages(tables: QueueTables, state: QueueState, now: number): void {
  const { fifo, messageRetentionSec } = state.description.attributes;
  const groups = tables.messages.expire(state.id, now - messageRetentionSec * 1000);
  if (!fifo) return;
  for (const groupId of new Set(groups)) if (groupId !== null) tables.groups.refresh(state.id, groupId, now);
}
