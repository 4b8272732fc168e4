// Makes a backend's queues match the pipeline config: creates the missing ones (dead-letter queues before
// the queues that name them, since SQS requires the target to exist) and sets the attributes of existing
// ones, so editing the config and restarting changes a queue, as a stack update would.
import { ValidationError } from "../errors/index.js";
import type { Queue, QueueAttributes } from "./types.js";

export async function applyQueuesConfig(queue: Queue, queues: Record<string, Partial<QueueAttributes>>): Promise<void> {
  const existing = new Set(await queue.listQueues());
  const pending = new Map(Object.entries(queues));
  while (pending.size > 0) {
    const ready = [...pending].filter(([, attributes]) => {
      const deadLetterQueue = attributes.redrivePolicy?.deadLetterQueue;
      return deadLetterQueue === undefined || !pending.has(deadLetterQueue);
    });
    if (ready.length === 0) {
      throw new ValidationError(`queues ${[...pending.keys()].join(", ")} name each other as dead-letter queues in a cycle`, "invalid_attribute_value");
    }
    for (const [name, attributes] of ready) {
      pending.delete(name);
      if (existing.has(name)) await updateQueue(queue, name, attributes);
      else await queue.createQueue(name, attributes);
    }
  }
}

async function updateQueue(queue: Queue, name: string, attributes: Partial<QueueAttributes>): Promise<void> {
  const { fifo, redrivePolicy, ...changes } = attributes;
  const current = await queue.describeQueue(name);
  if (fifo !== undefined && fifo !== current.attributes.fifo) {
    throw new ValidationError(`queue ${name} exists as a ${current.attributes.fifo ? "FIFO" : "standard"} queue; fifo cannot change`, "invalid_attribute_value");
  }
  await queue.setAttributes(name, { ...changes, redrivePolicy: redrivePolicy ?? null });
}
