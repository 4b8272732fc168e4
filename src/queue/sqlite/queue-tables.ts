// The SQLite queue's tables, bundled for the operations that work on several at once. Functions taking
// them run inside the caller's transaction.
import type { DeduplicationWindow } from "./deduplication.js";
import type { FifoGroups } from "./fifo-groups.js";
import type { MessageTable } from "./message-table.js";
import type { QueueCatalog } from "./queue-catalog.js";

export interface QueueTables {
  catalog: QueueCatalog;
  messages: MessageTable;
  groups: FifoGroups;
  deduplication: DeduplicationWindow;
  /** tells long polls on a queue that messages may have become receivable there */
  announce(queueName: string): void;
}
