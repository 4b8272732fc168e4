// StartMessageMoveTask's tasks: each runs one Queue.redrive in the background and is listed by
// ListMessageMoveTasks (newest first) until the process ends. A redrive moves everything in a few
// transactions, so a task is cancellable only in the moment before it starts.
import { randomUUID } from "node:crypto";
import type { Queue } from "../../queue/index.js";
import { SqsError } from "./sqs-errors.js";

export interface MoveTask {
  taskHandle: string;
  status: "RUNNING" | "COMPLETED" | "CANCELLED" | "FAILED";
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  moved: number;
  toMove: number;
  failureReason?: string;
  startedMs: number;
}

const KEPT_PER_SOURCE = 10;

export class MoveTasks {
  private readonly bySource = new Map<string, MoveTask[]>();

  constructor(private readonly queue: Queue) {}

  start(input: { source: string; sourceArn: string; destination?: string; destinationArn?: string; maxNumberOfMessagesPerSecond?: number; toMove: number }): MoveTask {
    const tasks = this.bySource.get(input.sourceArn) ?? [];
    if (tasks.some((task) => task.status === "RUNNING")) {
      throw new SqsError("UnsupportedOperation", `A message move task is already running on ${input.sourceArn}.`);
    }
    const task: MoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: input.sourceArn })).toString("base64"),
      status: "RUNNING",
      sourceArn: input.sourceArn,
      ...(input.destinationArn !== undefined && { destinationArn: input.destinationArn }),
      ...(input.maxNumberOfMessagesPerSecond !== undefined && { maxNumberOfMessagesPerSecond: input.maxNumberOfMessagesPerSecond }),
      moved: 0,
      toMove: input.toMove,
      startedMs: Date.now(),
    };
    this.bySource.set(input.sourceArn, [task, ...tasks].slice(0, KEPT_PER_SOURCE));
    setImmediate(() => {
      if (task.status !== "RUNNING") return;
      this.queue.redrive(input.source, input.destination).then(
        ({ moved }) => Object.assign(task, { status: "COMPLETED", moved }),
        (error: unknown) => Object.assign(task, { status: "FAILED", failureReason: (error as Error).message }),
      );
    });
    return task;
  }

  list(sourceArn: string): MoveTask[] {
    return this.bySource.get(sourceArn) ?? [];
  }

  cancel(taskHandle: string): MoveTask {
    const task = [...this.bySource.values()].flat().find((candidate) => candidate.taskHandle === taskHandle);
    if (!task) throw new SqsError("ResourceNotFoundException", "The specified task handle does not exist.");
    if (task.status !== "RUNNING") throw new SqsError("UnsupportedOperation", `Only a RUNNING task can be cancelled; this one is ${task.status}.`);
    task.status = "CANCELLED";
    return task;
  }
}
