// Dead-lettering: a message received maxReceiveCount times moves to its queue's dead-letter queue on the
// next receive instead of being delivered, and redrive moves dead-lettered messages back
// (StartMessageMoveTask). Either way the message keeps its id, body and attributes.
import { ValidationError } from "../../errors/index.js";
import { componentId, countDiscarded } from "../../monitor/index.js";
import type { Redrivable } from "./message-table.js";
import type { QueueState } from "./queue-catalog.js";
import type { QueueTables } from "./queue-tables.js";

export interface DeadLetterRoute {
  target: QueueState;
  maxReceiveCount: number;
}

/** Where a queue's messages go once received maxReceiveCount times, if anywhere. */
export function deadLetterRoute(tables: QueueTables, state: QueueState): DeadLetterRoute | undefined {
  const policy = state.description.attributes.redrivePolicy;
  const target = policy && tables.catalog.find(policy.deadLetterQueue);
  // A dead-letter queue deleted after the policy was set routes nothing: messages keep being delivered.
  return target ? { target, maxReceiveCount: policy.maxReceiveCount } : undefined;
}

/** Moves one message to the dead-letter queue, visible at once and keeping its receive count. */
export function moveToDeadLetter(tables: QueueTables, source: QueueState, message: { id: number; group_id: string | null }, target: QueueState, now: number): void {
  const sequence = tables.catalog.reserveSequences(target.id, 1);
  // SQS keeps a standard message's enqueue time (retention counts from the original send) and resets a FIFO one's.
  const fifo = target.description.attributes.fifo;
  tables.messages.moveToDeadLetter(message.id, { queueId: target.id, sequence }, now, fifo, source.description.name);
  if (fifo && message.group_id !== null) tables.groups.joined(target.id, message.group_id, now);
  tables.announce(target.description.name);
  countDiscarded(componentId.queue(source.description.name), "dead_lettered");
}

export function checkRedriveDestination(deadLetterQueue: QueueState, destination: QueueState): void {
  const from = deadLetterQueue.description;
  const to = destination.description;
  if (destination === deadLetterQueue) throw new ValidationError(`redrive needs a destination other than ${from.name} itself`, "invalid_parameter_value");
  if (to.attributes.fifo !== from.attributes.fifo) {
    throw new ValidationError(`cannot redrive from ${from.name} to ${to.name}: both must be FIFO or both standard`, "invalid_parameter_value");
  }
}

/**
 * Moves dead-lettered messages to `destination`, or each to the queue it came from, as if newly sent:
 * visible at once, receive count 0. A message received since it was listed, or whose source queue is
 * gone, stays. Returns how many moved.
 */
export function redriveMessages(
  tables: QueueTables,
  deadLetterQueue: QueueState,
  messages: Redrivable[],
  destination: QueueState | undefined,
  now: number,
): number {
  const fifo = deadLetterQueue.description.attributes.fifo;
  const touchedGroups = new Set<string>();
  const targets = new Set<string>();
  let moved = 0;
  for (const message of messages) {
    const target = destination ?? originalSource(tables, deadLetterQueue, message.dead_letter_source);
    if (!target) continue;
    const sequence = tables.catalog.reserveSequences(target.id, 1);
    if (!tables.messages.moveFromDeadLetter(message.id, deadLetterQueue.id, { queueId: target.id, sequence }, now)) continue;
    moved++;
    targets.add(target.description.name);
    if (fifo && message.group_id !== null) {
      tables.groups.joined(target.id, message.group_id, now);
      touchedGroups.add(message.group_id);
    }
  }
  for (const groupId of touchedGroups) tables.groups.refresh(deadLetterQueue.id, groupId, now);
  for (const name of targets) tables.announce(name);
  return moved;
}

function originalSource(tables: QueueTables, deadLetterQueue: QueueState, sourceName: string | null): QueueState | undefined {
  const source = sourceName === null ? undefined : tables.catalog.find(sourceName);
  const fits = source && source !== deadLetterQueue && source.description.attributes.fifo === deadLetterQueue.description.attributes.fifo;
  return fits ? source : undefined;
}
